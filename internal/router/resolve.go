package router

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	Route   string   // the pattern with its include() prefixes, as Django's 404 page lists it
	Chain   []string // each level's route, outermost first: Resolver404's tried entry
	Name    string   // the namespaced name, if any
	Depth   int      // 0 for the root list, 1 inside an include(), ...
	Include bool     // an include() prefix, not an endpoint
	Matched bool
	Why     string // why it did not match, or what matching it did
	Line    int
}

// Capture is what one converter (or regex group) took from the path.
type Capture struct {
	Name      string // the keyword the view receives; "" for a positional argument
	Converter string // int, slug, ...; "regex" for re_path groups
	Regex     string
	Text      string // the characters taken from the path
	Value     string // what the view receives, as Python prints it
	Type      string // its Python type
	None      bool   // an optional group that did not take part: the view gets None
}

// Match is the pattern that matched and what it took from the path.
type Match struct {
	Route     string // Django's ResolverMatch.route: the include() prefixes and the route, joined
	Name      string // namespaced: blog:post (ResolverMatch.view_name)
	URLName   string // post (ResolverMatch.url_name)
	Namespace string // blog (ResolverMatch.namespace)
	View      *View
	Captures  []Capture // the keyword arguments, outer include()s first
	Args      []Capture // the positional arguments (re_path groups without a name)
	Pattern   *Pattern
}

