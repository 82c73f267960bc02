package router

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// URLConf is a whole URL configuration: the root urlpatterns and every
// group it includes, compiled.
type URLConf struct {
	Name  string // "the demo site" or the file's name, for the 404 page
	Root  *Group
	names map[string][]*Pattern // "blog:post" -> the include() chain ending in the named pattern
	seen  int                   // patterns visited while compiling, include()s expanded
}

// Tried is one pattern the resolver tried, in order.
type Tried struct {
	Route   string // the pattern with its include() prefixes, as Django's 404 page lists it
	Name    string // the namespaced name, if any
	Depth   int    // 0 for the root list, 1 inside an include(), ...
	Include bool   // an include() prefix, not an endpoint
	Matched bool
	Why     string // why it did not match, or what matching it did
	Line    int
}

// Capture is what one converter (or regex group) took from the path.
type Capture struct {
	Name      string // the keyword the view receives
	Converter string // int, slug, ...; "regex" for re_path groups
	Regex     string
	Text      string // the characters taken from the path
	Value     string // what the view receives, as Python prints it
	Type      string // its Python type
}

// Match is the pattern that matched and what it took from the path.
type Match struct {
	Route    string // with include() prefixes
	Name     string // namespaced: blog:post
	View     *View
	Captures []Capture // every keyword argument, outer include()s first
	Args     []string  // positional arguments (re_path groups without a name)
	Pattern  *Pattern
}

// Result is one resolution: the path, every pattern tried, the match.
type Result struct {
	Path  string // what the patterns were matched against: PATH_INFO without its leading slash
	Tried []Tried
	Match *Match // nil: no pattern matched (a 404)
}

// New compiles root and every group it includes into a URLConf.
func New(name string, root *Group) (*URLConf, error) {
	c := &URLConf{Name: name, Root: root, names: map[string][]*Pattern{}}
	if err := c.walk(root, nil, "", 0); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *URLConf) walk(g *Group, chain []*Pattern, ns string, depth int) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%w: include() is nested more than %d deep (does a group include itself?)", ErrRoute, maxIncludeDepth)
	}
	for _, p := range g.Patterns {
		c.seen++
		if c.seen > maxExpanded {
			return fmt.Errorf("%w: with its include()s expanded the configuration has more than %d patterns (a group included many times over?)", ErrRoute, maxExpanded)
		}
		if p.re == nil {
			if err := p.compile(); err != nil {
				return lineErr(p.Line, err)
			}
		}
		here := append(append([]*Pattern(nil), chain...), p)
		if p.Include != nil {
			inner := ns
			if p.Include.Namespace != "" {
				inner = joinNS(ns, p.Include.Namespace)
			}
			if err := c.walk(p.Include, here, inner, depth+1); err != nil {
				var le *LineError
				if !errors.As(err, &le) {
					return lineErr(p.Line, err)
				}
				return err
			}
			continue
		}
		if p.Name != "" {
			full := joinNS(ns, p.Name)
			if _, dup := c.names[full]; !dup { // Django's reverse() finds the first
				c.names[full] = here
			}
		}
	}
	return nil
}

func joinNS(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + ":" + name
}

// lineErr prefixes err with a URL-file line, when there is one.
func lineErr(line int, err error) error {
	if line == 0 {
		return err
	}
	return &LineError{Line: line, Err: err}
}

// Resolve finds the view for path (PATH_INFO, with its leading slash), as
// Django's URLResolver.resolve does: patterns in order, first match wins,
// include() passes down what is left after its prefix. Every pattern tried
// is recorded with why it did not match.
func (c *URLConf) Resolve(path string) *Result {
	r := &Result{Path: strings.TrimPrefix(path, "/")}
	r.Match = c.resolve(c.Root, r.Path, "", "", nil, 0, r)
	return r
}

// Lookup finds the view for path as Resolve does, without recording the
// patterns tried: for a server that only needs the answer.
func (c *URLConf) Lookup(path string) *Match {
	return c.resolve(c.Root, strings.TrimPrefix(path, "/"), "", "", nil, 0, nil)
}

func (c *URLConf) resolve(g *Group, path, prefix, ns string, outer []Capture, depth int, r *Result) *Match {
	for _, p := range g.Patterns {
		var loc []int
		// A path() route's leading text must match literally: checking it
		// first skips the regex for most patterns, with the same answer.
		if strings.HasPrefix(path, p.literal) {
			loc = p.re.FindStringSubmatchIndex(path)
		}
		if loc == nil {
			if r != nil {
				t := p.tried(prefix, ns, depth)
				t.Why = p.whyNot(path)
				r.Tried = append(r.Tried, t)
			}
			continue
		}
		route := joinRoute(prefix, p.Route)
		caps, args := p.captures(path, loc)
		all := caps
		if len(outer) > 0 {
			all = append(append([]Capture(nil), outer...), caps...)
		}
		if p.Include != nil {
			rest := path[loc[1]:]
			if r != nil {
				t := p.tried(prefix, ns, depth)
				t.Matched = true
				t.Why = fmt.Sprintf("prefix %s matched; %s is passed down to the group", pyRepr(path[:loc[1]]), pyRepr(rest))
				r.Tried = append(r.Tried, t)
			}
			inner := ns
			if p.Include.Namespace != "" {
				inner = joinNS(ns, p.Include.Namespace)
			}
			if m := c.resolve(p.Include, rest, route, inner, all, depth+1, r); m != nil {
				return m
			}
			continue
		}
		name := ""
		if p.Name != "" {
			name = joinNS(ns, p.Name)
		}
		if r != nil {
			t := p.tried(prefix, ns, depth)
			t.Matched = true
			t.Why = "matched"
			r.Tried = append(r.Tried, t)
		}
		return &Match{Route: route, Name: name, View: p.View, Captures: all, Args: args, Pattern: p}
	}
	return nil
}

