package router_test

// The differential test: the same URL files and paths through real Django
// (resolve(), Resolver404's tried, reverse(), CommonMiddleware's
// APPEND_SLASH) and through journey's router, compared case by case. It
// needs Python 3 with Django (Debian: apt-get install python3-django) and
// skips, saying so in one line, without it.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"journey/internal/gateway"
	"journey/internal/router"
)

// djangoInstall is the one line a skipped test prints.
const djangoInstall = "Django is not installed for any python3 here: apt-get install python3-django gunicorn (Debian, Ubuntu)"

// djangoTimeout bounds the one Python process that runs every case.
const djangoTimeout = 60 * time.Second

var findPython = sync.OnceValue(func() string {
	// Debian's python3-django is for the system's python; a pyenv python3
	// first on PATH may not have it.
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import django").Run() == nil {
			return py
		}
	}
	return ""
})

// Django returns the python3 that has Django, or skips t.
func Django(t *testing.T) string {
	t.Helper()
	py := findPython()
	if py == "" {
		t.Skip(djangoInstall)
	}
	return py
}

type resolveCase struct {
	Conf string `json:"conf"`
	Path string `json:"path"` // as sent in the request line
}

type reverseCase struct {
	Conf   string            `json:"conf"`
	Name   string            `json:"name"`
	Args   []string          `json:"args,omitempty"`
	Kwargs map[string]string `json:"kwargs,omitempty"`
}

type slashCase struct {
	Conf   string `json:"conf"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
}

type httpCase struct {
	Conf        string            `json:"conf"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Host        string            `json:"host,omitempty"` // "" for www.example.com
	Scheme      string            `json:"scheme,omitempty"`
	Cookies     map[string]string `json:"cookies,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	Body        string            `json:"body,omitempty"`
	// since is the Django version from which Django behaves as journey
	// does in this case ("4.0"); older ones differ, as the README says.
	since string
}

type httpResult struct {
	Status  int         `json:"status"`
	Headers [][2]string `json:"headers"`
	Crash   string      `json:"crash"`
}

type cases struct {
	Load    []string      `json:"load"`
	Resolve []resolveCase `json:"resolve"`
	Reverse []reverseCase `json:"reverse"`
	Slash   []slashCase   `json:"slash"`
	HTTP    []httpCase    `json:"http"`
}

type triedEntry struct {
	Routes []string `json:"routes"`
	Name   string   `json:"name"`
}

type resolveResult struct {
	PathInfo  string            `json:"path_info"`
	Match     bool              `json:"match"`
	Route     string            `json:"route"`
	URLName   string            `json:"url_name"`
	Namespace string            `json:"namespace"`
	Func      json.RawMessage   `json:"func"`
	Args      []string          `json:"args"`
	Kwargs    map[string]string `json:"kwargs"`
	Tried     []triedEntry      `json:"tried"`
}

type reverseResult struct {
	URL   string `json:"url"`
	Error string `json:"error"`
	Crash string `json:"crash"` // an exception other than NoReverseMatch
}

type slashResult struct {
	Status   int    `json:"status"`
	Location string `json:"location"`
	Error    string `json:"error"`
	Message  string `json:"message"`
}

type results struct {
	Django string `json:"django"`
	Load   map[string]struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"load"`
	Resolve []resolveResult `json:"resolve"`
	Reverse []reverseResult `json:"reverse"`
	Slash   []slashResult   `json:"slash"`
	HTTP    []httpResult    `json:"http"`
}

// runDjango writes the URL files, journey's view helpers and the driver
// into a directory and runs every case in one Python process.
func runDjango(t *testing.T, py string, confs map[string][]byte, cs cases) *results {
	t.Helper()
	dir := t.TempDir()
	for name, src := range confs {
		if err := os.WriteFile(filepath.Join(dir, name+".py"), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "urls_empty.py"), []byte("urlpatterns = []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "journey_views.py"), router.ViewsSource(), 0o644); err != nil {
		t.Fatal(err)
	}
	driver, err := os.ReadFile("testdata/django/driver.py")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "driver.py"), driver, 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "driver.py")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(djangoTimeout, func() { cmd.Process.Kill() })
	err = cmd.Wait()
	timer.Stop()
	if err != nil {
		t.Fatalf("the Django driver failed: %v\n%s", err, errb.String())
	}
	var res results
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("the Django driver's output: %v\n%s", err, out.String())
	}
	if len(res.Resolve) != len(cs.Resolve) || len(res.Reverse) != len(cs.Reverse) || len(res.Slash) != len(cs.Slash) {
		t.Fatalf("the driver answered %d/%d/%d cases for %d/%d/%d", len(res.Resolve), len(res.Reverse), len(res.Slash), len(cs.Resolve), len(cs.Reverse), len(cs.Slash))
	}
	return &res
}

