package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/lab"
	"journey/internal/trace"
)

// TestServerSideLab runs journeys in the lab and checks the gateway and
// router stages are the web server's own, placed on the journey's axis.
func TestServerSideLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := startLab(t, lab.Options{})
	cases := []struct {
		url       string
		status    int
		converter string // name=value of the first converter, if any
		matched   bool
	}{
		{"http://www.example.com/articles/2024/", 200, "year=2024", true},
		{"https://www.example.com/blog/hello/", 200, "slug='hello'", true},
		{"http://www.example.com/articles/2024", 301, "", false},
		{"http://www.example.com/nope/", 404, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			target, err := address.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Target: target, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(), RootCAs: l.RootCAs(), ServerStages: l.ServerStages}
			rec := trace.NewRecorder(tc.url, trace.ModeLab, "test", nil, nil)
			err = Run(ctx, cfg, rec)
			j := rec.Finish(err)
			if err != nil {
				t.Fatalf("journey failed: %v", err)
			}
			gw, rt, ht := j.Stage(trace.StageGateway), j.Stage(trace.StageRouter), j.Stage(trace.StageHTTP)
			if gw.Status != trace.StatusDone || gw.Gateway == nil || gw.Gateway.Reenacted {
				t.Fatalf("gateway stage %s %+v %v", gw.Status, gw.Gateway, gw.Notes)
			}
			if gw.Gateway.Response.Status != tc.status {
				t.Errorf("server answered %d, want %d", gw.Gateway.Response.Status, tc.status)
			}
			// The server's moments, rebased, fall inside the HTTP exchange
			// that carried the request.
			if gw.Start < ht.Start || gw.Start+gw.Duration > j.Duration {
				t.Errorf("gateway at %v+%v, HTTP stage from %v, journey %v", gw.Start, gw.Duration, ht.Start, j.Duration)
			}
			for _, st := range gw.Gateway.Steps {
				if st.Start < gw.Start {
					t.Errorf("step %q at %v, before its stage at %v", st.Name, st.Start, gw.Start)
				}
			}
			if rt.Router == nil || (rt.Router.Match != nil) != tc.matched {
				t.Fatalf("router %+v", rt.Router)
			}
			if tc.converter != "" {
				c := rt.Router.Match.Converters[0]
				if c.Name+"="+c.Value != tc.converter {
					t.Errorf("converter %s=%s, want %s", c.Name, c.Value, tc.converter)
				}
			}
			if rt.Start < gw.Start || rt.Start > gw.Start+gw.Duration {
				t.Errorf("router at %v, outside the gateway %v+%v", rt.Start, gw.Start, gw.Duration)
			}
		})
	}
}

func TestReenact(t *testing.T) {
	dir := t.TempDir()
	urls := filepath.Join(dir, "site.urls")
	os.WriteFile(urls, []byte("urlpatterns = [\n    path(\"hello/<str:name>/\", template(\"<p>Hello {{ name }}</p>\"), name=\"hello\"),\n]\n"), 0o644)
	req := []byte("GET /hello/ada/ HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: journey/test\r\n\r\n")
	cases := []struct {
		name   string
		urls   string
		got    *fetched
		status trace.Status
		view   string
	}{
		{"demo site", "", &fetched{Request: []byte("GET /articles/2024/ HTTP/1.1\r\nHost: www.example.org\r\n\r\n"), Local: "192.0.2.9:5000", Scheme: "http", Remote: "203.0.113.7:80"}, trace.StatusDone, "template"},
		{"--urls file", urls, &fetched{Request: req, Local: "192.0.2.9:5000", Scheme: "https", Remote: "203.0.113.7:443"}, trace.StatusDone, "template"},
		{"no request", "", nil, trace.StatusSkipped, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := trace.NewRecorder("x", trace.ModeLive, "test", nil, nil)
			if err := runServerSide(context.Background(), Config{URLs: tc.urls}, rec, tc.got); err != nil {
				t.Fatal(err)
			}
			j := rec.Finish(nil)
			gw, rt := j.Stage(trace.StageGateway), j.Stage(trace.StageRouter)
			if gw.Status != tc.status || rt.Status != tc.status {
				t.Fatalf("stages %s %s, want %s (%v)", gw.Status, rt.Status, tc.status, gw.Notes)
			}
			if tc.status == trace.StatusSkipped {
				if len(gw.Notes) == 0 || !strings.Contains(gw.Notes[0], "no request reached a server") {
					t.Errorf("skip notes %q", gw.Notes)
				}
				return
			}
			if !gw.Gateway.Reenacted || !strings.Contains(gw.Notes[0], "re-enacted") || !strings.Contains(gw.Notes[0], "runs its own server software") {
				t.Errorf("re-enactment not said: %v %q", gw.Gateway.Reenacted, gw.Notes)
			}
			if !strings.Contains(rt.Notes[0], "re-enacted") {
				t.Errorf("router notes %q", rt.Notes)
			}
			if !strings.HasPrefix(rt.Router.View, tc.view) || gw.Gateway.Client != tc.got.Local {
				t.Errorf("view %q, client %q", rt.Router.View, gw.Gateway.Client)
			}
			if gw.Start <= 0 || gw.Start > j.Duration {
				t.Errorf("gateway at %v, journey %v: not rebased", gw.Start, j.Duration)
			}
		})
	}
}

