package plain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrapLine(t *testing.T) {
	tests := []struct {
		name, text string
		first      int
		indent     string
		want       string
	}{
		{"fits", "a short line", 10, "    ", "a short line"},
		{"empty", "   ", 0, "", ""},
		{"wraps with indent", strings.Repeat("word ", 20), 70, "  ", "word\n  word word word word word word word word word word word word word word word\n  word word word word"},
		{"long word kept whole", strings.Repeat("x", 100) + " y", 0, "", strings.Repeat("x", 100) + "\ny"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapLine(tc.text, tc.first, tc.indent)
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			for i, line := range strings.Split(got, "\n") {
				w := utf8.RuneCountInString(line)
				if i == 0 {
					w += tc.first
				}
				if w > Width && !strings.Contains(line, strings.Repeat("x", 100)) {
					t.Errorf("line %d is %d wide: %q", i, w, line)
				}
			}
		})
	}
}

// TestWrapWhole: a figure joined to its unit by a no-break space is never
// split across lines ("2.7" at one line's end, "ms" at the next's start).
func TestWrapWhole(t *testing.T) {
	text := strings.Repeat("x", 70) + " total 2.7\u00a0ms"
	got := wrapWhole(text, 0, "  ")
	if want := strings.Repeat("x", 70) + " total\n  2.7 ms"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if strings.Contains(got, "\u00a0") {
		t.Errorf("a no-break space was printed: %q", got)
	}
}