// confNames are the URL files under testdata/django, each loaded by both.
var confNames = []string{"urls_conv", "urls_re", "urls_inc", "urls_root", "urls_nest", "urls_app", "urls_kwargs"}

func TestDifferentialDjango(t *testing.T) {
	py := Django(t)
	confs := map[string][]byte{}
	journey := map[string]*router.URLConf{}
	for _, n := range confNames {
		src, err := os.ReadFile("testdata/django/" + n + ".py")
		if err != nil {
			t.Fatal(err)
		}
		confs[n] = src
		c, err := router.Parse(n+".py", src, nil)
		if err != nil {
			t.Fatalf("journey refuses %s.py, which Django loads: %v", n, err)
		}
		journey[n] = c
	}
	// The demo site, as `journey lab urls` prints it, must load in Django.
	confs["urls_demo"] = router.DemoSource()
	journey["urls_demo"] = router.Demo()

	cs := cases{Load: append(append([]string(nil), confNames...), "urls_demo")}
	cs.Resolve = resolveCases()
	cs.Reverse = reverseCases()
	cs.Slash = slashCases()
	cs.HTTP = httpCases()
	res := runDjango(t, py, confs, cs)
	t.Logf("compared with Django %s: %d URL files, %d paths resolved, %d reverse() calls, %d APPEND_SLASH cases, %d whole-stack requests", res.Django, len(cs.Load), len(cs.Resolve), len(cs.Reverse), len(cs.Slash), len(cs.HTTP))

	agree, total := 0, 0
	check := func(name string, ok bool, format string, args ...any) {
		total++
		t.Run(name, func(t *testing.T) {
			if !ok {
				t.Errorf(format, args...)
			}
		})
		if ok {
			agree++
		}
	}
	for _, n := range cs.Load {
		l := res.Load[n]
		check("load/"+n, l.OK, "Django refuses %s, which journey loads: %s", n, l.Error)
	}
	for i, c := range cs.Resolve {
		want := res.Resolve[i]
		got := journeyResolve(journey[c.Conf], c.Path)
		diff := compareResolve(want, got)
		check(fmt.Sprintf("resolve/%s%s", c.Conf, c.Path), diff == "", "%s %s: %s", c.Conf, c.Path, diff)
	}
	for i, c := range cs.Reverse {
		want := res.Reverse[i]
		var got string
		var err error
		if c.Args != nil {
			got, err = journey[c.Conf].ReverseArgs(c.Name, c.Args)
		} else {
			got, err = journey[c.Conf].Reverse(c.Name, c.Kwargs)
		}
		if want.Crash != "" {
			want.Error = want.Crash
		}
		ok := (want.Error != "") == (err != nil) && (err != nil || got == want.URL)
		check(fmt.Sprintf("reverse/%s/%s/%v%v", c.Conf, c.Name, c.Args, c.Kwargs), ok,
			"reverse(%q, args=%q, kwargs=%q): Django %q %s, journey %q %v", c.Name, c.Args, c.Kwargs, want.URL, want.Error, got, err)
	}
	for i, c := range cs.Slash {
		want := res.Slash[i]
		status, loc, err := gateway.AppendSlash(journey[c.Conf], c.Method, c.Path, c.Query, "www.example.com")
		var ok bool
		if want.Error != "" {
			ok = err != nil && err.Error() == want.Error+": "+want.Message
		} else {
			ok = err == nil && status == want.Status && loc == want.Location
		}
		check(fmt.Sprintf("slash/%s/%s%s?%s", c.Conf, c.Method, c.Path, c.Query), ok,
			"APPEND_SLASH %s %s?%s: Django %d %q %s %s; journey %d %q %v", c.Method, c.Path, c.Query, want.Status, want.Location, want.Error, want.Message, status, loc, err)
	}
	site := gateway.NewSite(journey["urls_demo"])
	known := 0
	for i, c := range cs.HTTP {
		want := res.HTTP[i]
		got := journeyHTTP(site, c)
		diff := compareHTTP(want, got, res.Django)
		name := fmt.Sprintf("http/%s %s %v %v", c.Method, c.Path, c.Cookies, c.Headers)
		if diff != "" && c.since != "" && versionBefore(res.Django, c.since) {
			known++
			t.Logf("documented difference: Django %s is older than %s, where %s: %s", res.Django, c.since, name, diff)
			continue
		}
		check(name, diff == "", "%s: %s", name, diff)
	}
	t.Logf("%d of %d cases agree with Django %s; %d more differ only because this Django is older than the one journey follows", agree, total, res.Django, known)
	if total < 300 {
		t.Errorf("only %d cases: the issue asks for at least 300", total)
	}
}