// TestServerSideFails checks a failed re-enactment or lab hand-off is
// recorded as the gateway stage failing, with its error, and stays so
// after the engine marks the stages that did not run.
func TestServerSideFails(t *testing.T) {
	dir := t.TempDir()
	got := &fetched{Request: []byte("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), Local: "127.0.0.1:5000", Scheme: "http"}
	cases := []struct {
		name string
		cfg  Config
		want string // in the gateway stage's error
	}{
		{"bad --urls file", Config{URLs: filepath.Join(dir, "missing.urls")}, "missing.urls"},
		{"lab hand-off fails", Config{ServerStages: func(ctx context.Context, client string) ([]*trace.Stage, error) {
			return nil, context.DeadlineExceeded
		}}, "kept no trace for the connection from 127.0.0.1:5000: context deadline exceeded"},
		{"lab hands over nothing", Config{ServerStages: func(ctx context.Context, client string) ([]*trace.Stage, error) {
			return nil, nil
		}}, "kept no trace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := trace.NewRecorder("x", trace.ModeLab, "test", nil, nil)
			err := runServerSide(context.Background(), tc.cfg, rec, got)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to hold %q", err, tc.want)
			}
			err = stageFailed(context.Background(), tc.cfg, rec, trace.StageGateway, err)
			j := rec.Finish(err)
			gw, rt := j.Stage(trace.StageGateway), j.Stage(trace.StageRouter)
			if gw.Status != trace.StatusFailed || !strings.Contains(gw.Error, tc.want) {
				t.Errorf("gateway %s %q, want failed with %q", gw.Status, gw.Error, tc.want)
			}
			if rt.Status != trace.StatusSkipped || len(rt.Notes) == 0 || !strings.Contains(rt.Notes[0], "gateway stage failed") {
				t.Errorf("router %s %q, want skipped after the gateway", rt.Status, rt.Notes)
			}
			if !strings.Contains(err.Error(), "the gateway stage failed") {
				t.Errorf("journey error %q does not name the gateway", err)
			}
		})
	}
}

// TestServerSideAfterRedirects checks that with -L the gateway stage says
// it shows only the last of the requests made.
func TestServerSideAfterRedirects(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := startLab(t, lab.Options{})
	cases := []struct {
		url    string
		follow bool
		note   string // "" when no note about the number of requests is wanted
		path   string // the path the gateway shows
	}{
		{"http://www.example.com/old/", true, "2 requests were made; the server side shown is the last one's", "/blog/"},
		{"http://www.example.com/old/", false, "", "/old/"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s -L=%v", tc.url, tc.follow), func(t *testing.T) {
			target, err := address.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Target: target, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(), RootCAs: l.RootCAs(), ServerStages: l.ServerStages, FollowRedirects: tc.follow}
			rec := trace.NewRecorder(tc.url, trace.ModeLab, "test", nil, nil)
			err = Run(ctx, cfg, rec)
			j := rec.Finish(err)
			if err != nil {
				t.Fatalf("journey failed: %v", err)
			}
			gw := j.Stage(trace.StageGateway)
			if gw.Gateway == nil || gw.Gateway.Target != tc.path {
				t.Fatalf("gateway shows %+v, want the request for %s", gw.Gateway, tc.path)
			}
			found := ""
			for _, n := range gw.Notes {
				if strings.Contains(n, "requests were made") {
					found = n
				}
			}
			if found != tc.note {
				t.Errorf("note %q, want %q (notes %q)", found, tc.note, gw.Notes)
			}
		})
	}
}

// TestReenactStatusDiffers: when the real server's status differs from
// the re-enactment's, both server-side stages say so and why.
func TestReenactStatusDiffers(t *testing.T) {
	cases := []struct {
		name string
		real int
		want bool
	}{
		{"real 404, re-enacted 200", 404, true},
		{"same status", 200, false},
		{"no real status", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := trace.NewRecorder("x", trace.ModeLive, "test", nil, nil)
			if tc.real != 0 {
				rec.SetStage(&trace.Stage{Kind: trace.StageHTTP, Status: trace.StatusDone, HTTP: &trace.HTTP{Status: tc.real}})
			}
			got := &fetched{Request: []byte("GET /articles/2024/ HTTP/1.1\r\nHost: www.example.org\r\n\r\n"), Local: "192.0.2.9:5000", Scheme: "http", Remote: "203.0.113.7:80"}
			if err := runServerSide(context.Background(), Config{}, rec, got); err != nil {
				t.Fatal(err)
			}
			j := rec.Finish(nil)
			for _, kind := range []trace.StageKind{trace.StageGateway, trace.StageRouter} {
				st := j.Stage(kind)
				said := strings.Contains(strings.Join(st.Notes, "\n"), "the real site answered 404 Not Found; this re-enactment answers 200 OK")
				if said != tc.want {
					t.Errorf("%s notes %q: mismatch said %v, want %v", kind, st.Notes, said, tc.want)
				}
				for _, e := range st.Exchanges {
					if !strings.HasPrefix(e.Label, "re-enacted here: ") {
						t.Errorf("%s exchange %q does not say it is a re-enactment", kind, e.Label)
					}
				}
			}
			for _, s := range j.Stage(trace.StageGateway).Gateway.Steps {
				if !strings.HasPrefix(s.Detail, "re-enacted here: ") {
					t.Errorf("step %q: %q does not say it is a re-enactment", s.Name, s.Detail)
				}
			}
			if env := j.Stage(trace.StageGateway).Gateway.Environ; !hasEnv(env, "SERVER_NAME", "203.0.113.7") {
				t.Errorf("SERVER_NAME is not the address connected to: %+v", env)
			}
		})
	}
}

func hasEnv(env []trace.EnvVar, name, value string) bool {
	for _, e := range env {
		if e.Name == name {
			return e.Value == value
		}
	}
	return false
}
