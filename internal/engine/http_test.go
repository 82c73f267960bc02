package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/lab"
	"journey/internal/trace"
	"journey/internal/waterfall"
)

// TestLabJourneyHTTP runs whole journeys in the lab: DNS, connect (with
// TLS), HTTP with a redirect followed, and the server side.
func TestLabJourneyHTTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tests := []struct {
		url    string
		follow bool
		hops   int
		status int
	}{
		{"http://www.example.com/", false, 1, 200},
		{"https://www.example.com/", false, 1, 200},
		{"http://www.example.com/old-blog/", false, 1, 302},
		{"https://www.example.com/old-blog/", true, 2, 200},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			target, err := address.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Target: target, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(),
				RootCAs: l.RootCAs(), ServerStages: l.ServerStages, FollowRedirects: tt.follow}
			rec := trace.NewRecorder(tt.url, trace.ModeLab, "test", nil, nil)
			err = Run(ctx, cfg, rec)
			j := rec.Finish(err)
			if err != nil {
				t.Fatalf("journey failed: %v", err)
			}
			h := j.Stage(trace.StageHTTP).HTTP
			if len(h.Hops) != tt.hops || h.Status != tt.status {
				t.Fatalf("%d hops, status %d; want %d, %d", len(h.Hops), h.Status, tt.hops, tt.status)
			}
			last := j.Stage(trace.StageHTTP).Exchanges[h.Hops[len(h.Hops)-1].Exchange]
			if !strings.Contains(string(last.Sent.Bytes), "User-Agent: journey/test\r\n") {
				t.Errorf("request:\n%s", last.Sent.Bytes)
			}
			if g := j.Stage(trace.StageGateway); g.Status != trace.StatusDone {
				t.Errorf("gateway stage %s %v: the server side did not find our connection", g.Status, g.Notes)
			}
			if tt.follow && h.Redirects != 1 {
				t.Errorf("%d redirects followed, want 1", h.Redirects)
			}
			rows := waterfall.Rows(j)
			var dnsRows, httpRows int
			for _, r := range rows {
				switch r.Kind {
				case trace.StageDNS:
					dnsRows++
				case trace.StageHTTP:
					httpRows++
				}
			}
			if dnsRows < 3 || httpRows < 3 {
				t.Errorf("waterfall: %d DNS rows, %d HTTP rows", dnsRows, httpRows)
			}
		})
	}
}

// TestRedirectLookupNote checks the note on a redirect's lookup says where
// its exchanges are in words true wherever the note is printed.
func TestRedirectLookupNote(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A site whose /away/ leads to another host, which must be looked up.
	urls := filepath.Join(t.TempDir(), "urls.py")
	if err := os.WriteFile(urls, []byte(`urlpatterns = [
    path("away/", redirect("http://www.example.org/"), name="away"),
]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(ctx, lab.Options{URLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	target, err := address.Parse("http://www.example.com/away/")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Target: target, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(),
		RootCAs: l.RootCAs(), ServerStages: l.ServerStages, FollowRedirects: true}
	rec := trace.NewRecorder("http://www.example.com/away/", trace.ModeLab, "test", nil, nil)
	err = Run(ctx, cfg, rec)
	j := rec.Finish(err)
	if err != nil {
		t.Fatal(err)
	}
	var note string
	for _, n := range j.Stage(trace.StageDNS).Notes {
		if strings.Contains(n, "www.example.org") {
			note = n
		}
	}
	if note == "" {
		t.Fatalf("no note on the redirect's lookup: %q", j.Stage(trace.StageDNS).Notes)
	}
	for _, wrong := range []string{"below", "above", "following"} {
		if strings.Contains(note, wrong) {
			t.Errorf("note %q says %q: wrong where notes follow the exchanges, or precede them", note, wrong)
		}
	}
}
