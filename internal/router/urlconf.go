package router

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of a URL configuration file: it is typed by a person, so these are
// far above any real site and only stop a runaway file.
const (
	// MaxFileSize bounds a URL file; Django's largest urls.py files are a
	// few tens of kilobytes.
	MaxFileSize = 1 << 20
	// MaxPatterns bounds the patterns of one file.
	MaxPatterns = 10000
	// MaxStaticSize bounds one static() file, read at load time and kept
	// in memory: larger than any teaching image.
	MaxStaticSize = 1 << 20
)

// LineError is a problem on one line of a URL file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// ErrSyntax marks a URL file that is not in the format.
var ErrSyntax = errors.New("syntax error")

// Views are the built-in views a URL file can point patterns at, with the
// arguments each takes.
var Views = map[string]string{
	"template": `template("<h1>Articles from {{ year }}</h1>"): an HTML page; {{ name }} shows a captured value, escaped as Django's templates escape`,
	"json":     `json() or json('{"status": "ok"}'): a JSON response with the captured values added`,
	"redirect": `redirect("name", key="value") or redirect("/url/"): a 302 to a URL or to reverse() of a pattern name`,
	"static":   `static("logo.png"): a file in the URL file's directory, never outside it (or, when there is none, the demo site's file of that name), sent as it is (binary)`,
	"environ":  `environ(): echo the WSGI environment the view received`,
	"form":     `form("/echo/"): a page with a form posting to that URL, carrying Django's CSRF token (and setting the csrftoken cookie)`,
	"error":    `error("division by zero"): the view raises ZeroDivisionError, or Exception(message) for any other message (the 500 lesson)`,
	"stream":   `stream("first piece", "second piece", ...): a StreamingHttpResponse sending each argument as it comes, without Content-Length, 150 ms apart (the chunked lesson)`,
	"ansi":     `ansi(): a response whose header and body hold terminal escape sequences and a bidi override (the hostile-text lesson)`,
}

// viewNames lists the built-in views for error messages, in the order a
// reader meets them.
const viewNames = "template, json, redirect, static, environ, form, error, stream and ansi"

// ParseFile reads a URL configuration file. static() files are read from
// its directory.
func ParseFile(path string) (*URLConf, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the URL file: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the URL file %s: %w", path, err)
	}
	if len(src) > MaxFileSize {
		return nil, fmt.Errorf("the URL file %s is larger than %d bytes", path, MaxFileSize)
	}
	// os.Root, not os.DirFS: a static() name that is a symlink (or goes
	// through one) to outside the URL file's directory must not be read,
	// or a shared URL file could serve /etc/passwd to every client of the
	// lab.
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("opening the URL file's directory: %w", err)
	}
	defer root.Close()
	return Parse(path, src, root.FS())
}

// Parse reads a URL configuration in the format of Django's urls.py:
//
//	urlpatterns = [
//	    path("articles/<int:year>/", template("<h1>{{ year }}</h1>"), name="articles-year"),
//	    path("blog/", include("blog")),
//	]
//
//	app_name = "blog"
//	urlpatterns = [
//	    path("<slug:slug>/", template("{{ slug }}"), name="post"),
//	]
//
// The first urlpatterns is the site's; each app_name starts a group that
// include() names. Lines starting with from or import, and # comments, are
// ignored, so a real urls.py's header does no harm. name is the file's
// name for errors; files holds static() files (nil: none).
func Parse(name string, src []byte, files fs.FS) (*URLConf, error) {
	p := &parser{file: name, files: files, groups: map[string]*Group{}, lists: map[string]*Group{}}
	conf, err := p.parse(src)
	if err != nil {
		var le *LineError
		if errors.As(err, &le) && le.File == "" {
			le.File = name
		}
		return nil, err
	}
	return conf, nil
}

type parser struct {
	file     string
	files    fs.FS
	toks     []token
	pos      int
	groups   map[string]*Group
	order    []*Group
	includes []pendingInclude
	count    int
	lists    map[string]*Group // name = [...]: pattern lists include() takes
}

type pendingInclude struct {
	p     *Pattern
	group string // the app_name of a group of the older format: include("blog")
	list  string // the variable of a list: include(blog_patterns) or include((blog_patterns, "blog"))
	app   string // the app_name given with the list
	ns    string
	line  int
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &LineError{File: p.file, Line: line, Err: fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, args...)...)}
}

