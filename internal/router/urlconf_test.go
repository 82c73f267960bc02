package router

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
		want string
	}{
		{"unknown converter", "urlpatterns = [\n  path(\"a/<integer:x>/\", json()),\n]", 2, "converter 'integer', which does not exist"},
		{"bad identifier", "urlpatterns = [\n  path(\"<int:2x>/\", json()),\n]", 2, "not a valid Python identifier"},
		{"captured twice", "urlpatterns = [\n  path(\"<x>/<x>/\", json()),\n]", 2, "captures x twice"},
		{"bad regex", "urlpatterns = [\n  re_path(r\"^(?P<y>[0-9]+$\", json()),\n]", 2, "not a valid regular expression"},
		{"unknown view", "urlpatterns = [\n  path(\"a/\", render(\"x\")),\n]", 2, "unknown view render()"},
		{"view args", "urlpatterns = [\n  path(\"a/\", template()),\n]", 2, "usage: template("},
		{"stream without pieces", "urlpatterns = [\n  path(\"s/\", stream()),\n]", 2, "usage: stream("},
		{"ansi with arguments", "urlpatterns = [\n  path(\"a/\", ansi(\"x\")),\n]", 2, "usage: ansi()"},
		{"json not object", "urlpatterns = [\n  path(\"a/\", json(\"[1]\")),\n]", 2, "must be a JSON object"},
		{"missing comma", "urlpatterns = [\n  path(\"a/\", json())\n  path(\"b/\", json()),\n]", 3, "expected ',' or ']'"},
		{"unclosed string", "urlpatterns = [\n  path(\"a/, json()),\n]", 2, "not closed"},
		{"unclosed list", "urlpatterns = [\n  path(\"a/\", json()),\n", 3, "expected path(...)"},
		{"missing include group", "urlpatterns = [\n  path(\"a/\", include(\"shop\")),\n]", 2, "no app_name = 'shop'"},
		{"include with name", "urlpatterns = [\n  path(\"a/\", include(\"b\"), name=\"x\"),\n]\napp_name = \"b\"\nurlpatterns = []", 2, "takes no name"},
		{"static missing", "urlpatterns = [\n  path(\"a\", static(\"nothere.png\")),\n]", 2, "static('nothere.png'): missing file: there is no nothere.png next to site.urls, and the demo site has no file of that name either"},
		{"static escapes", "urlpatterns = [\n  path(\"a\", static(\"../etc/passwd\")),\n]", 2, "without .."},
		{"no root", "app_name = \"b\"\n", 1, "no urlpatterns"},
		{"unknown setting", "ROOT_URLCONF = \"x\"", 1, "unknown setting ROOT_URLCONF"},
		{"two roots", "urlpatterns = []\nurlpatterns = []", 2, "a second urlpatterns"},
		{"group without patterns", "urlpatterns = []\napp_name = \"b\"", 2, "has no urlpatterns"},
		{"positional after keyword", "urlpatterns = [\n  path(\"a/\", name=\"x\", json()),\n]", 2, "positional argument follows"},
		{"include cycle", "urlpatterns = [\n  path(\"a/\", include(\"b\")),\n]\napp_name = \"b\"\nurlpatterns = [\n  path(\"b/\", include(\"b\")),\n]", 6, "nested more than"},
		{"python view", "urlpatterns = [\n  path(\"a/\", views.index, name=\"a\"),\n]", 2, "views.index: a URL file cannot import Python views"},
		{"stray character", "urlpatterns = [\n  path(\"a/\", json()) ;\n]", 2, "unexpected character ';'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("site.urls", []byte(tc.src), fstest.MapFS{})
			if err == nil {
				t.Fatal("no error")
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a LineError", err)
			}
			if le.File != "site.urls" || le.Line != tc.line {
				t.Errorf("error at %s:%d, want site.urls:%d (%v)", le.File, le.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
		})
	}
}