// Result is one resolution: the path, every pattern tried, the match.
type Result struct {
	Path  string // what the patterns were matched against: PATH_INFO without its leading slash
	Tried []Tried
	Match *Match // nil: no pattern matched (a 404)
	// Notes say where Python's re would have read a pattern tried on this
	// path differently from Go's regexp.
	Notes []string
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

// Resolve finds the view for path (Django's request.path_info, with its
// leading slash), as Django's URLResolver.resolve does: patterns in order,
// first match wins, include() passes down what is left after its prefix.
// Every pattern tried is recorded with why it did not match.
func (c *URLConf) Resolve(path string) *Result {
	r := &Result{Path: strings.TrimPrefix(path, "/")}
	r.Match = c.resolve(c.Root, r.Path, nil, "", 0, r)
	return r
}

// Lookup finds the view for path as Resolve does, without recording the
// patterns tried: for a server that only needs the answer.
func (c *URLConf) Lookup(path string) *Match {
	return c.resolve(c.Root, strings.TrimPrefix(path, "/"), nil, "", 0, nil)
}

// match runs p on path as Django's RoutePattern.match and
// RegexPattern.match do, returning the submatch indexes or nil.
func (p *Pattern) match(path string) []int {
	// A path() route's leading text must match literally: checking it
	// first skips the regex for most patterns, with the same answer.
	if !p.Regex && !strings.HasPrefix(path, p.literal) {
		return nil
	}
	return p.re.FindStringSubmatchIndex(path)
}

func (c *URLConf) resolve(g *Group, path string, chain []string, ns string, depth int, r *Result) *Match {
	for _, p := range g.Patterns {
		here := append(append([]string(nil), chain...), p.Route)
		if r != nil && len(p.notes) > 0 && notesMatter(path) {
			for _, n := range p.notes {
				r.Notes = appendOnce(r.Notes, "re_path("+pyRepr(p.Route)+"): "+n)
			}
		}
		loc := p.match(path)
		if loc == nil {
			if r != nil {
				t := p.tried(here, ns, depth)
				t.Why = p.whyNot(path)
				r.Tried = append(r.Tried, t)
			}
			continue
		}
		kwargs, args := p.captures(path, loc)
		if p.Include != nil {
			rest := path[loc[1]:]
			if r != nil {
				t := p.tried(here, ns, depth)
				t.Matched = true
				t.Why = fmt.Sprintf("prefix %s matched; %s is passed down to the group", pyRepr(path[:loc[1]]), pyRepr(rest))
				r.Tried = append(r.Tried, t)
			}
			inner := ns
			if p.Include.Namespace != "" {
				inner = joinNS(ns, p.Include.Namespace)
			}
			m := c.resolve(p.Include, rest, here, inner, depth+1, r)
			if m == nil {
				continue
			}
			// Django's URLResolver.resolve: the prefix's keyword arguments
			// and the inner ones merged (the inner win); positional ones
			// are kept only when there is no keyword argument at all.
			merged := mergeKwargs(mergeKwargs(kwargs, defaultCaptures(p.Defaults)), m.Captures)
			if len(merged) == 0 {
				m.Args = append(args, m.Args...)
			}
			m.Captures = merged
			m.Route = djangoJoinRoute(p.Route, m.Route)
			return m
		}
		// URLPattern.resolve: the extra keyword arguments over the captured.
		m := &Match{Route: p.Route, View: p.View, Captures: mergeKwargs(kwargs, defaultCaptures(p.Defaults)), Args: args, Pattern: p, URLName: p.Name, Namespace: ns}
		if p.Name != "" {
			m.Name = joinNS(ns, p.Name)
		}
		if r != nil {
			t := p.tried(here, ns, depth)
			t.Matched = true
			t.Why = "matched"
			r.Tried = append(r.Tried, t)
		}
		return m
	}
	return nil
}

// notesMatter: Go's regexp and Python's re read the patterns the same on
// a path of ASCII without a newline; the notes are about the rest.
func notesMatter(path string) bool {
	for i := 0; i < len(path); i++ {
		if path[i] >= 0x80 || path[i] == '\n' {
			return true
		}
	}
	return false
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// mergeKwargs is Python's {**outer, **inner}: a name in both keeps its
// place and takes the inner value.
func mergeKwargs(outer, inner []Capture) []Capture {
	if len(outer) == 0 {
		return inner
	}
	out := append([]Capture(nil), outer...)
	for _, c := range inner {
		replaced := false
		for i := range out {
			if out[i].Name == c.Name {
				out[i], replaced = c, true
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}

// djangoJoinRoute is URLResolver._join_route: the routes concatenated,
// the inner one's leading ^ dropped.
func djangoJoinRoute(outer, inner string) string {
	if outer == "" {
		return inner
	}
	return outer + strings.TrimPrefix(inner, "^")
}

// tried starts the record of p being tried.
func (p *Pattern) tried(chain []string, ns string, depth int) Tried {
	t := Tried{Route: strings.Join(chain, " "), Chain: chain, Depth: depth, Include: p.Include != nil, Line: p.Line}
	if p.Name != "" {
		t.Name = joinNS(ns, p.Name)
	}
	return t
}

// captures converts what the regex took, as Django's converters do. It
// returns the keyword and the positional arguments.
func (p *Pattern) captures(path string, loc []int) (kwargs, args []Capture) {
	named := false
	for _, n := range p.names {
		if n != "" {
			named = true
		}
	}
	for i, name := range p.names {
		start, end := loc[2*i+2], loc[2*i+3]
		if p.Regex {
			// Django's RegexPattern.match: with any named group, the named
			// ones that took part are keyword arguments and the unnamed
			// ones are ignored; with none, every group is positional, one
			// that took no part as None.
			if start < 0 {
				if !named {
					args = append(args, Capture{Converter: "regex", Value: "None", Type: "NoneType", None: true})
				}
				continue
			}
			text := path[start:end]
			c := Capture{Name: name, Converter: "regex", Text: text, Value: pyRepr(text), Type: "str"}
			switch {
			case named && name != "":
				kwargs = append(kwargs, c)
			case !named:
				args = append(args, c)
			}
			continue
		}
		text := path[start:end]
		conv := p.converterFor(name)
		kwargs = append(kwargs, Capture{Name: name, Converter: conv.Name, Regex: conv.Regex, Text: text, Value: conv.ToPython(text), Type: conv.Type})
	}
	return kwargs, args
}

func (p *Pattern) converterFor(name string) *Converter {
	for _, pc := range p.pieces {
		if pc.name == name {
			return pc.conv
		}
	}
	return Converters["str"]
}

// Reverse builds the path of a named pattern from keyword arguments, as
// django.urls.reverse(name, kwargs=...) does.
func (c *URLConf) Reverse(name string, kwargs map[string]string) (string, error) {
	return c.reverse(name, nil, kwargs)
}

// ReverseArgs builds the path of a named pattern from positional
// arguments, as django.urls.reverse(name, args=...) does.
func (c *URLConf) ReverseArgs(name string, args []string) (string, error) {
	if args == nil {
		args = []string{}
	}
	return c.reverse(name, args, nil)
}

// candidate is one endpoint reverse() may build: the chain of patterns
// from the root to it.
type candidate []*Pattern

func (c *URLConf) reverse(name string, args []string, kwargs map[string]string) (string, error) {
	parts := strings.Split(name, ":")
	leaf := parts[len(parts)-1]
	g := c.Root
	var prefix []*Pattern
	for _, ns := range parts[:len(parts)-1] {
		chain, ok := findNamespace(g, ns)
		if !ok {
			return "", fmt.Errorf("%w: %s is not a registered namespace", ErrNoReverse, pyRepr(ns))
		}
		prefix = append(prefix, chain...)
		g = chain[len(chain)-1].Include
	}
	var cands []candidate
	collectNamed(g, leaf, prefix, &cands)
	// Django's _populate lists a resolver's patterns in reverse, so
	// reverse() tries the last pattern of a name first and takes the
	// first whose arguments fit.
	for i := len(cands) - 1; i >= 0; i-- {
		if u, ok := cands[i].build(args, kwargs); ok {
			return u, nil
		}
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("%w: Reverse for %s not found. %s is not a valid view function or pattern name (names here: %s)", ErrNoReverse, pyRepr(name), pyRepr(name), strings.Join(c.Names(), ", "))
	}
	var tried []string
	for i := len(cands) - 1; i >= 0; i-- {
		var b strings.Builder
		for _, p := range cands[i] {
			b.WriteString(strings.TrimPrefix(p.Route, "^"))
		}
		tried = append(tried, pyRepr(b.String()))
	}
	what := "no arguments"
	switch {
	case len(args) > 0:
		what = fmt.Sprintf("arguments %s", pyArgs(args))
	case len(kwargs) > 0:
		what = fmt.Sprintf("keyword arguments %s", pyKwargs(kwargs))
	}
	msg := fmt.Sprintf("Reverse for %s with %s not found. %d pattern(s) tried: [%s]", pyRepr(leaf), what, len(cands), strings.Join(tried, ", "))
	if hint := cands[len(cands)-1].hint(args, kwargs); hint != "" {
		msg += " (" + hint + ")"
	}
	return "", fmt.Errorf("%w: %s", ErrNoReverse, msg)
}

// hint says, in journey's words, why the arguments do not fit cand.
func (cand candidate) hint(args []string, kwargs map[string]string) string {
	var params []string
	conv := map[string]*Converter{}
	for _, p := range cand {
		if len(p.templates) == 0 {
			continue
		}
		for _, pc := range p.templates[0] {
			if pc.param != "" {
				params = append(params, pc.param)
			}
		}
		for _, pc := range p.pieces {
			if pc.conv != nil {
				conv[pc.name] = pc.conv
			}
		}
	}
	if args != nil {
		return fmt.Sprintf("it takes %d argument(s), %d given", len(params), len(args))
	}
	for _, p := range params {
		v, ok := kwargs[p]
		if !ok {
			return "it needs " + p
		}
		if cv := conv[p]; cv != nil {
			if _, err := cv.ToURL(v); err != nil {
				return err.Error()
			}
		}
	}
	for k := range kwargs {
		if !slices.Contains(params, k) {
			return "it was given " + k + ", which its route does not take"
		}
	}
	return ""
}

func pyArgs(args []string) string {
	var q []string
	for _, a := range args {
		q = append(q, pyRepr(a))
	}
	if len(q) == 1 {
		return "(" + q[0] + ",)"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

func pyKwargs(kw map[string]string) string {
	keys := make([]string, 0, len(kw))
	for k := range kw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var q []string
	for _, k := range keys {
		q = append(q, pyRepr(k)+": "+pyRepr(kw[k]))
	}
	return "{" + strings.Join(q, ", ") + "}"
}

// findNamespace finds the include() that registers namespace ns in g,
// looking through includes without a namespace as Django does: the first
// one with that namespace; or, when ns is an app_name that no instance
// uses as its namespace, the last instance of that app.
func findNamespace(g *Group, ns string) ([]*Pattern, bool) {
	var byNS, byApp [][]*Pattern
	var walk func(g *Group, chain []*Pattern)
	walk = func(g *Group, chain []*Pattern) {
		for _, p := range g.Patterns {
			if p.Include == nil {
				continue
			}
			here := append(append([]*Pattern(nil), chain...), p)
			if p.Include.Namespace == "" {
				walk(p.Include, here)
				continue
			}
			if p.Include.Namespace == ns {
				byNS = append(byNS, here)
			}
			if p.Include.AppName == ns {
				byApp = append(byApp, here)
			}
		}
	}
	walk(g, nil)
	if len(byNS) > 0 {
		return byNS[0], true
	}
	if len(byApp) > 0 {
		return byApp[len(byApp)-1], true
	}
	return nil, false
}

// collectNamed lists, in the order of the URL file, the endpoints named
// leaf in g and in the groups it includes without a namespace.
func collectNamed(g *Group, leaf string, chain []*Pattern, out *[]candidate) {
	for _, p := range g.Patterns {
		here := append(append([]*Pattern(nil), chain...), p)
		if p.Include != nil {
			if p.Include.Namespace == "" {
				collectNamed(p.Include, leaf, here, out)
			}
			continue
		}
		if p.Name == leaf {
			*out = append(*out, candidate(here))
		}
	}
}

// build fills the candidate's templates as _reverse_with_prefix does: the
// arguments must be exactly its parameters, the text must match the whole
// pattern, and the result is quoted with RFC 3986's pchar kept.
func (cand candidate) build(args []string, kwargs map[string]string) (string, bool) {
	variants := [][]revPiece{nil}
	var src strings.Builder
	src.WriteString(`\A/`)
	for _, p := range cand {
		if p.revErr != nil {
			return "", false
		}
		if len(variants)*len(p.templates) > maxVariants {
			return "", false // more variants than any real pattern has
		}
		var next [][]revPiece
		for _, v := range variants {
			for _, t := range p.templates {
				next = append(next, append(append([]revPiece(nil), v...), t...))
			}
		}
		variants = next
		src.WriteString(p.revSrc)
	}
	check, err := regexp.Compile(src.String())
	if err != nil {
		return "", false
	}
	defaults := map[string]string{}
	for _, p := range cand {
		for _, d := range p.Defaults {
			defaults[d.Key] = d.Repr
		}
	}
	for _, v := range variants {
		var params []string
		seen := map[string]bool{}
		dup := false
		for _, pc := range v {
			if pc.param != "" {
				dup = dup || seen[pc.param]
				seen[pc.param] = true
				params = append(params, pc.param)
			}
		}
		if dup {
			// The prefixes and the route capture the same name twice:
			// Python's re refuses the joined pattern, so Django cannot
			// reverse it (it raises re.error).
			continue
		}
		subs := map[string]string{}
		if args != nil {
			if len(args) != len(params) {
				continue
			}
			for i, p := range params {
				subs[p] = args[i]
			}
		} else {
			// set(kwargs) ^ set(params) - set(defaults) must be empty, and
			// a default given must be given its own value.
			fits := true
			isParam := map[string]bool{}
			for _, p := range params {
				isParam[p] = true
				val, ok := kwargs[p]
				if !ok {
					if _, d := defaults[p]; !d {
						fits = false
					}
					continue
				}
				subs[p] = val
			}
			for k, v := range kwargs {
				d, isDefault := defaults[k]
				if !isParam[k] && !isDefault {
					fits = false
				}
				if isDefault && pyRepr(v) != d {
					fits = false
				}
			}
			for k, d := range defaults {
				if v, ok := kwargs[k]; ok && pyRepr(v) != d {
					fits = false
				}
			}
			if !fits {
				continue
			}
		}
		var b strings.Builder
		b.WriteString("/")
		for _, pc := range v {
			if pc.param != "" {
				b.WriteString(subs[pc.param])
			} else {
				b.WriteString(pc.lit)
			}
		}
		text := b.String()
		if !check.MatchString(text) {
			continue
		}
		return escapeLeadingSlashes(Quote(text, "!$&'()*+,;=/~:@")), true
	}
	return "", false
}

// Quote is Python's urllib.parse.quote: UTF-8 bytes percent-encoded,
// except letters, digits, _.-~ and the safe characters. Django and the
// WSGI servers quote with it, so the gateway does too.
func Quote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// escapeLeadingSlashes is django.utils.http.escape_leading_slashes: a
// URL starting with // would be scheme-relative, another host.
func escapeLeadingSlashes(u string) string {
	if strings.HasPrefix(u, "//") {
		return "/%2F" + u[2:]
	}
	return u
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
