package plain

import (
	"strings"
	"unicode/utf8"
)

// wrapLine breaks text at spaces so that, after a first line starting at
// column first, every line ends by Width; continuation lines start with
// indent. A word longer than a line is left whole rather than cut.
func wrapLine(text string, first int, indent string) string {
	return wrapWords(strings.Fields(text), first, indent)
}

// wrapWhole wraps like wrapLine but never breaks where words are joined by
// a no-break space (U+00A0: "2.7 ms", as explain joins a figure to its
// unit); those are printed as plain spaces.
func wrapWhole(text string, first int, indent string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' })
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, "\u00a0", " ")
	}
	return wrapWords(words, first, indent)
}

func wrapWords(words []string, first int, indent string) string {
	if len(words) == 0 {
		return ""
	}
	var b strings.Builder
	col := first
	for i, w := range words {
		n := utf8.RuneCountInString(w)
		if i > 0 {
			if col+1+n > Width {
				b.WriteString("\n" + indent)
				col = utf8.RuneCountInString(indent)
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}