// joinRoute joins include() levels with a space, as Django's 404 page does.
func joinRoute(prefix, route string) string {
	if prefix == "" {
		return route
	}
	return prefix + " " + route
}

// tried starts the record of p being tried.
func (p *Pattern) tried(prefix, ns string, depth int) Tried {
	t := Tried{Route: joinRoute(prefix, p.Route), Depth: depth, Include: p.Include != nil, Line: p.Line}
	if p.Name != "" {
		t.Name = joinNS(ns, p.Name)
	}
	return t
}

// captures converts what the regex took, as Django's converters do.
func (p *Pattern) captures(path string, loc []int) ([]Capture, []string) {
	var caps []Capture
	var args []string
	names := p.re.SubexpNames()
	named := false
	for _, n := range names[1:] {
		if n != "" {
			named = true
		}
	}
	for i := 1; i < len(names); i++ {
		if loc[2*i] < 0 {
			continue
		}
		text := path[loc[2*i]:loc[2*i+1]]
		if p.Regex {
			// Django: named groups become keyword arguments and unnamed
			// ones are then ignored; with no named group, positional.
			if named {
				if names[i] != "" {
					caps = append(caps, Capture{Name: names[i], Converter: "regex", Text: text, Value: pyRepr(text), Type: "str"})
				}
			} else {
				args = append(args, text)
			}
			continue
		}
		conv := p.converterFor(names[i])
		caps = append(caps, Capture{Name: names[i], Converter: conv.Name, Regex: conv.Regex, Text: text, Value: conv.ToPython(text), Type: conv.Type})
	}
	return caps, args
}

func (p *Pattern) converterFor(name string) *Converter {
	for _, pc := range p.pieces {
		if pc.name == name {
			return pc.conv
		}
	}
	return Converters["str"]
}

// Reverse builds the path of a named pattern, as django.urls.reverse does:
// "blog:post" with its keyword arguments. Values are checked by their
// converters and percent-encoded.
func (c *URLConf) Reverse(name string, kwargs map[string]string) (string, error) {
	chain, ok := c.names[name]
	if !ok {
		known := make([]string, 0, len(c.names))
		for n := range c.names {
			known = append(known, n)
		}
		sort.Strings(known)
		return "", fmt.Errorf("%w: %s is not a valid view function or pattern name (names here: %s)", ErrNoReverse, pyRepr(name), strings.Join(known, ", "))
	}
	var b strings.Builder
	b.WriteString("/")
	used := map[string]bool{}
	for _, p := range chain {
		if p.Regex {
			return "", fmt.Errorf("%w: %s goes through re_path(%s); this program reverses path() routes only", ErrNoReverse, pyRepr(name), pyRepr(p.Route))
		}
		for _, pc := range p.pieces {
			if pc.conv == nil {
				b.WriteString(pc.literal)
				continue
			}
			v, ok := kwargs[pc.name]
			if !ok {
				return "", fmt.Errorf("%w: reverse for %s needs %s (its route is %s)", ErrNoReverse, pyRepr(name), pc.name, pyRepr(p.Route))
			}
			text, err := pc.conv.ToURL(v)
			if err != nil {
				return "", fmt.Errorf("%w: reverse for %s: %w", ErrNoReverse, pyRepr(name), err)
			}
			used[pc.name] = true
			if pc.conv.Name == "path" {
				b.WriteString((&url.URL{Path: text}).EscapedPath())
			} else {
				b.WriteString(url.PathEscape(text))
			}
		}
	}
	for k := range kwargs {
		if !used[k] {
			return "", fmt.Errorf("%w: reverse for %s was given %s, which its route does not take", ErrNoReverse, pyRepr(name), k)
		}
	}
	return b.String(), nil
}

// Names lists every pattern name reverse() knows, sorted.
func (c *URLConf) Names() []string {
	out := make([]string, 0, len(c.names))
	for n := range c.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// NotFound is the text of Django's debug 404 page for r: the patterns
// tried, in order, and the path that matched none of them. Include()
// prefixes that matched are listed through their patterns, as Django does.
func (c *URLConf) NotFound(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Page not found (404)\n\nRequest path: /%s\n\n", r.Path)
	fmt.Fprintf(&b, "Using the URLconf defined in %s, Django tried these URL patterns, in this order:\n\n", c.Name)
	n := 0
	for _, t := range r.Tried {
		if t.Include && t.Matched {
			continue
		}
		n++
		line := t.Route
		if t.Name != "" {
			short := t.Name[strings.LastIndexByte(t.Name, ':')+1:]
			line += " [name=" + pyRepr(short) + "]"
		}
		fmt.Fprintf(&b, "    %d. %s\n", n, line)
	}
	fmt.Fprintf(&b, "\nThe current path, %s, didn't match any of these.\n\n", r.Path)
	b.WriteString("You're seeing this error because you have DEBUG = True in your Django settings file.\n")
	b.WriteString("Change that to False, and Django will display a standard 404 page.\n")
	return b.String()
}
