package plain_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/plain"
	"journey/internal/trace"
)

// TestStreamEqualsRender: the report printed while a journey streams is
// byte for byte the report of the finished journey, redirects included.
func TestStreamEqualsRender(t *testing.T) {
	// A site whose /away/ sends the client to another host, so following the
	// redirect adds DNS lookups after the DNS stage first ended.
	urls := filepath.Join(t.TempDir(), "urls.py")
	if err := os.WriteFile(urls, []byte(`urlpatterns = [
    path("", template("<h1>home</h1>"), name="home"),
    path("away/", redirect("http://www.example.org/"), name="away"),
]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0, URLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		target string
		follow bool
		titled bool // the first line printed before the journey starts, as the cli does while the lab starts
	}{
		{"www.example.com", false, false},
		{"www.example.com/away/", true, false},
		{"nope.example.com", false, false},
		{"www.example.com", false, true},
		{"www.example.com/away/", true, true},
	} {
		name := tc.target
		if tc.titled {
			name += ", title first"
		}
		t.Run(name, func(t *testing.T) {
			a, err := address.Parse(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(),
				RootCAs: l.RootCAs(), ServerStages: l.ServerStages, FollowRedirects: tc.follow, Timeout: time.Second}
			var streamed, rendered bytes.Buffer
			s := plain.NewStream(&streamed, plain.Options{Bytes: true}, tc.follow)
			if tc.titled {
				s.Title("test", cfg.Mode, tc.target)
				if !bytes.Contains(streamed.Bytes(), []byte(tc.target)) {
					t.Errorf("the title does not name the target: %q", streamed.String())
				}
			}
			updates := 0
			rec := trace.NewRecorder(tc.target, cfg.Mode, "test", func(ev trace.Event) {
				if ev.Kind != trace.EventJourneyDone {
					s.Update(ev.Journey)
					updates++
				}
			}, nil)
			final := rec.Finish(engine.Run(context.Background(), cfg, rec))
			s.Finish(final)
			plain.Render(&rendered, final, plain.Options{Bytes: true})
			if tc.follow && !bytes.Contains(rendered.Bytes(), []byte("www.example.org. A")) {
				t.Errorf("the redirect's lookup of www.example.org is not in the report:\n%s", rendered.String())
			}
			if updates < 5 {
				t.Errorf("only %d updates: the journey did not stream", updates)
			}
			if !bytes.Equal(streamed.Bytes(), rendered.Bytes()) {
				t.Errorf("streamed report differs from the rendered one\nstreamed:\n%s\nrendered:\n%s", streamed.String(), rendered.String())
			}
		})
	}
}
