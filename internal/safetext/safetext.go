// Package safetext makes strings that came from the network safe to print on
// a terminal. Every renderer passes every outside string through it: escape
// sequences in a DNS record, a header or a body are shown as visible escapes
// (\x1b, \u202e) and never reach the terminal raw.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text escapes control characters, invalid UTF-8 and Unicode bidi controls,
// keeping newlines and tabs: for multi-line text such as a body.
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
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r, keepLayout):
			b.WriteString(visible(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func safe(s string, keepLayout bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r, keepLayout) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports whether r must not be written raw to a terminal.
func unsafeRune(r rune, keepLayout bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLayout
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true // C0, DEL, C1 (0x9b is a one-byte CSI on some terminals)
	case r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069:
		return true // bidi controls: they reorder what follows (Trojan Source)
	case r == 0xfeff, r == 0x2028, r == 0x2029:
		return true // byte-order mark and line/paragraph separators
	}
	return false
}

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
	return fmt.Sprintf(`\u%04x`, r)
}