func TestParseAcceptsDjangoLook(t *testing.T) {
	src := `# mysite/urls.py
from django.urls import include, path, re_path
import os

urlpatterns = [
    path('', template('<p>it\'s home</p>'), name='home'),
    path(
        "multi/<int:n>/",
        json(),
        name="multi",
    ),
    re_path(r'^r/(\d+)/$', json()),
    path("img", static("pic.bin")),
]
`
	files := fstest.MapFS{"pic.bin": {Data: []byte{0, 1, 2, 0xff}}}
	c, err := Parse("mysite/urls.py", []byte(src), files)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Resolve("/multi/7/"); r.Match == nil || r.Match.Pattern.Line != 7 {
		t.Errorf("multi-line path(): %+v", r.Match)
	}
	r := c.Resolve("/r/12/")
	if r.Match == nil || len(r.Match.Args) != 1 || r.Match.Args[0].Text != "12" {
		t.Errorf("re_path without names should pass positional args: %+v", r.Match)
	}
	if r := c.Resolve("/img"); r.Match == nil || string(r.Match.View.Body) != "\x00\x01\x02\xff" {
		t.Errorf("static body: %+v", r.Match)
	}
	if r := c.Resolve("/"); r.Match == nil || r.Match.View.Args[0] != "<p>it's home</p>" {
		t.Errorf("escaped quote: %+v", r.Match)
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "site.urls")
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello"), 0o644)
	os.WriteFile(path, []byte("urlpatterns = [\n  path(\"a\", static(\"a.txt\")),\n]\n"), 0o644)
	c, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Resolve("/a"); r.Match == nil || string(r.Match.View.Body) != "hello" {
		t.Errorf("static next to the URL file: %+v", r.Match)
	}
	if _, err := ParseFile(filepath.Join(dir, "missing.urls")); err == nil || !strings.Contains(err.Error(), "missing.urls") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.urls")
	os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644)
	if _, err := ParseFile(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(DemoSource())
	f.Add([]byte("urlpatterns = [\n  path(\"a/<int:x>/\", json(), name=\"a\"),\n]"))
	f.Add([]byte("urlpatterns = [path(\"b/\", include(\"b\"))]\napp_name = \"b\"\nurlpatterns = [re_path(r\"^(?P<q>.*)$\", environ())]"))
	f.Add([]byte("urlpatterns = [\n  path(\"x\", redirect(\"a\", x=\"1\")),\n  path(\"\\\"\", error('e')),\n]"))
	f.Add([]byte("from x import y\nurlpatterns = [ path('<path:p>', template('{{ p }}')), ]"))
	f.Add([]byte("urlpatterns = [\n  path(\"a/<integer:x>/\", json()),\n"))
	f.Add([]byte("b = [re_path(r\"^(\\d+)/(?:x-(\\w+)/)?$\", json(), name=\"p\")]\nurlpatterns = [re_path(r\"^r/([0-9]+)/\", include((b, \"b\"), namespace=\"c\"))]"))
	f.Add([]byte("urlpatterns = [re_path(r\"^(?P<année>[0-9]+)/(?P=année)$\", json())]"))
	f.Add([]byte("urlpatterns = [path(\"with space/<année>/\", json(), name=\"x\"), path('<path:p>', form('/'))]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("fuzz.urls", src, fstest.MapFS{"f": {Data: []byte("x")}})
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) && !strings.Contains(err.Error(), "UTF-8") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		// A configuration that loads must resolve and explain any path.
		for _, p := range []string{"/", "/a/1/", "/b/x", "/nope/"} {
			r := c.Resolve(p)
			if r.Match == nil {
				c.NotFound(r)
			}
		}
		for _, n := range c.Names() {
			c.Reverse(n, map[string]string{"x": "1"})
			c.ReverseArgs(n, []string{"1", "/"})
		}
	})
}

