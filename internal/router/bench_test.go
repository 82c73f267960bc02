package router

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchPatterns is a 100-pattern configuration: 25 sections of four
// routes each, with int, slug and str converters, as a mid-sized site has.
// muxPatterns is the same 100 routes in net/http's ServeMux syntax.
func benchPatterns() (urlfile string, mux []string) {
	var b strings.Builder
	b.WriteString("urlpatterns = [\n")
	for i := range 25 {
		for _, r := range [][2]string{
			{"section%d/", "/section%d/{$}"},
			{"section%d/<int:id>/", "/section%d/{id}/{$}"},
			{"section%d/<int:id>/<slug:slug>/", "/section%d/{id}/{slug}/{$}"},
			{"section%d/tag/<str:tag>/", "/section%d/tag/{tag}/{$}"},
		} {
			fmt.Fprintf(&b, "    path(%q, json()),\n", fmt.Sprintf(r[0], i))
			mux = append(mux, fmt.Sprintf(r[1], i))
		}
	}
	b.WriteString("]\n")
	return b.String(), mux
}

// benchPaths: the first pattern, the 50th, the 100th, and one matching none.
var benchPaths = []struct{ name, path string }{
	{"first", "/section0/"},
	{"middle", "/section12/1234/"},
	{"last", "/section24/tag/go/"},
	{"none", "/nope/"},
}

func BenchmarkResolve100(b *testing.B) {
	src, _ := benchPatterns()
	c := conf(b, src)
	for _, p := range benchPaths {
		if (c.Lookup(p.path) == nil) != (p.name == "none") {
			b.Fatalf("%s: unexpected match result", p.path)
		}
		b.Run("traced/"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Resolve(p.path)
			}
		})
		b.Run("lookup/"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Lookup(p.path)
			}
		})
	}
}

// BenchmarkServeMux100 is net/http's ServeMux on the same 100 routes, for
// comparison: its wildcards match any segment (no converters), and it
// finds a pattern by a tree, not by trying each in order.
func BenchmarkServeMux100(b *testing.B) {
	_, pats := benchPatterns()
	mux := http.NewServeMux()
	for _, p := range pats {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	for _, p := range benchPaths {
		req := httptest.NewRequest("GET", p.path, nil)
		_, pat := mux.Handler(req)
		if (pat == "") != (p.name == "none") {
			b.Fatalf("%s: ServeMux matched %q", p.path, pat)
		}
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mux.Handler(req)
			}
		})
	}
}