// journeyResolve is journey's answer in the driver's shape.
func journeyResolve(c *router.URLConf, raw string) resolveResult {
	_, path := gateway.PathInfo(raw)
	r := c.Resolve(path)
	out := resolveResult{PathInfo: path, Match: r.Match != nil}
	for _, t := range r.Tried {
		if t.Include && t.Matched {
			continue
		}
		name := ""
		if !t.Include {
			name = t.Name[strings.LastIndexByte(t.Name, ':')+1:]
		}
		out.Tried = append(out.Tried, triedEntry{Routes: t.Chain, Name: name})
	}
	m := r.Match
	if m == nil {
		return out
	}
	out.Route, out.URLName, out.Namespace = m.Route, m.URLName, m.Namespace
	kw := [][2]string{}
	for _, k := range m.View.Kwargs {
		kw = append(kw, [2]string{k.Key, k.Value})
	}
	sort.Slice(kw, func(i, j int) bool { return kw[i][0] < kw[j][0] })
	args := m.View.Args
	if args == nil {
		args = []string{}
	}
	out.Func, _ = json.Marshal([]any{m.View.Func, args, kw})
	out.Args = []string{}
	for _, a := range m.Args {
		out.Args = append(out.Args, a.Value)
	}
	out.Kwargs = map[string]string{}
	for _, cp := range m.Captures {
		out.Kwargs[cp.Name] = cp.Value
	}
	return out
}

func compareResolve(want, got resolveResult) string {
	var d []string
	if want.PathInfo != got.PathInfo {
		d = append(d, fmt.Sprintf("path_info Django %q, journey %q", want.PathInfo, got.PathInfo))
	}
	if want.Match != got.Match {
		return strings.Join(append(d, fmt.Sprintf("Django matched=%v, journey matched=%v (Django route %q; journey tried %v)", want.Match, got.Match, want.Route, got.Tried)), "; ")
	}
	if want.Match {
		if want.Route != got.Route || want.URLName != got.URLName || want.Namespace != got.Namespace {
			d = append(d, fmt.Sprintf("route/name/namespace Django %q %q %q, journey %q %q %q", want.Route, want.URLName, want.Namespace, got.Route, got.URLName, got.Namespace))
		}
		var wf, gf any
		json.Unmarshal(want.Func, &wf)
		json.Unmarshal(got.Func, &gf)
		if !reflect.DeepEqual(wf, gf) {
			d = append(d, fmt.Sprintf("view Django %s, journey %s", want.Func, got.Func))
		}
		if !reflect.DeepEqual(want.Args, got.Args) {
			d = append(d, fmt.Sprintf("args Django %q, journey %q", want.Args, got.Args))
		}
		if !reflect.DeepEqual(want.Kwargs, got.Kwargs) {
			d = append(d, fmt.Sprintf("kwargs Django %q, journey %q", want.Kwargs, got.Kwargs))
		}
	}
	if len(want.Tried) == 0 && len(got.Tried) == 0 {
		return strings.Join(d, "; ")
	}
	if !reflect.DeepEqual(want.Tried, got.Tried) {
		d = append(d, fmt.Sprintf("tried Django %v, journey %v", want.Tried, got.Tried))
	}
	return strings.Join(d, "; ")
}

