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
	"journey/internal/waterfall"
)

// TestLabJourneyHTTP runs whole journeys in the lab: DNS, connect (with
// TLS), HTTP with a redirect followed, and the server side.
func TestLabJourneyHTTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := startLab(t, lab.Options{})
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
	l := startLab(t, lab.Options{URLs: urls})
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

// TestLabJourneyStep runs journeys in step mode through the lab: a person
// holds every packet longer than --timeout, and the journey must still
// complete, with the time to first byte still showing the lab's web
// latency (counted from the request, not from the connection).
func TestLabJourneyStep(t *testing.T) {
	// The timeout leaves room for the lab's round trip (100 ms) and web
	// server time (15 ms) on a busy machine; each pause is longer than it.
	const (
		timeout = 400 * time.Millisecond
		pause   = 500 * time.Millisecond
	)
	for _, latency := range []time.Duration{0, 100 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		t.Cleanup(cancel) // after the parallel subtests, unlike defer
		l, err := lab.Start(ctx, lab.Options{Latency: latency, Step: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		for _, url := range []string{"http://www.example.com/", "https://www.example.com/"} {
			t.Run(fmt.Sprintf("%s latency %s", url, latency), func(t *testing.T) {
				t.Parallel() // each waits for its own pauses
				target, err := address.Parse(url)
				if err != nil {
					t.Fatal(err)
				}
				cfg := Config{Target: target, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(),
					RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: timeout}
				held := map[trace.StageKind]int{}
				rec := trace.NewRecorder(url, trace.ModeLab, "test", nil, func(ctx context.Context, p trace.Pending) error {
					held[p.Stage]++
					select {
					case <-time.After(pause):
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				})
				err = Run(ctx, cfg, rec)
				j := rec.Finish(err)
				if err != nil {
					t.Fatalf("with %s pauses and a %s timeout: %v", pause, timeout, err)
				}
				wantConnect := 1 // the SYN
				if target.Scheme == "https" {
					wantConnect = 2 // and the ClientHello
				}
				if held[trace.StageConnect] != wantConnect || held[trace.StageHTTP] != 1 {
					t.Errorf("packets held per stage: %v", held)
				}
				h := j.Stage(trace.StageHTTP).HTTP
				if h.Status != 200 {
					t.Fatalf("status %d", h.Status)
				}
				tm := h.Hops[0].Timing
				if tm.TTFB < latency {
					t.Errorf("time to first byte %s is less than the lab's web latency %s", tm.TTFB, latency)
				}
				if tm.TTFB >= latency+pause || tm.Total >= latency+pause {
					t.Errorf("a pause counts in the timings: %+v", tm)
				}
			})
		}
	}
}
