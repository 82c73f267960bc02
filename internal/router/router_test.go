package router

import (
	"errors"
	"strings"
	"testing"
)

// conf builds a URLConf from a URL file's text, failing the test on error.
func conf(t testing.TB, src string) *URLConf {
	t.Helper()
	c, err := Parse("test.urls", []byte(src), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestConverters(t *testing.T) {
	c := conf(t, `urlpatterns = [
    path("s/<str:v>/", json(), name="str"),
    path("i/<int:v>/", json(), name="int"),
    path("g/<slug:v>/", json(), name="slug"),
    path("u/<uuid:v>/", json(), name="uuid"),
    path("p/<path:v>", json(), name="path"),
    path("d/<v>/", json(), name="default"),
]`)
	cases := []struct {
		path      string
		wantName  string // "" for no match
		wantText  string
		wantValue string
		wantWhy   string // for no match: part of the reason the matching route gives
	}{
		{"/s/hello/", "str", "hello", "'hello'", ""},
		{"/s/a.b-c/", "str", "a.b-c", "'a.b-c'", ""},
		{"/s/a/b/", "", "", "", "the path goes on after the pattern: 'b/' is left over"},
		{"/i/2024/", "int", "2024", "2024", ""},
		{"/i/0042/", "int", "0042", "42", ""},
		{"/i/99999999999999999999999/", "int", "99999999999999999999999", "99999999999999999999999", ""},
		{"/i/-1/", "", "", "", "'-1' is not an int"},
		{"/i/20x4/", "", "", "", "'20x4' is not an int"},
		{"/i//", "", "", "", "<int:v> would be empty"},
		{"/i/", "", "", "", "the path ends where <int:v> should be"},
		{"/g/hello-world_2/", "slug", "hello-world_2", "'hello-world_2'", ""},
		{"/g/héllo/", "", "", "", "is not a slug"},
		{"/g/a.b/", "", "", "", "'a.b' is not a slug"},
		{"/u/123e4567-e89b-12d3-a456-426614174000/", "uuid", "123e4567-e89b-12d3-a456-426614174000", "UUID('123e4567-e89b-12d3-a456-426614174000')", ""},
		{"/u/123E4567-E89B-12D3-A456-426614174000/", "", "", "", "is not a uuid"},
		{"/u/123e4567/", "", "", "", "is not a uuid"},
		{"/p/a/b/c.txt", "path", "a/b/c.txt", "'a/b/c.txt'", ""},
		{"/p/", "", "", "", "the path ends where <path:v> should be"},
		{"/d/x/", "default", "x", "'x'", ""},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := c.Resolve(tc.path)
			if tc.wantName == "" {
				if r.Match != nil {
					t.Fatalf("matched %s, want no match", r.Match.Name)
				}
				found := false
				for _, tr := range r.Tried {
					if strings.Contains(tr.Why, tc.wantWhy) {
						found = true
					}
				}
				if !found {
					t.Errorf("no pattern says %q; tried: %+v", tc.wantWhy, r.Tried)
				}
				return
			}
			if r.Match == nil {
				t.Fatalf("no match; tried: %+v", r.Tried)
			}
			if r.Match.Name != tc.wantName {
				t.Errorf("matched %s, want %s", r.Match.Name, tc.wantName)
			}
			if len(r.Match.Captures) != 1 {
				t.Fatalf("captures = %+v, want one", r.Match.Captures)
			}
			got := r.Match.Captures[0]
			if got.Text != tc.wantText || got.Value != tc.wantValue {
				t.Errorf("capture = text %q value %q, want %q %q", got.Text, got.Value, tc.wantText, tc.wantValue)
			}
		})
	}
}

func TestFirstMatchWinsAndTriedOrder(t *testing.T) {
	c := conf(t, `urlpatterns = [
    path("a/<int:n>/", json(), name="first"),
    path("a/<str:s>/", json(), name="second"),
    path("a/1/", json(), name="never"),
]`)
	r := c.Resolve("/a/1/")
	if r.Match == nil || r.Match.Name != "first" {
		t.Fatalf("match = %+v, want first", r.Match)
	}
	if len(r.Tried) != 1 || !r.Tried[0].Matched {
		t.Errorf("tried = %+v, want only the first, matched", r.Tried)
	}
	r = c.Resolve("/a/x/")
	if r.Match == nil || r.Match.Name != "second" {
		t.Fatalf("match = %+v, want second", r.Match)
	}
	if len(r.Tried) != 2 || r.Tried[0].Matched || !strings.Contains(r.Tried[0].Why, "'x' is not an int") {
		t.Errorf("tried = %+v", r.Tried)
	}
}

