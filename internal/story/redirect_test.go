package story_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/router"
	"journey/internal/story"
	"journey/internal/trace"
)

// TestRedirectToAnotherHost follows (-L) a redirect to another host: its
// lookup is recorded at the end of the DNS stage, and told where it
// happened, after the redirect and before the new connection.
func TestRedirectToAnotherHost(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	src := string(router.DemoSource())
	const away = `    path("away/", redirect("http://www.example.org/"), name="away"),` + "\n"
	i := strings.Index(src, `    path("old/"`)
	if i < 0 {
		t.Fatal("the demo site has no old/ pattern to add a redirect beside")
	}
	urls := filepath.Join(t.TempDir(), "urls.py")
	if err := os.WriteFile(urls, []byte(src[:i]+away+src[i:]), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0, URLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := address.Parse("www.example.com/away/")
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
		RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: time.Second, FollowRedirects: true, URLs: urls}
	rec := trace.NewRecorder(a.Input, cfg.Mode, "test", nil, nil)
	j := rec.Finish(engine.Run(context.Background(), cfg, rec))
	if j.Error != "" {
		t.Fatalf("journey failed: %s", j.Error)
	}
	s := story.Build(j)
	checkFits(t, s)
	checkOrder(t, s)
	got := kinds(s)
	const dns3 = "query reply query reply query reply"
	// www.example.org's nameservers come without glue: six questions,
	// three of them a lookup inside the lookup.
	want := "address " + dns3 + " connect request response redirect " + dns3 + " " + dns3 + " connect request"
	if !strings.HasPrefix(got, want) {
		t.Errorf("kinds\n got %s\nwant %s …", got, want)
	}
	for _, st := range s.Steps {
		if st.Kind == story.KindQuery && strings.Contains(st.Title, "www.example.org") {
			if !strings.Contains(st.Narration, "The redirect leads to another host") {
				t.Errorf("the new host's first question does not say why it is asked:\n%s", st.Narration)
			}
			break
		}
	}
}

// TestRedirectWhileRunning: in step mode the redirect is told while the
// HTTP stage still runs (its hops not in yet): the step still says where
// it leads, from the response's own Location.
func TestRedirectWhileRunning(t *testing.T) {
	j := *recorded(t)["redirect.json"]
	j.Stages = slices.Clone(j.Stages)
	for i, s := range j.Stages {
		if s.Kind == trace.StageHTTP {
			running := *s
			running.Status, running.HTTP = trace.StatusRunning, nil
			j.Stages[i] = &running
		}
	}
	for _, st := range story.Build(&j).Steps {
		if st.Kind == story.KindRedirect {
			if !strings.Contains(st.Title, "/blog/") || !strings.Contains(st.Narration, "302 Found") {
				t.Errorf("the redirect step while the stage runs: %q, %q", st.Title, st.Narration)
			}
			return
		}
	}
	t.Error("no redirect step")
}