// Edge values for every converter: digits, signs, Unicode digits, case,
// slashes and what percent-encoding turns into them.
var edgeValues = []string{
	"0", "1", "0042", "-1", "+1", "99999999999999999999999", "abc", "a-b", "a_b", "a.b",
	"%C3%A9", "caf%C3%A9", "%FF", "%E2%82", "a%2Fb", "a%20b", "%20", "a%25b", "%zz", "%",
	"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000",
	"123e4567e89b12d3a456426614174000", "%D9%A3", "%EF%BC%91", "x%0A", "a;b", "a,b", "~", "a%3Fb",
}

func resolveCases() []resolveCase {
	var out []resolveCase
	add := func(conf string, paths ...string) {
		for _, p := range paths {
			out = append(out, resolveCase{conf, p})
		}
	}
	for _, conv := range []string{"int", "str", "default", "slug", "uuid"} {
		for _, v := range edgeValues {
			add("urls_conv", "/"+conv+"/"+v+"/")
		}
		add("urls_conv", "/"+conv+"//", "/"+conv+"/", "/"+conv+"/1", "/"+conv+"/1/x/")
	}
	for _, v := range []string{"a", "a/b/c", "a/", "/x", "%2F", "a%2Fb", "caf%C3%A9/x", "%FF", ""} {
		add("urls_conv", "/path/"+v, "/path2/"+v+"/end/")
	}
	add("urls_conv", "/", "//", "/two/1-2/", "/two/1-2-3/", "/two/-1-2/", "/mix/a/1/", "/mix/a/b/",
		"/noslash", "/noslash/", "/café/", "/caf%C3%A9/", "/CAF%C3%A9/", "/caf%c3%a9/", "/with space/", "/with%20space/",
		"/ann%C3%A9e/2024/", "/dup/1/", "/dup/x/", "/dup/1.5/", "/empty/", "/empty/x", "/a+b/", "/a%2Bb/",
		"/lit,;!*()'/x/", "/lit%2C%3B%21%2A%28%29%27/x/", "/q%3Fx/", "/int/1/%0A", "/%0A", "/%00/")
	add("urls_re", "/year/2024/", "/year/202/", "/year/20245/", "/year/2024", "/year/2024/x", "/year/2024/%0A",
		"/pos/1/ab/", "/pos/1/AB/", "/opt/", "/opt/page-2/", "/opt/page-/", "/optpos/1/", "/optpos/1/x-ab/",
		"/mixed/1/ab/", "/end/", "/xend/", "/a/end/", "/end/x", "/end/%0A", "/noend/", "/noend/anything/at/all",
		"/digits/123/", "/digits/%D9%A3/", "/digits/%EF%BC%91/", "/digits/%C2%B2/", "/word/abc/", "/word/%C3%A9t%C3%A9/",
		"/word/a-b/", "/word/%E2%80%BF/", "/dot/a/b/", "/dot/%0A/", "/esc/a.b/", "/esc/axb/", "/alt/red/", "/alt/blue/",
		"/alt/redd/", "/bigz/abc", "/bigz/abc/", "/upto//", "/upto/xxx/", "/upto/xxxx/", "/uni/%C3%A9%C3%A9/",
		"/uni/e/", "/2024/an/", "/nope/")
	add("urls_inc", "/blog/", "/blog/hello/", "/blog/hello/edit/", "/blog/hello/nope/", "/blog/42/comments/",
		"/blog/42/", "/b2/", "/b2/hello/edit/", "/u/7/", "/u/7/posts/3/", "/u/7/8/override/", "/u/x/",
		"/r/5/about/", "/r/5/p/7/", "/r/5/k/9/", "/r/x/about/", "/rn/5/about/", "/rn/5/p/7/", "/rn/5/k/9/",
		"/plain/about/", "/plain/p/3/", "/plain/k/3/", "/nothing/", "/nothing/x/", "/dupe/", "/blog",
		"/nope/", "/blog/a/b/", "/go/", "/", "/B2/",
		"/blog/hello%2F/", "/blog/hello/edit", "/u/007/", "/u/007/posts/0042/", "/r/5/p/7", "/r/05/k/9/",
		"/rn/5/k/%D9%A3/", "/blog/h%C3%A9llo/", "/blog//", "/plain/about", "/nothing", "/blog/hello/edit/x")
	add("urls_root", "/", "/a", "/a/b/", "//", "/%2F", "/caf%C3%A9")
	add("urls_app", "/", "/5/", "/x/")
	add("urls_kwargs", "/page/", "/page/3/", "/num/", "/kw/", "/over/mine/", "/pos/4/", "/inc/", "/inc/en/")
	add("urls_nest", "/", "/t/1/", "/t/1/5/", "/t/1/5-6/", "/t/1/m/s/", "/t/1/m/s/7/", "/t/1/x/", "/x/", "/5/",
		"/5-6/", "/m/s/", "/m/s/9/", "/a/", "/a/3/", "/b/", "/b/3/", "/dollar/", "/dollar/3/", "/t/x/", "/nope/", "/t/1/m/", "/t/1/m/s/x/")
	add("urls_demo", "/", "/articles/2024/", "/articles/2024", "/articles/2024/03/", "/articles/2024/3/hello/",
		"/archive/2024/", "/archive/24/", "/items/123e4567-e89b-12d3-a456-426614174000/", "/files/a/b.txt",
		"/blog/", "/blog/hello/", "/blog/7/comments/", "/api/status", "/old/", "/echo/", "/form/", "/stream/", "/nope/",
		"/static/logo.png", "/boom/", "/ansi/")
	return out
}