func TestIncludePrefixes(t *testing.T) {
	c := conf(t, `urlpatterns = [
    path("blog/", include("blog")),
    path("<int:year>/news/", include("news")),
]

app_name = "blog"
urlpatterns = [
    path("", json(), name="index"),
    path("<slug:slug>/", json(), name="post"),
]

app_name = "news"
urlpatterns = [
    path("<int:month>/", json(), name="month"),
]`)
	cases := []struct {
		path     string
		name     string
		captures string // name=value,...
		route    string
	}{
		{"/blog/", "blog:index", "", "blog/"},
		{"/blog/hello/", "blog:post", "slug='hello'", "blog/<slug:slug>/"},
		{"/2024/news/03/", "news:month", "year=2024,month=3", "<int:year>/news/<int:month>/"},
		{"/blog/a/b/", "", "", ""},
		{"/blo/", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := c.Resolve(tc.path)
			if tc.name == "" {
				if r.Match != nil {
					t.Fatalf("matched %s", r.Match.Name)
				}
				return
			}
			if r.Match == nil {
				t.Fatalf("no match; tried %+v", r.Tried)
			}
			var caps []string
			for _, cp := range r.Match.Captures {
				caps = append(caps, cp.Name+"="+cp.Value)
			}
			if r.Match.Name != tc.name || strings.Join(caps, ",") != tc.captures || r.Match.Route != tc.route {
				t.Errorf("got %s %q %q, want %s %q %q", r.Match.Name, strings.Join(caps, ","), r.Match.Route, tc.name, tc.captures, tc.route)
			}
		})
	}
	// The include's matched prefix is recorded, then its patterns at depth 1.
	r := c.Resolve("/blog/a/b/")
	if len(r.Tried) != 4 || !r.Tried[0].Include || !r.Tried[0].Matched || r.Tried[1].Depth != 1 || !strings.Contains(r.Tried[0].Why, "'a/b/' is passed down") {
		t.Errorf("tried = %+v", r.Tried)
	}
}

