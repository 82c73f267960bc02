package router

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnsupportedRegex marks a re_path() regex Django's Python accepts and
// Go's RE2 engine cannot run (backreferences, lookaround, atomic groups).
var ErrUnsupportedRegex = errors.New("a regex Python runs and Go's RE2 cannot")

// Python's re and Go's regexp differ in small ways that change what a
// URL pattern matches. translateRegex rewrites a Python pattern into Go's
// syntax with Python's meaning where Go can express it:
//
//   - \d is any Unicode decimal digit in Python (str patterns), ASCII in Go:
//     \p{Nd}. \w is Unicode letters, digits and _: [\p{L}\p{N}_]. \s is
//     Unicode whitespace.
//   - \Z is the end of the text in Python; Go spells it \z.
//   - {,n} is {0,n} in Python, a literal in Go.
//   - \uXXXX and \UXXXXXXXX are \x{...} in Go.
//   - Group names may be any Python identifier (année); Go allows ASCII
//     only, so every group becomes a plain one and its name is kept aside.
//
// What Go cannot run at all (backreferences, lookaround, atomic groups and
// possessive quantifiers) is an error wrapping ErrUnsupportedRegex. notes
// lists the differences that remain (\b is ASCII in Go; $ before a final
// newline).
type translated struct {
	src   string   // Go syntax, without anchors added
	names []string // names[i] is group i+1's name, "" for an unnamed group
	notes []string
}

// pyWordClass and pySpaceClass are Python's Unicode \w and \s, as class
// bodies.
const (
	pyWordClass  = `\p{L}\p{N}_`
	pySpaceClass = `\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}`
)

func translateRegex(py string) (*translated, error) {
	t := &translated{}
	var b strings.Builder
	inClass := false
	classStart := false
	for i := 0; i < len(py); {
		c := py[i]
		if c == '\\' && i+1 < len(py) {
			e := py[i+1]
			i += 2
			switch e {
			case 'd':
				b.WriteString(pick(inClass, `\p{Nd}`, `\p{Nd}`))
			case 'D':
				b.WriteString(`\P{Nd}`)
			case 'w':
				b.WriteString(pick(inClass, pyWordClass, "["+pyWordClass+"]"))
			case 'W':
				if inClass {
					b.WriteString(`\W`)
					t.notes = append(t.notes, `\W inside [...] is ASCII here, Unicode in Python`)
				} else {
					b.WriteString("[^" + pyWordClass + "]")
				}
			case 's':
				b.WriteString(pick(inClass, pySpaceClass, "["+pySpaceClass+"]"))
			case 'S':
				if inClass {
					b.WriteString(`\S`)
				} else {
					b.WriteString("[^" + pySpaceClass + "]")
				}
			case 'Z':
				b.WriteString(`\z`)
			case 'b', 'B':
				b.WriteByte('\\')
				b.WriteByte(e)
				t.notes = append(t.notes, `\b is a word boundary between ASCII letters here, Unicode ones in Python`)
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				if i+n > len(py) {
					return nil, fmt.Errorf("a \\%c escape needs %d hex digits", e, n)
				}
				b.WriteString(`\x{` + py[i:i+n] + `}`)
				i += n
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				if !inClass {
					return nil, fmt.Errorf("%w: the backreference \\%c", ErrUnsupportedRegex, e)
				}
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			classStart = false
			continue
		}
		if inClass {
			if c == ']' && !classStart {
				inClass = false
			}
			classStart = classStart && c == '^'
			b.WriteByte(c)
			i++
			continue
		}
		switch {
		case c == '[':
			inClass, classStart = true, true
			b.WriteByte(c)
			i++
			if i < len(py) && py[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(py) && py[i] == ']' { // a ] first in a class is literal
				b.WriteString(`\]`)
				i++
			}
			classStart = false
		case c == '(' && strings.HasPrefix(py[i:], "(?P<"):
			end := strings.IndexByte(py[i:], '>')
			if end < 0 {
				return nil, fmt.Errorf("missing > in a group name")
			}
			name := py[i+4 : i+end]
			if !isIdentifier(name) {
				return nil, fmt.Errorf("bad character in group name %s", pyRepr(name))
			}
			t.names = append(t.names, name)
			b.WriteByte('(')
			i += end + 1
		case c == '(' && strings.HasPrefix(py[i:], "(?P="):
			return nil, fmt.Errorf("%w: the backreference %s", ErrUnsupportedRegex, py[i:min(len(py), i+strings.IndexByte(py[i:]+")", ')')+1)])
		case c == '(' && (strings.HasPrefix(py[i:], "(?=") || strings.HasPrefix(py[i:], "(?!") || strings.HasPrefix(py[i:], "(?<=") || strings.HasPrefix(py[i:], "(?<!")):
			return nil, fmt.Errorf("%w: the lookaround assertion %s...)", ErrUnsupportedRegex, py[i:min(len(py), i+4)])
		case c == '(' && strings.HasPrefix(py[i:], "(?>"):
			return nil, fmt.Errorf("%w: the atomic group (?>...)", ErrUnsupportedRegex)
		case c == '(' && strings.HasPrefix(py[i:], "(?"):
			// (?:...), flags (?i) (?i:...): the same in both.
			b.WriteByte(c)
			i++
		case c == '(':
			t.names = append(t.names, "")
			b.WriteByte(c)
			i++
		case c == '{' && strings.HasPrefix(py[i:], "{,"):
			b.WriteString("{0,")
			i += 2
		case (c == '+' || c == '*' || c == '?' || c == '}') && i+1 < len(py) && py[i+1] == '+':
			return nil, fmt.Errorf("%w: the possessive quantifier %c+", ErrUnsupportedRegex, c)
		default:
			b.WriteByte(c)
			i++
		}
	}
	if strings.HasSuffix(py, "$") && !strings.HasSuffix(py, `\$`) {
		t.notes = append(t.notes, `$ here is the end of the path only; in Python it also matches before a final newline (%0A), unless the whole path must match`)
	}
	t.src = b.String()
	return t, nil
}

func pick(inClass bool, in, out string) string {
	if inClass {
		return in
	}
	return out
}

// isIdentifier is Python's str.isidentifier, closely enough for names
// people write: a letter or _ first, then letters, digits, marks or _.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r):
		case i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Pc, r)):
		default:
			return false
		}
	}
	return true
}