func reverseCases() []reverseCase {
	var out []reverseCase
	kw := func(conf, name string, kv ...string) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		out = append(out, reverseCase{Conf: conf, Name: name, Kwargs: m})
	}
	args := func(conf, name string, a ...string) {
		if a == nil {
			a = []string{}
		}
		out = append(out, reverseCase{Conf: conf, Name: name, Args: a})
	}
	values := []string{"0", "42", "-1", "abc", "a b", "a/b", "café", "%", "?", "#", "!$&'()*+,;=:@~", "a-b_c", "",
		"123e4567-e89b-12d3-a456-426614174000", "/etc/passwd", "//evil.example", "\u202e", "x\ny"}
	for _, name := range []string{"int", "str", "default", "slug", "uuid", "path", "dup", "subdelims", "question", "annee"} {
		param := map[string]string{"int": "n", "str": "s", "default": "s", "slug": "s", "uuid": "u", "path": "p", "dup": "n", "subdelims": "s", "question": "s", "annee": "année"}[name]
		for _, v := range values {
			kw("urls_conv", name, param, v)
		}
	}
	kw("urls_conv", "home")
	kw("urls_conv", "dup", "s", "x")
	kw("urls_conv", "two", "a", "1", "b", "2")
	args("urls_conv", "two", "1", "2")
	args("urls_conv", "int", "5")
	args("urls_conv", "int")
	kw("urls_conv", "int")
	kw("urls_conv", "int", "n", "1", "x", "2")
	kw("urls_conv", "cafe")
	kw("urls_conv", "space")
	kw("urls_conv", "plus")
	kw("urls_conv", "noslash")
	kw("urls_conv", "missing")
	kw("urls_re", "year", "year", "2024")
	kw("urls_re", "year", "year", "24")
	args("urls_re", "pos", "1", "ab")
	args("urls_re", "pos", "1")
	kw("urls_re", "opt")
	kw("urls_re", "opt", "page", "2")
	args("urls_re", "optpos", "1")
	args("urls_re", "optpos", "1", "ab")
	kw("urls_re", "mixed", "a", "1")
	kw("urls_re", "unanchored")
	kw("urls_re", "noend")
	args("urls_re", "digits", "1")
	args("urls_re", "word", "x")
	kw("urls_re", "esc")
	kw("urls_re", "alt", "k", "red")
	kw("urls_re", "alt", "k", "blue")
	kw("urls_re", "bigz", "z", "abc")
	kw("urls_re", "upto", "n", "xx")
	kw("urls_re", "uni", "s", "é")
	kw("urls_re", "an", "année", "5")
	kw("urls_inc", "blog:index")
	kw("urls_inc", "blog:comments", "pk", "3")
	kw("urls_inc", "blog:post:detail", "slug", "x")
	kw("urls_inc", "blog2:post:edit", "slug", "y")
	kw("urls_inc", "blog2:index")
	kw("urls_inc", "users:profile", "uid", "1")
	kw("urls_inc", "users:post", "uid", "1", "n", "2")
	kw("urls_inc", "users:override", "uid", "1")
	kw("urls_inc", "about")
	args("urls_inc", "about", "5")
	args("urls_inc", "ppos", "1")
	args("urls_inc", "ppos", "5", "1")
	kw("urls_inc", "pkw", "k", "1")
	kw("urls_inc", "pkw", "rid", "1", "k", "2")
	kw("urls_inc", "go")
	kw("urls_inc", "nope:index")
	kw("urls_inc", "post:detail", "slug", "x")
	for _, v := range []string{"a", "/evil.example", "//x", "a/b", "café/x", "%2F"} {
		kw("urls_root", "catchall", "rest", v)
	}
	kw("urls_kwargs", "page")
	kw("urls_kwargs", "page", "page", "1")
	kw("urls_kwargs", "page", "page", "3")
	kw("urls_kwargs", "num")
	kw("urls_kwargs", "num", "n", "2")
	kw("urls_kwargs", "kw", "k", "v")
	kw("urls_kwargs", "kw", "k", "w")
	kw("urls_kwargs", "over", "k", "fixed")
	kw("urls_kwargs", "over", "k", "other")
	args("urls_kwargs", "pos", "4")
	kw("urls_kwargs", "inner")
	kw("urls_kwargs", "inner", "from_include", "yes")
	kw("urls_kwargs", "forced", "lang", "fr")
	kw("urls_kwargs", "forced", "lang", "en")
	kw("urls_app", "index")
	kw("urls_app", "polls:index")
	kw("urls_app", "detail", "question_id", "5")
	kw("urls_nest", "leaf")
	kw("urls_nest", "leafn", "n", "4")
	args("urls_nest", "leafn", "4")
	kw("urls_nest", "leafnm", "n", "1", "m", "2")
	kw("urls_nest", "mid:leaf:leaf", "t", "1")
	kw("urls_nest", "mid:leaf:leafn", "t", "1", "n", "2")
	kw("urls_nest", "mid:leaf2:leafn", "t", "1", "s", "x", "n", "2")
	kw("urls_nest", "leaf:leafn", "n", "2")
	kw("urls_nest", "leaf2:leafn", "s", "x", "n", "2")
	kw("urls_nest", "leaf:leaf")
	kw("urls_nest", "midx")
	kw("urls_nest", "mid:midx", "t", "3")
	kw("urls_nest", "shop:index")
	kw("urls_nest", "shop-a:index")
	kw("urls_nest", "shop-b:detail", "pk", "1")
	kw("urls_nest", "shop:detail", "pk", "1")
	kw("urls_nest", "index")
	kw("urls_nest", "detail", "pk", "2")
	kw("urls_demo", "articles-year", "year", "2024")
	kw("urls_demo", "blog:post", "slug", "hello")
	kw("urls_demo", "file", "name", "/etc/passwd")
	kw("urls_demo", "archive", "year", "2024")
	return out
}

