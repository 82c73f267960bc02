// Package router owns URL routing with Django's semantics (those of Django
// 5.2): path() patterns with converters, re_path() regex patterns (Python's
// syntax, translated to Go's regexp where they differ: pyregex.go),
// include() groups under a prefix, names and namespaces, reverse(), and
// the list of patterns tried that Django's debug 404 page shows. It also
// reads URL configuration files, which Django itself loads too
// (urlconf.go), and holds the demo site (demo.go). It describes views but
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
	Func   string   // template, json, redirect, static, environ, form, error, stream, ansi
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
	// Defaults are the extra keyword arguments of path("x/", view,
	// {"key": "value"}): the view receives them, over what the path gave.
	Defaults []Default

	literal   string         // path(): the route's text before its first converter
	re        *regexp.Regexp // the whole pattern, anchored as Django anchors it
	loose     *regexp.Regexp // re_path() with fullmatch: the regex as re.search would run it
	names     []string       // names[i] is group i+1's name ("" for an unnamed one)
	revSrc    string         // the pattern for reverse()'s check: Go syntax, no leading ^
	templates [][]revPiece   // what reverse() fills in
	revErr    error          // why reverse() cannot use this pattern
	notes     []string       // where Go's regexp differs from Python's re here
	pieces    []piece        // path(): the literal text and converters in order
	prefixes  []*regexp.Regexp
}

// Default is one extra keyword argument a pattern gives its view.
type Default struct {
	Key  string
	Text string // as written: value, 42, True
	Repr string // as Python prints it: 'value', 42, True
	Type string // str, int or bool
}

// capture is the default as the view receives it.
func (d Default) capture() Capture {
	return Capture{Name: d.Key, Converter: "kwargs", Text: d.Text, Value: d.Repr, Type: d.Type}
}

func defaultCaptures(ds []Default) []Capture {
	var out []Capture
	for _, d := range ds {
		out = append(out, d.capture())
	}
	return out
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

// converterRef is Django's _PATH_PARAMETER_COMPONENT_RE.
var converterRef = regexp.MustCompile(`<(?:([^>:]+):)?([^>]+)>`)
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// compile turns p.Route into the regexes matching it, as Django's
// RoutePattern and RegexPattern do. endpoint is false for include().
func (p *Pattern) compile() error {
	p.loose = nil
	p.literal, p.re, p.names, p.revSrc, p.templates, p.revErr, p.notes, p.pieces, p.prefixes = "", nil, nil, "", nil, nil, nil, nil, nil
	endpoint := p.Include == nil
	if p.Regex {
		return p.compileRegex(endpoint)
	}
	rest := p.Route
	seen := map[string]bool{}
	for rest != "" {
		loc := converterRef.FindStringSubmatchIndex(rest)
		if loc == nil {
			p.pieces = append(p.pieces, piece{literal: rest})
			break
		}
		if strings.ContainsAny(rest[loc[0]:loc[1]], " \t\r\n\v\f") {
			return fmt.Errorf("%w: route %s has whitespace in angle brackets <...>, which Django refuses", ErrRoute, pyRepr(p.Route))
		}
		if loc[0] > 0 {
			p.pieces = append(p.pieces, piece{literal: rest[:loc[0]]})
		}
		convName := "str" // Django's default converter
		if loc[2] >= 0 {
			convName = rest[loc[2]:loc[3]]
		}
		name := rest[loc[4]:loc[5]]
		if !isIdentifier(name) {
			return fmt.Errorf("%w: route %s uses parameter name %s, which is not a valid Python identifier", ErrRoute, pyRepr(p.Route), pyRepr(name))
		}
		if seen[name] {
			return fmt.Errorf("%w: route %s captures %s twice (Python's re refuses a group name used twice)", ErrRoute, pyRepr(p.Route), name)
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
	var tmpl []revPiece
	for _, pc := range p.pieces {
		if pc.conv == nil {
			b.WriteString(regexp.QuoteMeta(pc.literal))
			tmpl = append(tmpl, revPiece{lit: pc.literal})
		} else {
			b.WriteString(`(` + pc.conv.Regex + `)`)
			p.names = append(p.names, pc.name)
			tmpl = append(tmpl, revPiece{param: pc.name})
		}
		p.prefixes = append(p.prefixes, regexp.MustCompile(`\A`+b.String()))
	}
	if endpoint {
		b.WriteString(`\z`)
	}
	p.revSrc = b.String()
	p.templates = [][]revPiece{tmpl}
	p.re = regexp.MustCompile(`\A` + b.String())
	return nil
}

// compileRegex compiles a re_path() regex as Django's RegexPattern does:
// re.search anywhere in the path, except that an endpoint whose regex
// ends in $ must match the whole of what is left (fullmatch).
func (p *Pattern) compileRegex(endpoint bool) error {
	tr, err := translateRegex(p.Route)
	if err == nil {
		p.re, err = regexp.Compile(tr.src)
	}
	if err == nil && endpoint && strings.HasSuffix(p.Route, "$") {
		p.loose = p.re
		p.re, err = regexp.Compile(`\A(?:` + tr.src + `)\z`)
	}
	if err != nil {
		if errors.Is(err, ErrUnsupportedRegex) {
			return fmt.Errorf("%w: re_path(%s): Django accepts this, but journey's regexp engine (Go's RE2) cannot run it: %w", ErrRoute, pyRepr(p.Route), err)
		}
		return fmt.Errorf("%w: re_path(%s) is not a valid regular expression: %w", ErrRoute, pyRepr(p.Route), err)
	}
	p.names, p.notes = tr.names, tr.notes
	p.revSrc = strings.TrimPrefix(tr.src, "^")
	p.templates, p.revErr = normalize(p.Route)
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
		why := "the regex " + p.Route + " does not match " + pyRepr(path)
		if p.loose != nil && p.loose.MatchString(path) {
			why += " as a whole: it ends in $, so Django requires the whole remaining path to match (fullmatch), from its first character"
		}
		return why
	}
	if strings.HasPrefix(p.Route, "/") && !strings.HasPrefix(path, "/") {
		return fmt.Sprintf("the route starts with '/', but the path it is matched against never does (Django strips the leading slash; its check warns, urls.W002): remove the slash from %s", pyRepr(p.Route))
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
