// Package safetext makes strings that came from the network safe to print on
// a terminal. Every renderer passes every outside string through it: escape
// sequences in a DNS record, a header or a body are shown as visible escapes
// (\x1b, \u202e) and never reach the terminal raw.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text escapes control characters, invalid UTF-8 and Unicode format
// characters (bidi controls, zero-width characters, tags), keeping newlines
// and tabs: for multi-line text such as a body.
func Text(s string) string { return escape(s, true) }

// Line escapes like Text and also escapes newlines, carriage returns and
// tabs: for anything shown on one line (a name, a header value).
func Line(s string) string { return escape(s, false) }

// Bytes is Line for raw bytes.
func Bytes(b []byte) string { return escape(string(b), false) }

// IsSafe reports whether s needs no escaping for Line.
func IsSafe(s string) bool { return safe(s, false) }

func escape(s string, keepLayout bool) string {
	if safe(s, keepLayout) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(-1)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeAt(s, i+size, prev, r, keepLayout):
			b.WriteString(visible(r))
		default:
			b.WriteString(s[i : i+size])
		}
		prev = r
		i += size
	}
	return b.String()
}

func safe(s string, keepLayout bool) bool {
	prev := rune(-1)
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			// Printable ASCII, nearly every byte a renderer sees: no
			// decoding, no table.
			prev = rune(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeAt(s, i+size, prev, r, keepLayout) {
			return false
		}
		prev = r
		i += size
	}
	return true
}

// unsafeAt reports whether r, read just before s[next:] and just after
// prev (-1 at the start), must not be written raw to a terminal.
func unsafeAt(s string, next int, prev, r rune, keepLayout bool) bool {
	if r == zwj {
		// A zero-width joiner inside an emoji sequence (👩‍💻) is what
		// draws it as one picture; anywhere else it only hides a
		// difference between two strings that look the same.
		following, _ := utf8.DecodeRuneInString(s[next:])
		return !(emojiEnd(prev) && emoji(following))
	}
	return unsafeRune(r, keepLayout)
}

// zwj is the zero-width joiner, U+200D.
const zwj = '\u200d'

// unsafeRune reports whether r must not be written raw to a terminal,
// whatever surrounds it.
func unsafeRune(r rune, keepLayout bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLayout
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true // C0, DEL, C1 (0x9b is a one-byte CSI on some terminals)
	case r < 0xad:
		return false // printable ASCII and Latin-1 up to the soft hyphen, the first Cf
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	case r >= 0x2070 && r < 0xfeff, r >= 0x1f000 && r < 0xe0000:
		return false // CJK, Hangul, most scripts, emoji: no Cf there (TestNoFormatCharacterSkipped)
	case unicode.Is(unicode.Cf, r):
		// Format characters: bidi controls (they reorder what follows:
		// Trojan Source), the byte-order mark, the soft hyphen, zero-width
		// spaces and joiners, word joiners, tags (U+E0000–E007F, which
		// smuggle invisible ASCII). A terminal measures them 0 columns
		// wide but may draw them 1 wide, and they make two names that
		// look the same differ. The one kept is a ZWJ inside an emoji
		// (see unsafeAt); variation selectors are not Cf and are kept.
		return true
	}
	return false
}

// emoji reports whether r is a pictograph an emoji sequence is built of
// (Unicode's Extended_Pictographic, approximated by its blocks).
func emoji(r rune) bool {
	switch {
	case r >= 0x1f000 && r <= 0x1faff, // emoticons, pictographs, transport, flags' letters, skin tones
		r >= 0x2600 && r <= 0x27bf, // miscellaneous symbols, dingbats (♀ ♂ ⚕ ❤)
		r >= 0x2300 && r <= 0x23ff, // miscellaneous technical (⌚ ⏰)
		r >= 0x2b00 && r <= 0x2bff, // arrows and shapes (⬛ ⭐)
		r == 0xa9, r == 0xae, r == 0x203c, r == 0x2049, r == 0x2122, r == 0x2139, r == 0x3030, r == 0x303d, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}

// emojiEnd reports whether r may end the emoji before a ZWJ: a pictograph,
// or the variation selector that asks for its emoji form.
func emojiEnd(r rune) bool { return emoji(r) || r == 0xfe0f }

func visible(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	if r < 0x80 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	if r > 0xffff {
		return fmt.Sprintf(`\U%08x`, r) // as Go writes it: \u110bd would read as \u110b then d
	}
	return fmt.Sprintf(`\u%04x`, r)
}
