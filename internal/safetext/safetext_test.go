package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "www.example.com", "www.example.com"},
		{"unicode kept", "café.example", "café.example"},
		{"ESC", "a\x1b[31mred", `a\x1b[31mred`},
		{"BEL", "ding\a", `ding\x07`},
		{"newline", "a\nb", `a\nb`},
		{"carriage return", "a\rb", `a\rb`},
		{"tab", "a\tb", `a\tb`},
		{"DEL", "a\x7f", `a\x7f`},
		{"C1 CSI", "a\u009b31m", `a\u009b31m`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"bidi isolate", "\u2066x\u2069", `\u2066x\u2069`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"NUL", "a\x00b", `a\x00b`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextKeepsLayout(t *testing.T) {
	in := "line one\n\tindented\x1b]0;title\a\n"
	want := "line one\n\tindented\\x1b]0;title\\x07\n"
	if got := Text(in); got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
}

// checkSafe fails if out holds anything a terminal would act on.
func checkSafe(t *testing.T, out string, keepLayout bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8: %q", out)
	}
	for _, r := range out {
		if unsafeRune(r, keepLayout) {
			t.Fatalf("output holds %U raw: %q", r, out)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\u202e", "\xff\xfe", "a\nb\tc\r", "\u009b", strings.Repeat("\x07", 10)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, Line(s), false)
		checkSafe(t, Text(s), true)
		if IsSafe(s) && Line(s) != s {
			t.Fatalf("IsSafe(%q) but Line changed it", s)
		}
	})
}