func TestReverse(t *testing.T) {
	c := conf(t, `urlpatterns = [
    path("", json(), name="home"),
    path("articles/<int:year>/", json(), name="year"),
    path("files/<path:p>", json(), name="file"),
    path("blog/", include("blog")),
    path("old/", include("blog", namespace="legacy")),
    re_path(r"^r/(?P<y>[0-9]+)/$", json(), name="regex"),
]

app_name = "blog"
urlpatterns = [
    path("<slug:slug>/", json(), name="post"),
]`)
	cases := []struct {
		name    string
		kwargs  map[string]string
		want    string
		wantErr string
	}{
		{"home", nil, "/", ""},
		{"year", map[string]string{"year": "2024"}, "/articles/2024/", ""},
		{"year", map[string]string{"year": "x"}, "", `"x" is not a valid int`},
		{"year", nil, "", "it needs year"},
		{"year", map[string]string{"year": "1", "extra": "2"}, "", "does not take"},
		{"year", map[string]string{"year": "x"}, "", "Reverse for 'year' with keyword arguments {'year': 'x'} not found. 1 pattern(s) tried: ['articles/<int:year>/']"},
		{"blog:post", map[string]string{"slug": "hello"}, "/blog/hello/", ""},
		{"legacy:post", map[string]string{"slug": "hello"}, "/old/hello/", ""},
		{"file", map[string]string{"p": "a b/c"}, "/files/a%20b/c", ""},
		{"post", map[string]string{"slug": "x"}, "", "is not a valid view function or pattern name"},
		{"regex", map[string]string{"y": "1"}, "/r/1/", ""},
		{"file", map[string]string{"p": "/etc/passwd"}, "/files//etc/passwd", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+tc.want+tc.wantErr, func(t *testing.T) {
			got, err := c.Reverse(tc.name, tc.kwargs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrNoReverse) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNotFoundListsPatternsAsDjango(t *testing.T) {
	c := conf(t, `urlpatterns = [
    path("articles/<int:year>/", json(), name="articles-year"),
    path("blog/", include("blog")),
]

app_name = "blog"
urlpatterns = [
    path("<slug:slug>/", json(), name="post"),
]`)
	cases := []struct {
		path string
		want []string
	}{
		{"/nope/", []string{"    1. articles/<int:year>/ [name='articles-year']\n", "    2. blog/\n", "The current path, nope/, didn't match any of these."}},
		// Inside a matched include, Django lists the group's patterns with the prefix.
		{"/blog/a/b/", []string{"    1. articles/<int:year>/ [name='articles-year']\n", "    2. blog/ <slug:slug>/ [name='post']\n", "The current path, blog/a/b/, didn't match"}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := c.Resolve(tc.path)
			if r.Match != nil {
				t.Fatalf("matched %s", r.Match.Name)
			}
			page := c.NotFound(r)
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("404 page lacks %q:\n%s", w, page)
				}
			}
		})
	}
}

func TestDemoSite(t *testing.T) {
	c := Demo()
	for path, name := range map[string]string{
		"/":                              "home",
		"/articles/2024/":                "articles-year",
		"/articles/2024/11/hello-world/": "article",
		"/archive/1999/":                 "archive",
		"/blog/":                         "blog:index",
		"/blog/first-post/":              "blog:post",
		"/api/status":                    "api-status",
		"/static/logo.png":               "logo",
		"/echo/":                         "echo",
		"/boom/":                         "boom",
		"/old-blog/":                     "old-blog",
		"/files/notes/week1.txt":         "file",
		"/items/123e4567-e89b-12d3-a456-426614174000/": "item",
	} {
		r := c.Resolve(path)
		if r.Match == nil || r.Match.Name != name {
			t.Errorf("%s: match %+v, want %s", path, r.Match, name)
		}
	}
	if r := c.Resolve("/nope/"); r.Match != nil {
		t.Errorf("/nope/ matched %s", r.Match.Name)
	}
	if u, err := c.Reverse("blog:index", nil); err != nil || u != "/blog/" {
		t.Errorf("reverse blog:index = %q, %v", u, err)
	}
	if len(DemoSource()) == 0 {
		t.Error("DemoSource is empty")
	}
}

// TestDjangoAcceptsTheseRoutes: URL files Django loads load here too, and
// where a route cannot match, the reason says why.
func TestDjangoAcceptsTheseRoutes(t *testing.T) {
	c := conf(t, `urlpatterns = [
    path("/lead/", json(), name="lead"),
    path("with space/", json(), name="space"),
    path("année/<int:année>/", json(), name="annee"),
    re_path(r"^digits/(\d+)/$", json(), name="digits"),
]`)
	cases := []struct {
		path, name, why string
	}{
		{"/lead/", "", "remove the slash from '/lead/'"},
		{"/with space/", "space", ""},
		{"/année/2024/", "annee", ""},
		{"/digits/٣/", "digits", ""}, // Python's \d is any Unicode digit
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := c.Resolve(tc.path)
			if tc.name == "" {
				if r.Match != nil || !strings.Contains(r.Tried[0].Why, tc.why) {
					t.Fatalf("match %+v, why %q", r.Match, r.Tried[0].Why)
				}
				return
			}
			if r.Match == nil || r.Match.Name != tc.name {
				t.Fatalf("no match for %s: %+v", tc.path, r.Tried)
			}
		})
	}
	if _, err := Parse("x.py", []byte(`urlpatterns = [re_path(r"^(?P<a>x)(?P=a)$", json())]`), nil); err == nil || !strings.Contains(err.Error(), "Django accepts this, but journey's regexp engine") {
		t.Errorf("a backreference: %v", err)
	}
}

// TestRegexNotesWhenTheyMatter: where Go's regexp still reads a pattern
// differently from Python's re, the resolution says so, but only for a
// path where the difference can show.
func TestRegexNotesWhenTheyMatter(t *testing.T) {
	c := conf(t, `urlpatterns = [
    re_path(r"^w/\bx", json(), name="b"),
    re_path(r"^end/$", json(), name="end"),
]`)
	cases := []struct {
		path string
		note string // "" for none
	}{
		{"/w/x", ""},
		{"/w/éx", `\b is a word boundary between ASCII letters here`},
		{"/end/", ""},
		{"/end/\n", "before a final newline"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := c.Resolve(tc.path)
			notes := strings.Join(r.Notes, "\n")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want %q", notes, tc.note)
			}
		})
	}
}

// TestFullmatchWhy: an endpoint re_path ending in $ that would match
// inside the path says Django wants the whole of it.
func TestFullmatchWhy(t *testing.T) {
	c := conf(t, `urlpatterns = [
    re_path(r"end/$", json(), name="end"),
]`)
	r := c.Resolve("/x/end/")
	if r.Match != nil {
		t.Fatalf("matched %s: Django's fullmatch would not", r.Match.Route)
	}
	if !strings.Contains(r.Tried[0].Why, "whole remaining path") {
		t.Errorf("why = %q", r.Tried[0].Why)
	}
	if r := c.Resolve("/end/"); r.Match == nil {
		t.Errorf("/end/ does not match")
	}
}