// TestStaticFallback checks where static() files come from: next to the
// URL file first, else the demo site's file of the same name (a copy of
// the demo's urls.py works as it is), else a missing-file error that is
// not called a syntax error.
func TestStaticFallback(t *testing.T) {
	demoLogo, err := demoFiles.ReadFile("demo/logo.png")
	if err != nil {
		t.Fatal(err)
	}
	src := func(name string) []byte {
		return []byte("urlpatterns = [\n  path(\"a\", static(\"" + name + "\")),\n]\n")
	}
	cases := []struct {
		name   string
		file   string
		files  fstest.MapFS
		body   []byte
		source string // in View.Source; "" when an error is wanted
		err    string
	}{
		{"next to the URL file", "logo.png", fstest.MapFS{"logo.png": {Data: []byte("mine")}}, []byte("mine"), "logo.png, next to site.urls", ""},
		{"the demo's own", "logo.png", fstest.MapFS{}, demoLogo, "the demo site's own logo.png, built into journey (there is no logo.png next to site.urls)", ""},
		{"nowhere", "nope.png", fstest.MapFS{}, nil, "", "site.urls:2: static('nope.png'): missing file: there is no nope.png next to site.urls"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conf, err := Parse("site.urls", src(tc.file), tc.files)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if errors.Is(err, ErrSyntax) || strings.Contains(err.Error(), "syntax") || !errors.Is(err, ErrMissingFile) {
					t.Errorf("a missing file is called %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := conf.Resolve("a").Match
			if m == nil {
				t.Fatal("a did not match")
			}
			if string(m.View.Body) != string(tc.body) || m.View.Source != tc.source {
				t.Errorf("served %d bytes from %q, want %d from %q", len(m.View.Body), m.View.Source, len(tc.body), tc.source)
			}
		})
	}
}

// TestStaticStaysInItsDirectory: a static() file that is a symlink to
// outside the URL file's directory is refused, not served (os.DirFS
// followed it to /etc/passwd).
func TestStaticStaysInItsDirectory(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("root:x:0:0"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		link   string // the name static() gives, a symlink
		target string
	}{
		{"absolute symlink", "logo.png", secret},
		{"relative symlink", "notes.txt", "../" + filepath.Base(outside) + "/secret.txt"},
		{"directory symlink", "sub/secret.txt", outside},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "site")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			target := tc.target
			if !filepath.IsAbs(target) {
				// relative to dir: make it point at a copy beside dir
				other := filepath.Join(parent, filepath.Base(outside))
				if err := os.Mkdir(other, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(other, "secret.txt"), []byte("root:x:0:0"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			linkPath := filepath.Join(dir, tc.link)
			if strings.Contains(tc.link, "/") {
				linkPath = filepath.Join(dir, filepath.Dir(tc.link))
			}
			if err := os.Symlink(target, linkPath); err != nil {
				t.Skipf("cannot make a symlink here: %v", err)
			}
			urls := filepath.Join(dir, "urls.py")
			src := "urlpatterns = [\n  path(\"x\", static(\"" + tc.link + "\")),\n]\n"
			if err := os.WriteFile(urls, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := ParseFile(urls)
			if err == nil {
				m := c.Lookup("/x")
				t.Fatalf("static(%q) through a symlink out of the directory was read: %q", tc.link, m.View.Body)
			}
			if !strings.Contains(err.Error(), "static(") {
				t.Errorf("the error %q does not name static()", err)
			}
		})
	}
	// A symlink that stays inside the directory is still fine.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "real.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.txt", filepath.Join(dir, "alias.txt")); err != nil {
		t.Skipf("cannot make a symlink here: %v", err)
	}
	urls := filepath.Join(dir, "urls.py")
	if err := os.WriteFile(urls, []byte("urlpatterns = [\n  path(\"x\", static(\"alias.txt\")),\n]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ParseFile(urls)
	if err != nil {
		t.Fatalf("a symlink inside the directory: %v", err)
	}
	if got := string(c.Lookup("/x").View.Body); got != "hello" {
		t.Errorf("served %q, want hello", got)
	}
}

// FuzzRegex: any re_path() regex is translated or refused, and its
// reverse() templates computed, without a panic.
func FuzzRegex(f *testing.F) {
	for _, s := range []string{`^a/(?P<y>[0-9]{4})/$`, `(\d+)\Z`, `[\w-]+`, `x{,3}`, `(?P=a)`, `(?:a(b)?)*`, `[]a]`, `\u00e9`, `(?i)x`, `a|b`, `[`, `\`, `(?P<`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, py string) {
		if tr, err := translateRegex(py); err == nil {
			_ = tr.src
		}
		normalize(py)
		p := &Pattern{Route: py, Regex: true, View: &View{Func: "json"}}
		if p.compile() == nil {
			p.match("a/1/")
		}
	})
}

// TestNormalizeBounded: regexes that would make millions of reverse()
// templates are given none, quickly.
func TestNormalizeBounded(t *testing.T) {
	for _, py := range []string{strings.Repeat("(a)?", 40), "a{99999999}", "(?:(?:ab){1000}){1000}", strings.Repeat("(?:x|y)?", 30)} {
		start := time.Now()
		normalize(py)
		if d := time.Since(start); d > time.Second {
			t.Errorf("normalize(%q) took %s", py, d)
		}
	}
}
