package cli

import "testing"

func TestColorFGBG(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		dark, ok bool
	}{
		{"white on black", "15;0", true, true},
		{"black on white", "0;15", false, true},
		{"rxvt's three fields", "default;default;0", true, true},
		{"light grey background", "0;7", false, true},
		{"dark grey background", "15;8", true, true},
		{"unset", "", false, false},
		{"no separator", "15", false, false},
		{"a word", "15;default", false, false},
		{"out of range", "15;300", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dark, ok := colorFGBGDark(tt.in)
			if dark != tt.dark || ok != tt.ok {
				t.Errorf("colorFGBGDark(%q) = %v, %v; want %v, %v", tt.in, dark, ok, tt.dark, tt.ok)
			}
		})
	}
}
