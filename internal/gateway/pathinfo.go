package gateway

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"journey/internal/router"
)

// How a path travels from the request line to Django's router, as
// gunicorn and Django do it (PEP 3333, "Unicode Issues"):
//
//  1. The server percent-decodes the path to bytes (Python's
//     urllib.parse.unquote_to_bytes: a % not followed by two hex digits is
//     kept as it is).
//  2. PATH_INFO holds those bytes as a "native string" of latin-1: one
//     character per byte, so /caf%C3%A9/ is '/cafÃ©/'. The bytes are
//     never guessed at: the application decodes them.
//  3. Django encodes PATH_INFO back to the bytes, decodes them as UTF-8,
//     and percent-encodes again any byte that is not valid UTF-8
//     (repercent_broken_unicode): %FF reaches the view as the text "%FF".

// unquoteToBytes is urllib.parse.unquote_to_bytes.
func unquoteToBytes(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// latin1 is bytes.decode('latin-1'): each byte the character of that
// number.
func latin1(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// djangoPath is what Django's get_path_info makes of PATH_INFO's bytes:
// UTF-8, with each byte of an invalid sequence percent-encoded.
func djangoPath(b []byte) string {
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			sb.WriteByte('%')
			sb.WriteByte(hex[b[0]>>4])
			sb.WriteByte(hex[b[0]&15])
			b = b[1:]
			continue
		}
		sb.Write(b[:size])
		b = b[size:]
	}
	return sb.String()
}

// PathInfo returns, for the path of a request line as sent (still
// percent-encoded, without its query), PATH_INFO as a WSGI server gives it
// (latin-1) and request.path_info as Django reads it.
func PathInfo(raw string) (environ, django string) {
	b := unquoteToBytes(raw)
	return latin1(b), djangoPath(b)
}

// escapeURIPath is django.utils.encoding.escape_uri_path: the path
// percent-encoded again, keeping the characters RFC 3986 allows in one.
func escapeURIPath(path string) string {
	return router.Quote(path, "/:@&+$,-_.!~*'()")
}

// pyReprLatin1 shows a latin-1 PATH_INFO as Python's repr would: the
// characters of bytes 0x80 to 0xFF as they are, control ones escaped.
func pyReprLatin1(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r >= 0x7f && r < 0xa1 || r == 0xad:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// pyRepr is a string as Python's repr() prints it, closely enough for
// a Host header in an error message.
func pyRepr(s string) string {
	return pyReprLatin1(s)
}