func slashCases() []slashCase {
	var out []slashCase
	add := func(conf, method, path, query string) {
		out = append(out, slashCase{conf, method, path, query})
	}
	for _, p := range []string{"/int/1", "/noslash", "/café", "/caf%C3%A9", "/str/a%2Cb", "/str/a%20b", "/str/%FF",
		"/int/1/", "/nope", "/with space", "/path/a", "/lit,;!*()'/x", "/str/a~b"} {
		add("urls_conv", "GET", p, "")
	}
	add("urls_conv", "GET", "/int/1", "a=1&b=%20c")
	add("urls_conv", "GET", "/int/1", "caf%C3%A9=%FF")
	add("urls_conv", "HEAD", "/int/1", "")
	add("urls_conv", "POST", "/int/1", "")
	add("urls_conv", "PUT", "/int/1", "x=1")
	add("urls_conv", "PATCH", "/int/1", "")
	add("urls_conv", "DELETE", "/int/1", "")
	add("urls_conv", "POST", "/nope", "")
	for _, p := range []string{"/blog", "/blog/hello", "/u/7", "/r/5/about", "/nothing", "/dupe", "/blog/hello/edit", "/u/7/posts/3", "/b2/x"} {
		add("urls_inc", "GET", p, "")
	}
	for _, p := range []string{"/year/2024", "/end", "/opt", "/noend"} {
		add("urls_re", "GET", p, "")
	}
	add("urls_root", "GET", "//evil.example", "")
	add("urls_root", "GET", "/a", "")
	add("urls_demo", "GET", "/articles/2024", "")
	add("urls_demo", "POST", "/articles/2024", "")
	add("urls_demo", "GET", "/blog", "")
	return out
}

