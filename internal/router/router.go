// Package router owns URL routing with Django's semantics: path() patterns
// with converters, re_path() regex patterns, include() groups under a
// prefix, names and namespaces, reverse(), and the list of patterns tried
// that Django's debug 404 page shows. It also reads URL configuration files
// (urlconf.go) and holds the demo site (demo.go). It describes views but
// does not run them: the gateway does.
package router

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// maxIncludeDepth bounds include() nesting; Django has no limit, but a
// teaching site needs two or three levels, and a cycle must end.
const maxIncludeDepth = 8

// maxExpanded bounds the patterns of a configuration once every include()
// is expanded, so one request never tries more than this many: a group
// included ten times in a group included ten times multiplies.
const maxExpanded = 10000

// View names a built-in view and the arguments the URL file gave it.
type View struct {
	Func   string   // template, json, redirect, static, environ, error, stream, ansi
	Args   []string // positional arguments, as written
	Kwargs []KV     // keyword arguments, in order
	// Body is the static file's bytes, for static().
	Body []byte
	// Source says where a static() file's bytes came from: the file next
	// to the URL file, or the demo site's embedded one of the same name.
	Source string
}

// KV is one keyword argument or captured value, in order.
type KV struct {
	Key   string
	Value string
}

// String is the view as the URL file wrote it: template("year.html").
func (v *View) String() string {
	var parts []string
	for _, a := range v.Args {
		parts = append(parts, pyRepr(a))
	}
	for _, kv := range v.Kwargs {
		parts = append(parts, kv.Key+"="+pyRepr(kv.Value))
	}
	return v.Func + "(" + strings.Join(parts, ", ") + ")"
}

// Pattern is one entry of a urlpatterns list.
type Pattern struct {
	Route   string // as written: "articles/<int:year>/" or "^archive/(?P<y>[0-9]{4})/$"
	Regex   bool   // re_path() rather than path()
	View    *View  // nil for include()
	Include *Group // the group included under Route
	Name    string // name="..."
	Line    int    // where the URL file declares it (0 for code)

	literal  string         // path(): the route's text before its first converter
	re       *regexp.Regexp // the whole pattern, anchored as Django anchors it
	pieces   []piece        // path(): the literal text and converters in order
	prefixes []*regexp.Regexp
}

// piece is a literal run of a path() route or one <converter:name>.
type piece struct {
	literal string
	name    string
	conv    *Converter
}

// Group is a urlpatterns list: the root one, or one included under a prefix.
type Group struct {
	AppName    string // app_name, and the namespace its names live in
	Namespace  string
	Patterns   []*Pattern
	parsedLine int
}

// Errors a route can have; each message says what Django would say.
var (
	ErrRoute     = errors.New("bad route")
	ErrNoReverse = errors.New("no reverse match")
)

var converterRef = regexp.MustCompile(`<(?:([^>:]+):)?([^>]+)>`)
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// compile turns p.Route into the regexes matching it, as Django's
// RoutePattern and RegexPattern do. endpoint is false for include().
func (p *Pattern) compile() error {
	endpoint := p.Include == nil
	if p.Regex {
		re, err := regexp.Compile(p.Route)
		if err != nil {
			return fmt.Errorf("%w: re_path(%s) is not a regex this program can run (Go's RE2 syntax, close to Python's without backreferences): %w", ErrRoute, pyRepr(p.Route), err)
		}
		p.re = re
		return nil
	}
	if strings.ContainsAny(p.Route, " \t\r\n") {
		return fmt.Errorf("%w: route %s contains whitespace, which Django refuses", ErrRoute, pyRepr(p.Route))
	}
	if strings.HasPrefix(p.Route, "/") {
		// Django's check urls.W002: patterns never see the leading slash.
		return fmt.Errorf("%w: route %s starts with '/': remove it, Django matches paths without their leading slash", ErrRoute, pyRepr(p.Route))
	}
	rest := p.Route
	seen := map[string]bool{}
	for rest != "" {
		loc := converterRef.FindStringSubmatchIndex(rest)
		if loc == nil {
			p.pieces = append(p.pieces, piece{literal: rest})
			break
		}
		if loc[0] > 0 {
			p.pieces = append(p.pieces, piece{literal: rest[:loc[0]]})
		}
		convName := "str" // Django's default converter
		if loc[2] >= 0 {
			convName = rest[loc[2]:loc[3]]
		}
		name := rest[loc[4]:loc[5]]
		if !identifier.MatchString(name) {
			return fmt.Errorf("%w: route %s uses parameter name %s, which is not a valid Python identifier", ErrRoute, pyRepr(p.Route), pyRepr(name))
		}
		if seen[name] {
			return fmt.Errorf("%w: route %s captures %s twice", ErrRoute, pyRepr(p.Route), name)
		}
		seen[name] = true
		conv, ok := Converters[convName]
		if !ok {
			return fmt.Errorf("%w: route %s refers to converter %s, which does not exist (Django's are str, int, slug, uuid and path)", ErrRoute, pyRepr(p.Route), pyRepr(convName))
		}
		p.pieces = append(p.pieces, piece{name: name, conv: conv})
		rest = rest[loc[1]:]
	}
	if len(p.pieces) > 0 && p.pieces[0].conv == nil {
		p.literal = p.pieces[0].literal
	}
	var b strings.Builder
	b.WriteString(`\A`)
	for _, pc := range p.pieces {
		if pc.conv == nil {
			b.WriteString(regexp.QuoteMeta(pc.literal))
		} else {
			b.WriteString(`(?P<` + pc.name + `>` + pc.conv.Regex + `)`)
		}
		p.prefixes = append(p.prefixes, regexp.MustCompile(b.String()))
	}
	if endpoint {
		b.WriteString(`\z`)
	}
	p.re = regexp.MustCompile(b.String())
	return nil
}