// revPiece is one piece of a reverse() template: literal text, or the
// parameter a value goes in.
type revPiece struct {
	lit   string
	param string // "" for literal text
}

// Bounds on reverse() templates: Django's normalize() makes two variants
// per optional group and repeats a quantified run as often as its
// minimum, so a short regex can ask for millions; real patterns need a
// handful.
const (
	maxVariants    = 256
	maxTemplateLen = 4096
)

// errNoTemplate marks a regex Django's normalize() gives no template for
// (an alternation outside a group): reverse() never finds it.
var errNoTemplate = errors.New("no reverse template")

// normalize is django.utils.regex_helper.normalize for the regexes people
// write in URL files: the templates (several when an optional group makes
// two) a reverse() fills, with the parameters each takes, in order.
// Unnamed groups are the parameters _0, _1, ...
func normalize(py string) ([][]revPiece, error) {
	n := &normalizer{src: py}
	alts, err := n.seq(false)
	if err != nil {
		return nil, err
	}
	return alts, nil
}

type normalizer struct {
	src string
	i   int
	pos int // the next unnamed group's number
}

// seq reads up to the end or a ')' (when inGroup), returning every
// variant of the sequence.
func (n *normalizer) seq(inGroup bool) ([][]revPiece, error) {
	variants := [][]revPiece{nil}
	tooBig := false
	add := func(alts [][]revPiece) {
		if len(variants)*len(alts) > maxVariants {
			tooBig = true
			return
		}
		var out [][]revPiece
		for _, v := range variants {
			for _, a := range alts {
				if len(v)+len(a) > maxTemplateLen {
					tooBig = true
					return
				}
				out = append(out, append(append([]revPiece(nil), v...), a...))
			}
		}
		variants = out
	}
	for n.i < len(n.src) {
		c := n.src[n.i]
		var item [][]revPiece
		switch {
		case c == ')':
			if inGroup {
				n.i++
				return variants, nil
			}
			n.i++
			continue
		case c == '|':
			return nil, errNoTemplate
		case c == '^' || c == '$':
			n.i++
			continue
		case c == '\\' && n.i+1 < len(n.src):
			e := n.src[n.i+1]
			n.i += 2
			if strings.IndexByte("AZzbB", e) >= 0 {
				continue
			}
			if strings.IndexByte("dDwWsS", e) >= 0 {
				// Django picks a character the class matches.
				item = [][]revPiece{{{lit: map[byte]string{'d': "0", 'D': "x", 'w': "x", 'W': "!", 's': " ", 'S': "x"}[e]}}}
			} else {
				item = [][]revPiece{{{lit: string(e)}}}
			}
		case c == '.':
			n.i++
			item = [][]revPiece{{{lit: "."}}}
		case c == '[':
			// Django: the first character of the class.
			n.i++
			r, size := utf8.DecodeRuneInString(n.src[n.i:])
			n.i += size
			for n.i < len(n.src) && n.src[n.i] != ']' {
				if n.src[n.i] == '\\' {
					n.i++
				}
				n.i++
			}
			n.i++
			item = [][]revPiece{{{lit: string(r)}}}
		case c == '(':
			rest := n.src[n.i:]
			switch {
			case strings.HasPrefix(rest, "(?P<"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return nil, errNoTemplate
				}
				name := rest[4:end]
				n.i += end + 1
				n.skipGroup()
				item = [][]revPiece{{{param: name}}}
			case strings.HasPrefix(rest, "(?:"):
				n.i += 3
				inner, err := n.seq(true)
				if err != nil {
					return nil, err
				}
				item = inner
			case strings.HasPrefix(rest, "(?"):
				// flags or assertions: no text
				n.i++
				n.skipGroup()
				continue
			default:
				n.i++
				n.skipGroup()
				item = [][]revPiece{{{param: fmt.Sprintf("_%d", n.pos)}}}
				n.pos++
			}
		default:
			r, size := utf8.DecodeRuneInString(n.src[n.i:])
			n.i += size
			item = [][]revPiece{{{lit: string(r)}}}
		}
		// A quantifier after the item: Django uses the fewest occurrences,
		// and both zero and one for an optional group.
		if n.i < len(n.src) {
			switch q := n.src[n.i]; q {
			case '?', '*':
				n.i++
				if n.i < len(n.src) && n.src[n.i] == '?' {
					n.i++
				}
				if hasParam(item) {
					item = append([][]revPiece{nil}, item...)
				} else {
					item = [][]revPiece{nil}
				}
			case '+':
				n.i++
				if n.i < len(n.src) && n.src[n.i] == '?' {
					n.i++
				}
			case '{':
				end := strings.IndexByte(n.src[n.i:], '}')
				if end > 0 {
					spec := n.src[n.i+1 : n.i+end]
					n.i += end + 1
					lo := spec
					if j := strings.IndexByte(spec, ','); j >= 0 {
						lo = spec[:j]
					}
					times := 0
					fmt.Sscanf(lo, "%d", &times)
					if times > maxTemplateLen {
						return nil, errNoTemplate
					}
					if times == 0 {
						item = [][]revPiece{nil}
					} else if !hasParam(item) {
						rep := item[0]
						if len(rep)*times > maxTemplateLen {
							return nil, errNoTemplate
						}
						var out []revPiece
						for k := 0; k < times; k++ {
							out = append(out, rep...)
						}
						item = [][]revPiece{out}
					}
				}
			}
		}
		add(item)
		if tooBig {
			return nil, errNoTemplate
		}
	}
	return variants, nil
}

func hasParam(alts [][]revPiece) bool {
	for _, a := range alts {
		for _, p := range a {
			if p.param != "" {
				return true
			}
		}
	}
	return false
}

// skipGroup moves past the rest of a group whose opening has been read.
func (n *normalizer) skipGroup() {
	depth := 1
	inClass := false
	for n.i < len(n.src) && depth > 0 {
		c := n.src[n.i]
		switch {
		case c == '\\':
			n.i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		n.i++
	}
}
