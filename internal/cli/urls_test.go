package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"journey/internal/router"
)

func TestCheckURLs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(src), 0o644)
		return p
	}
	cases := []struct {
		name string
		path string
		want string // "" for no error
	}{
		{"good", write("good.urls", "urlpatterns = [\n    path(\"a/<int:n>/\", json(), name=\"a\"),\n]\n"), ""},
		{"unknown converter", write("conv.urls", "urlpatterns = [\n\n    path(\"a/<integer:n>/\", json()),\n]\n"), "conv.urls:3: "},
		{"syntax", write("syn.urls", "urlpatterns = [\n    path(\"a/\" json()),\n]\n"), "syn.urls:2: syntax error"},
		{"missing", filepath.Join(dir, "missing.urls"), "missing.urls"},
		// The README's recipe: journey lab urls > urls.py, then --urls urls.py
		// with no logo.png next to it.
		{"demo copied as it is", write("urls.py", string(router.DemoSource())), ""},
		{"static file nowhere", write("nofile.urls", "urlpatterns = [\n    path(\"a\", static(\"nope.png\")),\n]\n"), "nofile.urls:2: static('nope.png'): missing file: there is no nope.png"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkURLs(tc.path)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v (%T), want a usage error (exit 2)", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line with %q", err, tc.want)
			}
		})
	}
}