// httpCases run through the whole Django stack (startproject's
// middleware and the demo site) and through journey's gateway.
func httpCases() []httpCase {
	secret := strings.Repeat("Ab3dEf7h", 4)
	form := "application/x-www-form-urlencoded"
	cs := []httpCase{
		{Method: "GET", Path: "/"},
		{Method: "GET", Path: "/articles/2024/"},
		{Method: "GET", Path: "/articles/2024"},
		{Method: "GET", Path: "/articles/2024", Headers: map[string]string{"Accept-Encoding": "gzip"}},
		{Method: "GET", Path: "/nope/"},
		{Method: "GET", Path: "/boom/"},
		{Method: "GET", Path: "/boom/", Headers: map[string]string{"Accept": "application/json"}},
		{Method: "GET", Path: "/api/status"},
		{Method: "GET", Path: "/old/"},
		{Method: "GET", Path: "/old-blog/"},
		{Method: "GET", Path: "/latest/"},
		{Method: "GET", Path: "/blog/hello/"},
		{Method: "GET", Path: "/blog"},
		{Method: "GET", Path: "/archive/2024/"},
		{Method: "GET", Path: "/files/a/b.txt"},
		{Method: "GET", Path: "/echo/", Headers: map[string]string{"Accept-Encoding": "gzip"}},
		{Method: "GET", Path: "/form/"},
		{Method: "GET", Path: "/form/", Cookies: map[string]string{"csrftoken": secret}, since: "4.1"}, // 3.2 sets the cookie again on every get_token()
		{Method: "HEAD", Path: "/api/status"},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "name=ada"},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}, Headers: map[string]string{"X-CSRFToken": secret}},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "csrfmiddlewaretoken=" + secret + "&name=ada", Cookies: map[string]string{"csrftoken": secret}},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "csrfmiddlewaretoken=" + strings.Repeat("x", 32), Cookies: map[string]string{"csrftoken": secret}},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}, Headers: map[string]string{"X-CSRFToken": secret, "Origin": "http://evil.example"}, since: "4.0"},
		{Method: "POST", Path: "/echo/", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}, Headers: map[string]string{"X-CSRFToken": secret, "Origin": "http://www.example.com"}},
		{Method: "POST", Path: "/echo/", Scheme: "https", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}, Headers: map[string]string{"X-CSRFToken": secret}},
		{Method: "POST", Path: "/echo/", Scheme: "https", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}, Headers: map[string]string{"X-CSRFToken": secret, "Referer": "https://www.example.com/form/"}},
		{Method: "POST", Path: "/echo/", Scheme: "https", ContentType: form, Body: "name=ada", Cookies: map[string]string{"csrftoken": secret}, Headers: map[string]string{"X-CSRFToken": secret, "Referer": "http://www.example.com/form/"}},
		{Method: "POST", Path: "/articles/2024", ContentType: form, Body: "name=ada", since: "4.2"}, // 3.2 raised in process_request, before AuthenticationMiddleware set request.user
		{Method: "DELETE", Path: "/echo/"},
		{Method: "GET", Path: "/", Host: "evil_com"},
		{Method: "GET", Path: "/api/status", Host: "www.example.com:8080"},
		{Method: "GET", Path: "/api/status", Host: "[::1]:8000"},
		{Method: "GET", Path: "/api/status", Host: "www.example.com:port"},
		{Method: "POST", Path: "/echo/", Host: "bad/host", ContentType: form, Body: "name=ada"},
		{Method: "PUT", Path: "/nope/"},
	}
	for i := range cs {
		cs[i].Conf = "urls_demo"
		if cs[i].Scheme == "" {
			cs[i].Scheme = "http"
		}
	}
	return cs
}