func (p *parser) parse(src []byte) (*URLConf, error) {
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("the URL file %s is not UTF-8 text", p.file)
	}
	toks, err := tokenize(string(src))
	if err != nil {
		return nil, err
	}
	p.toks = toks
	var cur *Group
	root := &Group{}
	sawRoot := false
	for !p.at(tEOF, "") {
		t := p.next()
		if t.kind != tIdent {
			return nil, p.errf(t.line, "expected urlpatterns = [...] or app_name = \"...\", found %s", t)
		}
		if _, err := p.expect(tPunct, "="); err != nil {
			return nil, err
		}
		switch t.text {
		case "app_name":
			s, err := p.expect(tString, "")
			if err != nil {
				return nil, err
			}
			if !identifier.MatchString(s.text) {
				return nil, p.errf(s.line, "app_name %s is not a valid name (letters, digits, _)", pyRepr(s.text))
			}
			if !sawRoot {
				// An app's own urls.py starts with app_name, then its
				// urlpatterns: as the site's URL file, Django ignores the
				// app_name (the root has no namespace).
				continue
			}
			if _, dup := p.groups[s.text]; dup {
				return nil, p.errf(s.line, "app_name %s is declared twice", pyRepr(s.text))
			}
			cur = &Group{AppName: s.text, Namespace: s.text, parsedLine: s.line}
			p.groups[s.text] = cur
			p.order = append(p.order, cur)
		case "urlpatterns":
			g := cur
			if g == nil {
				if sawRoot {
					return nil, p.errf(t.line, "a second urlpatterns without an app_name before it: start each included group with app_name = \"...\"")
				}
				g, sawRoot = root, true
			} else if g.Patterns != nil {
				return nil, p.errf(t.line, "app_name %s already has its urlpatterns", pyRepr(g.AppName))
			}
			pats, err := p.patternList()
			if err != nil {
				return nil, err
			}
			g.Patterns = pats
			if g.Patterns == nil {
				g.Patterns = []*Pattern{}
			}
		default:
			if !p.at(tPunct, "[") {
				return nil, p.errf(t.line, "unknown setting %s: a URL file has urlpatterns = [...], lists of patterns for include() (blog_patterns = [...]) and app_name = \"...\"", t.text)
			}
			// A list of patterns for include(), as a Python variable.
			line := t.line
			pats, err := p.patternList()
			if err != nil {
				return nil, err
			}
			if pats == nil {
				pats = []*Pattern{}
			}
			p.lists[t.text] = &Group{Patterns: pats, parsedLine: line}
		}
	}
	if !sawRoot {
		return nil, &LineError{File: p.file, Line: 1, Err: fmt.Errorf("%w: no urlpatterns = [...]: the site's own patterns are missing", ErrSyntax)}
	}
	for _, g := range p.order {
		if g.Patterns == nil {
			return nil, p.errf(g.parsedLine, "app_name %s has no urlpatterns after it", pyRepr(g.AppName))
		}
	}
	for _, inc := range p.includes {
		if inc.list != "" {
			g, ok := p.lists[inc.list]
			if !ok || g.parsedLine > inc.line {
				return nil, p.errf(inc.line, "include(%s): name %s is not defined before this line (Python reads the file from the top: define %s = [...] above)", inc.list, pyRepr(inc.list), inc.list)
			}
			cp := *g
			cp.AppName, cp.Namespace = inc.app, inc.app
			if inc.ns != "" {
				cp.Namespace = inc.ns
			}
			inc.p.Include = &cp
			continue
		}
		g, ok := p.groups[inc.group]
		if !ok {
			return nil, p.errf(inc.line, "include(%s): no app_name = %s in this file", pyRepr(inc.group), pyRepr(inc.group))
		}
		if inc.ns != "" {
			// namespace= gives this inclusion its own namespace, as Django's
			// include(..., namespace=) does: share the patterns, not the name.
			cp := *g
			cp.Namespace = inc.ns
			g = &cp
		}
		inc.p.Include = g
	}
	conf, err := New(p.file, root)
	if err != nil {
		var le *LineError
		if errors.As(err, &le) {
			le.File = p.file
			return nil, le
		}
		return nil, &LineError{File: p.file, Line: 1, Err: err}
	}
	return conf, nil
}

