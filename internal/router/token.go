package router

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// maxStringLen bounds one string literal of a URL file.
const maxStringLen = 64 << 10

type tokenKind int

const (
	tEOF tokenKind = iota
	tIdent
	tString
	tNumber
	tPunct
)

func (k tokenKind) String() string {
	return [...]string{"the end of the file", "a name", "a string", "a number", "punctuation"}[k]
}

type token struct {
	kind tokenKind
	text string
	line int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "the end of the file"
	case tString:
		return "the string " + pyRepr(clip(t.text, 30))
	}
	return fmt.Sprintf("%q", clip(t.text, 30))
}

// tokenize splits a URL file into Python-looking tokens: names, strings
// ("..." '...', with an r prefix for raw), numbers and ( ) [ ] { } : , = .
// Comments (#) and lines starting with from or import are skipped.
func tokenize(src string) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	lineStart := true
	for i < len(src) {
		c := src[i]
		if lineStart {
			rest := strings.TrimLeft(src[i:], " \t")
			if strings.HasPrefix(rest, "from ") || strings.HasPrefix(rest, "import ") {
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			}
			lineStart = false
		}
		switch {
		case c == '\n':
			line++
			i++
			lineStart = true
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || ((c == 'r' || c == 'R') && i+1 < len(src) && (src[i+1] == '"' || src[i+1] == '\'')):
			raw := false
			if c == 'r' || c == 'R' {
				raw = true
				i++
			}
			s, n, err := readString(src[i:], raw)
			if err != nil {
				return nil, &LineError{Line: line, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
			}
			toks = append(toks, token{tString, s, line})
			i += n
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, token{tNumber, src[i:j], line})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], line})
			i = j
		case strings.IndexByte("()[],={}:", c) >= 0:
			toks = append(toks, token{tPunct, string(c), line})
			i++
		default:
			r := []rune(src[i:min(len(src), i+4)])[0]
			return nil, &LineError{Line: line, Err: fmt.Errorf("%w: unexpected character %q", ErrSyntax, r)}
		}
	}
	toks = append(toks, token{tEOF, "", line})
	return toks, nil
}

// readString reads one quoted string at the start of s and returns its
// value and how many bytes it took. Python's common escapes are honoured
// unless raw; a string ends on its line, as Python's single-quoted do.
func readString(s string, raw bool) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\n':
			return "", 0, fmt.Errorf("a string is not closed before the end of its line")
		case c == '\\' && i+1 < len(s):
			i++
			e := s[i]
			if raw {
				b.WriteByte('\\')
				b.WriteByte(e)
				break
			}
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'r':
				b.WriteByte('\r')
			case 'x', 'u', 'U':
				// Python's \xHH, \uHHHH and \UHHHHHHHH: a code point.
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if i+n >= len(s) {
					return "", 0, fmt.Errorf("a \\%c escape needs %d hex digits", e, n)
				}
				v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
				if err != nil || v > unicode.MaxRune {
					return "", 0, fmt.Errorf("a \\%c escape needs %d hex digits", e, n)
				}
				b.WriteRune(rune(v))
				i += n
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
		if b.Len() > maxStringLen {
			return "", 0, fmt.Errorf("a string longer than %d bytes", maxStringLen)
		}
	}
	return "", 0, fmt.Errorf("a string is not closed before the end of the file")
}
