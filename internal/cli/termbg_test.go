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

func TestParseBackground(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		dark, ok bool
	}{
		{"black, ended by ST", "\x1b]11;rgb:0000/0000/0000\x1b\\", true, true},
		{"white, ended by BEL", "\x1b]11;rgb:ffff/ffff/ffff\a", false, true},
		{"two hex digits a channel", "\x1b]11;rgb:fd/f6/e3\a", false, true},
		{"solarized dark", "\x1b]11;rgb:0000/2b2b/3636\x1b\\", true, true},
		{"after the DSR answer", "\x1b[24;1R\x1b]11;rgb:ffff/ffff/ffff\a", false, true},
		{"cut short", "\x1b]11;rgb:ffff/ff", false, false},
		{"not hex", "\x1b]11;rgb:zzzz/0000/0000\a", false, false},
		{"two channels", "\x1b]11;rgb:0000/0000\a", false, false},
		{"only the position", "\x1b[24;1R", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dark, ok := parseBackground([]byte(tt.in))
			if dark != tt.dark || ok != tt.ok {
				t.Errorf("parseBackground(%q) = %v, %v; want %v, %v", tt.in, dark, ok, tt.dark, tt.ok)
			}
		})
	}
}

func TestDSRAnswered(t *testing.T) {
	for in, want := range map[string]bool{
		"\x1b[24;1R":                   true,
		"\x1b[1;1R":                    true,
		"\x1b]11;rgb:0/0/0\a\x1b[3;4R": true,
		"\x1b[R":                       false,
		"\x1b[24;1":                    false,
		"":                             false,
		"\x1b[A\x1b[2;2R":              true,
	} {
		if got := dsrAnswered([]byte(in)); got != want {
			t.Errorf("dsrAnswered(%q) = %v, want %v", in, got, want)
		}
	}
}