// patternList reads [ call, call, ... ].
func (p *parser) patternList() ([]*Pattern, error) {
	if _, err := p.expect(tPunct, "["); err != nil {
		return nil, err
	}
	var out []*Pattern
	for {
		if p.at(tPunct, "]") {
			p.next()
			return out, nil
		}
		c, err := p.call()
		if err != nil {
			return nil, err
		}
		pat, err := p.pattern(c)
		if err != nil {
			return nil, err
		}
		p.count++
		if p.count > MaxPatterns {
			return nil, p.errf(c.line, "more than %d patterns", MaxPatterns)
		}
		out = append(out, pat)
		if p.at(tPunct, ",") {
			p.next()
			continue
		}
		if !p.at(tPunct, "]") {
			t := p.next()
			return nil, p.errf(t.line, "expected ',' or ']' after %s(...), found %s", c.name, t)
		}
	}
}

// call is a parsed name(arg, key=arg).
type call struct {
	name   string
	line   int
	args   []value
	kwargs []kwarg
}

type value struct {
	str   *string
	num   bool // str holds a number, True or False, not a string
	call  *call
	name  string  // a bare Python name: a list of patterns
	tuple []value // (a, b)
	dict  []Default
	isMap bool
	line  int
}

type kwarg struct {
	key string
	val value
}

func (p *parser) call() (*call, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, p.errf(t.line, "expected path(...), re_path(...) or a view, found %s", t)
	}
	c := &call{name: t.text, line: t.line}
	if _, err := p.expect(tPunct, "("); err != nil {
		return nil, err
	}
	for !p.at(tPunct, ")") {
		var key string
		if p.peek().kind == tIdent && p.peekAt(1).kind == tPunct && p.peekAt(1).text == "=" {
			key = p.next().text
			p.next()
		} else if len(c.kwargs) > 0 {
			return nil, p.errf(p.peek().line, "%s(): a positional argument follows a keyword argument", c.name)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if key != "" {
			c.kwargs = append(c.kwargs, kwarg{key, v})
		} else {
			c.args = append(c.args, v)
		}
		if p.at(tPunct, ",") {
			p.next()
			continue
		}
		if !p.at(tPunct, ")") {
			t := p.next()
			return nil, p.errf(t.line, "%s(): expected ',' or ')', found %s", c.name, t)
		}
	}
	p.next()
	return c, nil
}

func (p *parser) value() (value, error) {
	t := p.peek()
	switch t.kind {
	case tString, tNumber:
		p.next()
		s := t.text
		return value{str: &s, num: t.kind == tNumber, line: t.line}, nil
	case tIdent:
		if t.text == "True" || t.text == "False" {
			p.next()
			s := t.text
			return value{str: &s, num: true, line: t.line}, nil
		}
		if n := p.peekAt(1); n.kind != tPunct || n.text != "(" {
			p.next()
			return value{name: t.text, line: t.line}, nil
		}
		c, err := p.call()
		if err != nil {
			return value{}, err
		}
		return value{call: c, line: t.line}, nil
	}
	if t.kind == tPunct && t.text == "{" {
		// A dict of extra keyword arguments: {"key": "value", "n": 1}.
		p.next()
		v := value{isMap: true, line: t.line}
		for !p.at(tPunct, "}") {
			k, err := p.expect(tString, "")
			if err != nil {
				return value{}, err
			}
			if _, err := p.expect(tPunct, ":"); err != nil {
				return value{}, err
			}
			val, err := p.value()
			if err != nil {
				return value{}, err
			}
			if val.str == nil {
				return value{}, p.errf(val.line, "a dict of keyword arguments holds strings, numbers, True or False")
			}
			d := Default{Key: k.text, Text: *val.str, Repr: *val.str, Type: "int"}
			switch {
			case !val.num:
				d.Repr, d.Type = pyRepr(*val.str), "str"
			case *val.str == "True" || *val.str == "False":
				d.Type = "bool"
			}
			v.dict = append(v.dict, d)
			if p.at(tPunct, ",") {
				p.next()
				continue
			}
			if !p.at(tPunct, "}") {
				n := p.next()
				return value{}, p.errf(n.line, "expected ',' or '}' in a dict, found %s", n)
			}
		}
		p.next()
		return v, nil
	}
	if t.kind == tPunct && t.text == "(" {
		p.next()
		var items []value
		for !p.at(tPunct, ")") {
			v, err := p.value()
			if err != nil {
				return value{}, err
			}
			items = append(items, v)
			if p.at(tPunct, ",") {
				p.next()
				continue
			}
			if !p.at(tPunct, ")") {
				n := p.next()
				return value{}, p.errf(n.line, "expected ',' or ')' in a tuple, found %s", n)
			}
		}
		p.next()
		return value{tuple: items, line: t.line}, nil
	}
	p.next()
	return value{}, p.errf(t.line, "expected a string, a number or a call, found %s", t)
}

