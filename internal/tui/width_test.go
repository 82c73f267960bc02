package tui

import (
	"testing"
	"unicode"
)

func TestTerminalSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "GET / HTTP/1.1", "GET / HTTP/1.1"},
		{"box drawing and arrows", "├───▶│ ◀ ● … ┼", "├───▶│ ◀ ● … ┼"},
		{"accents and CJK", "café 日本", "café 日本"},
		{"soft hyphen", "ex\u00adample", `ex\u00adample`},
		{"zero-width space", "a\u200bb", `a\u200bb`},
		{"word joiner", "a\u2060b", `a\u2060b`},
		{"arabic number sign", "\u0600x", `\u0600x`},
		{"byte order mark", "\ufeffx", `\ufeffx`},
		{"tag character", "x\U000e0001", `x\U000e0001`},
		{"hangul filler", "\u3164", `\u3164`},
		{"our own colour", "\x1b[1mbold\x1b[0m\u200b", "\x1b[1mbold\x1b[0m" + `\u200b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := terminalSafe(tt.in); got != tt.want {
				t.Errorf("terminalSafe(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestInvisibleCovered checks that the byte filter of hasInvisible lets
// through every format character, so none is drawn raw.
func TestInvisibleCovered(t *testing.T) {
	for _, rt := range unicode.Cf.R16 {
		for r := rune(rt.Lo); r <= rune(rt.Hi); r += rune(rt.Stride) {
			if r >= 0xa0 && !hasInvisible("x"+string(r)) {
				t.Errorf("%U passes the filter", r)
			}
		}
	}
	for _, rt := range unicode.Cf.R32 {
		for r := rune(rt.Lo); r <= rune(rt.Hi); r += rune(rt.Stride) {
			if !hasInvisible(string(r) + "x") {
				t.Errorf("%U passes the filter", r)
			}
		}
	}
}