// journeyHTTP runs c through journey's gateway.
func journeyHTTP(site *gateway.Site, c httpCase) httpResult {
	var b strings.Builder
	host := c.Host
	if host == "" {
		host = "www.example.com"
	}
	b.WriteString(c.Method + " " + c.Path + " HTTP/1.1\r\nHost: " + host + "\r\n")
	var cookies []string
	for k, v := range c.Cookies {
		cookies = append(cookies, k+"="+v)
	}
	if len(cookies) > 0 {
		b.WriteString("Cookie: " + strings.Join(cookies, "; ") + "\r\n")
	}
	for k, v := range c.Headers {
		b.WriteString(k + ": " + v + "\r\n")
	}
	if c.ContentType != "" {
		b.WriteString("Content-Type: " + c.ContentType + "\r\n")
	}
	if c.Body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(c.Body))
	}
	b.WriteString("\r\n" + c.Body)
	sv := site.Handle(strings.NewReader(b.String()), io.Discard, gateway.ConnInfo{Client: "127.0.0.1:40000", Scheme: c.Scheme})
	out := httpResult{Status: sv.Status}
	if g := sv.Gateway.Gateway; g != nil && g.Response != nil {
		for _, h := range g.Response.Headers {
			out.Headers = append(out.Headers, [2]string{h.Name, h.Value})
		}
	}
	return out
}

// serverOwn are the headers a WSGI server adds, not Django.
var serverOwn = map[string]bool{"date": true, "server": true, "connection": true, "transfer-encoding": true}

// compareHTTP compares status and the headers Django's response has:
// names, and the values that do not depend on the page's size or on a
// random secret.
func compareHTTP(want, got httpResult, version string) string {
	if want.Crash != "" {
		return "Django crashed: " + want.Crash
	}
	var d []string
	if want.Status != got.Status {
		d = append(d, fmt.Sprintf("status Django %d, journey %d", want.Status, got.Status))
	}
	names := func(hs [][2]string) map[string]string {
		m := map[string]string{}
		for _, h := range hs {
			k := strings.ToLower(h[0])
			if serverOwn[k] {
				continue
			}
			v := h[1]
			switch k {
			case "content-length", "expires":
				v = "" // the page's size
			case "etag":
				// The MD5 of the body, whose bytes differ where the
				// views do (the debug pages): its strength is compared.
				if strings.HasPrefix(v, "W/") {
					v = "weak"
				} else {
					v = "strong"
				}
			case "set-cookie":
				name, rest, _ := strings.Cut(v, "=")
				var attrs []string
				for _, a := range strings.Split(rest, ";")[1:] {
					a = strings.TrimSpace(a)
					if !strings.HasPrefix(strings.ToLower(a), "expires=") {
						attrs = append(attrs, a)
					}
				}
				sort.Strings(attrs)
				v = name + " " + strings.Join(attrs, "; ")
			}
			m[k] = v
		}
		return m
	}
	w, g := names(want.Headers), names(got.Headers)
	if versionBefore(version, "4.0") {
		delete(g, "cross-origin-opener-policy") // Django 4.0 added it; journey follows 5.2
	}
	if !reflect.DeepEqual(w, g) {
		d = append(d, fmt.Sprintf("headers Django %v, journey %v", w, g))
	}
	return strings.Join(d, "; ")
}

// versionBefore says whether Django version v is older than since.
func versionBefore(v, since string) bool {
	var a, b [3]int
	fmt.Sscanf(v, "%d.%d.%d", &a[0], &a[1], &a[2])
	fmt.Sscanf(since, "%d.%d.%d", &b[0], &b[1], &b[2])
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