// pattern turns path(...) / re_path(...) into a Pattern.
func (p *parser) pattern(c *call) (*Pattern, error) {
	if c.name != "path" && c.name != "re_path" {
		return nil, p.errf(c.line, "%s(...) in urlpatterns: only path(...) and re_path(...) go here", c.name)
	}
	if len(c.args) != 2 && !(len(c.args) == 3 && c.args[2].isMap) {
		return nil, p.errf(c.line, "%s() takes a route, a view and, if you like, a dict of extra keyword arguments: %s(\"route/\", view, {\"key\": \"value\"}, name=\"...\")", c.name, c.name)
	}
	route := c.args[0].str
	if route == nil {
		return nil, p.errf(c.line, "%s(): the route must be a string", c.name)
	}
	pat := &Pattern{Route: *route, Regex: c.name == "re_path", Line: c.line}
	if len(c.args) == 3 {
		pat.Defaults = c.args[2].dict
	}
	for _, kw := range c.kwargs {
		switch {
		case kw.key == "name" && kw.val.str != nil:
			pat.Name = *kw.val.str
		case kw.key == "kwargs" && kw.val.isMap:
			pat.Defaults = kw.val.dict
		default:
			return nil, p.errf(c.line, "%s(): unknown argument %s (only kwargs={...} and name=\"...\")", c.name, kw.key)
		}
	}
	vc := c.args[1].call
	if vc == nil {
		if n := c.args[1].name; n != "" {
			return nil, p.errf(c.line, "%s: a URL file cannot import Python views; use a built-in view such as template(\"...\") (the built-in views are %s)", n, viewNames)
		}
		return nil, p.errf(c.line, "%s(): the view must be a call such as template(\"...\") or include(blog_patterns)", c.name)
	}
	if vc.name == "include" {
		usage := "include() takes a list of patterns defined above, with its app_name for a namespace: include((blog_patterns, \"blog\"))"
		if len(vc.args) != 1 {
			return nil, p.errf(vc.line, "%s", usage)
		}
		if pat.Name != "" {
			return nil, p.errf(c.line, "an include() pattern takes no name= (name the patterns inside it)")
		}
		inc := pendingInclude{p: pat, line: vc.line}
		switch a := vc.args[0]; {
		case a.str != nil:
			inc.group = *a.str // the older one-file format: a group starting app_name = "blog"
		case a.name != "":
			inc.list = a.name
		case len(a.tuple) == 2 && a.tuple[0].name != "" && a.tuple[1].str != nil:
			inc.list, inc.app = a.tuple[0].name, *a.tuple[1].str
		default:
			return nil, p.errf(vc.line, "%s", usage)
		}
		for _, kw := range vc.kwargs {
			if kw.key != "namespace" || kw.val.str == nil {
				return nil, p.errf(vc.line, "include(): unknown argument %s (only namespace=\"...\")", kw.key)
			}
			if *kw.val.str == "" || strings.Contains(*kw.val.str, ":") {
				// Django's reverse() splits names at ':', so a namespace
				// holding one could never be reached.
				return nil, p.errf(vc.line, "include(): namespace %s must be a non-empty name without ':'", pyRepr(*kw.val.str))
			}
			inc.ns = *kw.val.str
		}
		if inc.list != "" && inc.app == "" && inc.ns != "" {
			return nil, p.errf(vc.line, "include(%s, namespace=%s): Django refuses a namespace without an app_name: give the list with its app_name, include((%s, \"app\"), namespace=%s)", inc.list, pyRepr(inc.ns), inc.list, pyRepr(inc.ns))
		}
		pat.Include = &Group{} // replaced once every group is read
		p.includes = append(p.includes, inc)
	} else {
		v, err := p.view(vc)
		if err != nil {
			return nil, err
		}
		pat.View = v
	}
	if err := pat.compileChecked(); err != nil {
		return nil, &LineError{File: p.file, Line: c.line, Err: err}
	}
	return pat, nil
}

// compileChecked compiles with the endpoint anchoring decided later by
// New; here it only reports a bad route at its line.
func (pat *Pattern) compileChecked() error {
	saved := pat.Include
	err := pat.compile()
	pat.re = nil
	pat.Include = saved
	return err
}

