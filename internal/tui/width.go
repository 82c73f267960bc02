package tui

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terminals and the width function disagree on invisible characters:
// ansi.StringWidth (grapheme clusters, as uniseg measures them) counts a
// format character (Unicode category Cf: the soft hyphen U+00AD, U+0600,
// the zero-width space U+200B, the tag characters U+E0000–E007F) as no
// cell at all, and many terminals draw it as one. A row measured to fit
// its pane then overflows, the screen scrolls and old rows stay. So every
// row the TUI draws is first made visible: each such character is written
// as its escape (\u00ad), whose width every terminal agrees on. Two names
// that differ only by an invisible character then also look different.

// invisible reports whether r is a character whose width the terminal
// may not agree on: a format character, or one the width function counts
// as zero cells that is not a combining mark (those are drawn on the
// character before them, by terminals and the width function alike).
func invisible(r rune) bool {
	if r < 0xa0 {
		return false
	}
	return unicode.Is(unicode.Cf, r) || r == 0x115f || r == 0x1160 || r == 0x3164 || r == 0xffa0 // Hangul fillers: zero or two cells
}

// terminalSafe writes every invisible character of s as a visible escape.
// It leaves the TUI's own escape sequences (SGR, ESC [ … m) alone.
func terminalSafe(s string) string {
	i := 0
	for ; i < len(s); i++ {
		if s[i] >= 0xc2 { // a multi-byte rune starts here: look closer
			break
		}
	}
	if i == len(s) {
		return s
	}
	if !hasInvisible(s[i:]) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if invisible(r) {
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hasInvisible(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if invisible(r) {
			return true
		}
		i += size
	}
	return false
}
