package cli

import (
	"testing"
	"time"
)

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"bare seconds, as curl", "5", 5 * time.Second, true},
		{"a fraction of a second", "0.5", 500 * time.Millisecond, true},
		{"a Go duration", "500ms", 500 * time.Millisecond, true},
		{"seconds with a unit", "2s", 2 * time.Second, true},
		{"zero", "0", 0, true}, // refused later as not more than 0
		{"a word", "soon", 0, false},
		{"not a number", "NaN", 0, false},
		{"infinite", "Inf", 0, false},
		{"past a duration's range", "1e12", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSeconds(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseSeconds(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want float64
		ok   bool
	}{
		{"a number", "30", 30, true},
		{"with a percent sign", "30%", 30, true},
		{"a fraction", "2.5%", 2.5, true},
		{"a word", "some", 0, false},
		{"only a sign", "%", 0, false},
		{"not a number", "NaN%", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p percent
			err := p.Set(tt.in)
			if (err == nil) != tt.ok || float64(p) != tt.want {
				t.Errorf("Set(%q) = %v, %v; want %v, ok %v", tt.in, float64(p), err, tt.want, tt.ok)
			}
		})
	}
}

func TestColourIsOffForDumbTerminals(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		noColor bool
		want    bool
	}{
		{"a colour terminal", map[string]string{"TERM": "xterm-256color"}, false, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, false, false},
		{"NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, false, false},
		{"--no-color", map[string]string{"TERM": "xterm"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			std := IO{Getenv: func(k string) string { return tt.env[k] }}
			if got := wantColor(tt.noColor, std); got != tt.want {
				t.Errorf("colour %v, want %v", got, tt.want)
			}
		})
	}
}