// view checks a built-in view's arguments.
func (p *parser) view(c *call) (*View, error) {
	if _, ok := Views[c.name]; !ok {
		return nil, p.errf(c.line, "unknown view %s(): the built-in views are %s", c.name, viewNames)
	}
	v := &View{Func: c.name}
	for _, a := range c.args {
		if a.str == nil {
			return nil, p.errf(c.line, "%s(): arguments must be strings", c.name)
		}
		v.Args = append(v.Args, *a.str)
	}
	for _, kw := range c.kwargs {
		if kw.val.str == nil {
			return nil, p.errf(c.line, "%s(): %s= must be a string", c.name, kw.key)
		}
		v.Kwargs = append(v.Kwargs, KV{kw.key, *kw.val.str})
	}
	usage := func() error { return p.errf(c.line, "%s", "usage: "+Views[c.name]) }
	switch c.name {
	case "template", "static", "error", "form":
		if len(v.Args) != 1 || len(v.Kwargs) != 0 {
			return nil, usage()
		}
	case "environ", "ansi":
		if len(v.Args) != 0 || len(v.Kwargs) != 0 {
			return nil, usage()
		}
	case "stream":
		if len(v.Args) == 0 || len(v.Kwargs) != 0 {
			return nil, usage()
		}
	case "json":
		if len(v.Kwargs) != 0 || len(v.Args) > 1 {
			return nil, usage()
		}
		if len(v.Args) == 1 {
			var obj map[string]any
			if err := json.Unmarshal([]byte(v.Args[0]), &obj); err != nil {
				return nil, p.errf(c.line, "json(): the argument must be a JSON object: %v", err)
			}
		}
	case "redirect":
		if len(v.Args) != 1 || v.Args[0] == "" {
			return nil, usage()
		}
		if strings.Contains(v.Args[0], "/") && len(v.Kwargs) > 0 {
			return nil, p.errf(c.line, "redirect(%s): keyword arguments go with a pattern name, not a URL", pyRepr(v.Args[0]))
		}
	}
	if c.name == "static" {
		if !fs.ValidPath(v.Args[0]) {
			return nil, p.errf(c.line, "static(%s): give a file name relative to the URL file, without .. or a leading /", pyRepr(v.Args[0]))
		}
		body, source, err := p.readStatic(v.Args[0])
		if err != nil {
			// The line is well written: the file is what is wrong.
			return nil, &LineError{File: p.file, Line: c.line, Err: fmt.Errorf("static(%s): %w", pyRepr(v.Args[0]), err)}
		}
		v.Body, v.Source = body, source
	}
	return v, nil
}

// ErrMissingFile marks a static() file found neither next to the URL file
// nor among the demo site's own files.
var ErrMissingFile = errors.New("missing file")

// readStatic reads a static() file next to the URL file; when there is
// none, the demo site's embedded file of the same name, so a copy of the
// demo's urls.py works as it is. source says which was read.
func (p *parser) readStatic(name string) (body []byte, source string, err error) {
	var f fs.File
	if p.files != nil {
		f, err = p.files.Open(name)
		source = fmt.Sprintf("%s, next to %s", name, filepath.Base(p.file))
		if p.file == DemoName {
			source = "the demo site's own " + name + ", built into journey"
		}
	}
	if p.files == nil || errors.Is(err, fs.ErrNotExist) {
		if df, derr := demoAssets().Open(name); derr == nil {
			f, err = df, nil
			source = fmt.Sprintf("the demo site's own %s, built into journey (there is no %s next to %s)", name, name, filepath.Base(p.file))
		} else if err == nil {
			err = derr
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("%w: there is no %s next to %s, and the demo site has no file of that name either", ErrMissingFile, name, filepath.Base(p.file))
	}
	if err != nil {
		return nil, "", fmt.Errorf("cannot open %s: %w", name, err)
	}
	defer f.Close()
	body, err = io.ReadAll(io.LimitReader(f, MaxStaticSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("reading %s: %w", name, err)
	}
	if len(body) > MaxStaticSize {
		return nil, "", fmt.Errorf("%s is larger than %d bytes", name, MaxStaticSize)
	}
	return body, source, nil
}

// parser helpers

func (p *parser) peek() token { return p.peekAt(0) }

func (p *parser) peekAt(n int) token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1] // EOF
}

func (p *parser) next() token {
	t := p.peek()
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

func (p *parser) at(kind tokenKind, text string) bool {
	t := p.peek()
	return t.kind == kind && (text == "" || t.text == text)
}

func (p *parser) expect(kind tokenKind, text string) (token, error) {
	t := p.next()
	if t.kind != kind || (text != "" && t.text != text) {
		want := text
		if want == "" {
			want = kind.String()
		} else {
			want = strconv.Quote(want)
		}
		return t, p.errf(t.line, "expected %s, found %s", want, t)
	}
	return t, nil
}