// Describe is the pattern as Django's debug 404 page lists it:
// articles/<int:year>/ [name='articles-year'].
func (p *Pattern) Describe() string {
	s := p.Route
	if p.Include != nil && p.Include.Namespace != "" {
		s += " [namespace=" + pyRepr(p.Include.Namespace) + "]"
	}
	if p.Name != "" {
		s += " [name=" + pyRepr(p.Name) + "]"
	}
	return s
}

// whyNot says, in plain words, why path does not match p: the first piece
// of the route the path parts from.
func (p *Pattern) whyNot(path string) string {
	if p.Regex {
		return "the regex " + p.Route + " does not match " + pyRepr(path)
	}
	if !strings.HasPrefix(path, p.literal) {
		if path == "" {
			return fmt.Sprintf("the path ends where the pattern wants %s", pyRepr(p.literal))
		}
		if strings.HasPrefix(p.literal, path) {
			return fmt.Sprintf("the path %s ends before the pattern's %s does", pyRepr(path), pyRepr(p.literal))
		}
		return fmt.Sprintf("the pattern wants %s where the path has %s", pyRepr(p.literal), pyRepr(clip(path, len(p.literal))))
	}
	at, prevAt := 0, 0
	for i, pc := range p.pieces {
		loc := p.prefixes[i].FindStringIndex(path)
		if loc != nil {
			prevAt, at = at, loc[1]
			continue
		}
		rest := path[at:]
		if pc.conv == nil && i > 0 && p.pieces[i-1].conv != nil && p.pieces[i-1].conv.Name != "path" {
			// The converter before took a shorter run ("20" of "20x4"):
			// the reader wants to hear about the whole segment.
			prev := p.pieces[i-1]
			seg := path[prevAt:]
			if j := strings.IndexByte(seg, '/'); j >= 0 {
				seg = seg[:j]
			}
			if !prev.conv.re.MatchString(seg) {
				return fmt.Sprintf("%s is not %s (%s matches %s)", pyRepr(seg), article(prev.conv.Name), prev.conv.Name, prev.conv.Regex)
			}
		}
		if pc.conv == nil {
			if rest == "" {
				return fmt.Sprintf("the path ends where the pattern wants %s", pyRepr(pc.literal))
			}
			return fmt.Sprintf("the pattern wants %s where the path has %s", pyRepr(pc.literal), pyRepr(clip(rest, len(pc.literal))))
		}
		if rest == "" {
			return fmt.Sprintf("the path ends where <%s:%s> should be", pc.conv.Name, pc.name)
		}
		seg := rest
		if pc.conv.Name != "path" {
			if i := strings.IndexByte(seg, '/'); i >= 0 {
				seg = seg[:i]
			}
		}
		if seg == "" {
			return fmt.Sprintf("<%s:%s> would be empty: a converter needs at least one character", pc.conv.Name, pc.name)
		}
		return fmt.Sprintf("%s is not %s (%s matches %s)", pyRepr(seg), article(pc.conv.Name), pc.conv.Name, pc.conv.Regex)
	}
	return fmt.Sprintf("the path goes on after the pattern: %s is left over", pyRepr(path[at:]))
}

// clip returns the first n bytes of s, or s, whichever is shorter, plus
// the rest of a segment up to a slash so the reader sees a whole word.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n
	if i := strings.IndexByte(s[n:], '/'); i >= 0 && i < 32 {
		end = n + i + 1
	} else if i < 0 && len(s)-n < 32 {
		end = len(s)
	}
	return s[:end]
}

// article puts "a" or "an" before a converter's name.
func article(name string) string {
	if name == "int" {
		return "an int"
	}
	return "a " + name
}
