package plain

import (
	"strings"
	"unicode/utf8"
)

// wrapLine breaks text at spaces so that, after a first line starting at
// column first, every line ends by Width; continuation lines start with
// indent. A word longer than a line is left whole rather than cut.
func wrapLine(text string, first int, indent string) string {
	words := strings.Fields(text)
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
