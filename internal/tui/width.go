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
	if !hasInvisible(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
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

// hasInvisible reports whether s holds an invisible character. It is
// called on every row drawn, most of them ASCII and box-drawing lines, so
// it decodes only where one may start: the lead bytes of the blocks that
// hold format characters and Hangul fillers (U+00AD; U+0600–U+070F;
// U+0890–U+08E2; U+115F–U+180E; U+200B–U+206F; U+3164; U+FEFF–U+FFFB;
// planes 1 and 14). Box drawing (U+2500, lead E2 94) is skipped unread.
func hasInvisible(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0xc2 {
			continue
		}
		switch c {
		case 0xc2:
			if i+1 < len(s) && s[i+1] != 0xad {
				continue
			}
		case 0xe2:
			if i+1 < len(s) && s[i+1] != 0x80 && s[i+1] != 0x81 {
				continue
			}
		case 0xd8, 0xdb, 0xdc, 0xe0, 0xe1, 0xe3, 0xef, 0xf0, 0xf3:
		default:
			continue
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); invisible(r) {
			return true
		}
	}
	return false
}
