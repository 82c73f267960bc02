package safetext

import (
	"strings"
	"testing"
	"unicode"
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
	if !safe(out, keepLayout) {
		t.Fatalf("output needs escaping again: %q", out)
	}
	for i, r := range out {
		if unsafeRune(r, keepLayout) && !(r == zwj && !unsafeAt(out, i+3, prevRune(out, i), r, keepLayout)) {
			t.Fatalf("output holds %U raw: %q", r, out)
		}
	}
}

// prevRune is the rune before s[i:], or -1 at the start.
func prevRune(s string, i int) rune {
	if i == 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// TestFormatCharacters: Unicode format characters (category Cf) are
// measured 0 columns wide but drawn 1 wide by some terminals, and
// invisible ones make two names that look the same differ: all are
// escaped, but for what an emoji needs to be drawn as one picture.
func TestFormatCharacters(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"soft hyphen", "ex\u00adample.com", `ex\u00adample.com`},
		{"Arabic number sign", "\u0600123", `\u0600123`},
		{"Arabic end of ayah", "a\u06ddb", `a\u06ddb`},
		{"Syriac abbreviation mark", "a\u070fb", `a\u070fb`},
		{"Kaithi number sign, beyond the BMP", "a\U000110bdb", `a\U000110bdb`},
		{"zero-width space", "www.exa\u200bmple.com", `www.exa\u200bmple.com`},
		{"zero-width non-joiner", "a\u200cb", `a\u200cb`},
		{"zero-width joiner between letters", "a\u200db", `a\u200db`},
		{"word joiner", "a\u2060b", `a\u2060b`},
		{"tag characters smuggling ASCII", "ok\U000e0068\U000e0069", `ok\U000e0068\U000e0069`},
		{"language tag", "\U000e0001", `\U000e0001`},
		{"byte-order mark", "\ufeffx", `\ufeffx`},
		{"ZWJ emoji kept: technologist", "\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb"},
		{"ZWJ emoji kept: after a skin tone", "\U0001f469\U0001f3fd\u200d\U0001f52c", "\U0001f469\U0001f3fd\u200d\U0001f52c"},
		{"ZWJ emoji kept: after VS16, to a dingbat", "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f", "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f"},
		{"variation selector kept", "\u2764\ufe0f", "\u2764\ufe0f"},
		{"ZWJ at the end of an emoji", "\U0001f469\u200d", "\U0001f469\\u200d"},
		{"ZWJ from a letter to an emoji", "a\u200d\U0001f4bb", "a\\u200d\U0001f4bb"},
		{"combining accent kept", "cafe\u0301", "cafe\u0301"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if IsSafe(tc.in) != (tc.in == tc.want) {
				t.Errorf("IsSafe(%q) = %v", tc.in, IsSafe(tc.in))
			}
		})
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\u202e", "\xff\xfe", "a\nb\tc\r", "\u009b", strings.Repeat("\x07", 10),
		"\U0001f469\u200d\U0001f4bb", "a\u200d", "\u200d\u200d\U0001f4bb", "\U000e0041\u00ad"} {
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

// TestNoFormatCharacterSkipped: the fast paths of unsafeRune skip ranges
// that hold no format character; a Unicode update that adds one there
// fails here.
func TestNoFormatCharacterSkipped(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Cf, r) && !unsafeRune(r, true) && r != zwj {
			t.Errorf("%U is a format character and passes raw", r)
		}
	}
}

func BenchmarkLine(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"ASCII header", strings.Repeat("Content-Type: text/html; charset=utf-8 ", 4)},
		{"Unicode", strings.Repeat("café → naïve 日本語 👩\u200d💻 ", 4)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Line(bc.s)
			}
		})
	}
}
