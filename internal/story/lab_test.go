package story_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial"
	"journey/internal/dial/dialtest"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/story"
	"journey/internal/trace"
)

// labTarget is one row of the README's table of things to try in the lab,
// with the options the row gives.
type labTarget struct {
	name       string
	target     string
	follow     bool     // -L
	compressed bool     // --compressed
	headers    []string // -H
	data       string   // -d: a POST with this body
	lossy      bool     // a lab that drops every packet (--lab-loss 100)
	resolver   string
	resolve    []engine.Override
	unrouted   bool // the journey dials a lab address nothing listens on: refused, not a test failure
	warm       bool // --warm: a second visit after the first
}

// labTargets are the README's lab targets, in the table's order.
var labTargets = []labTarget{
	{name: "glue", target: "www.example.com"},
	{name: "no glue", target: "www.example.org"},
	{name: "cname", target: "shop.example.com"},
	{name: "co.uk", target: "www.example.co.uk"},
	{name: "idn", target: "café.example.com"},
	{name: "nxdomain", target: "nope.example.com"},
	{name: "lame", target: "www.lame.example.com"},
	{name: "big", target: "big.example.com"},
	{name: "v6", target: "v6.example.com"},
	{name: "ansi name", target: "ansi.example.com"},
	{name: "loop", target: "loop.example.com"},
	{name: "https", target: "https://www.example.com/"},
	{name: "int converter", target: "www.example.com/articles/2024/"},
	{name: "append slash", target: "www.example.com/articles/2024"},
	{name: "append slash followed", target: "www.example.com/articles/2024", follow: true},
	{name: "include", target: "www.example.com/blog/"},
	{name: "json", target: "www.example.com/api/status"},
	{name: "404", target: "www.example.com/nope/"},
	{name: "500", target: "www.example.com/boom/"},
	{name: "gzip", target: "www.example.com/echo/", compressed: true},
	{name: "chunked", target: "www.example.com/stream/"},
	{name: "hostile page", target: "www.example.com/ansi/"},
	{name: "redirect", target: "www.example.com/old-blog/", follow: true},
	{name: "image", target: "www.example.com/static/logo.png"},
	{name: "post", target: "www.example.com/echo/", data: "name=café"},
	{name: "gzip not decoded", target: "www.example.com/echo/", headers: []string{"Accept-Encoding: gzip"}},
	{name: "loss", target: "www.example.com", lossy: true},
	{name: "resolver", target: "www.example.com", resolver: "192.0.2.1:53"},
	{name: "resolve", target: "www.example.com", resolve: []engine.Override{{Host: "www.example.com", Port: 80, Addr: "203.0.113.10"}}},
	{name: "ip", target: "http://203.0.113.10/"},
	{name: "port not served", target: "http://www.example.com:81/", unrouted: true},
	{name: "warm", target: "https://www.example.com/", warm: true},
}

var (
	labOnce     sync.Once
	labJourneys map[string]*trace.Journey
)

// labRuns runs every lab target once through one in-process lab (no
// latency) and returns the journeys by case name.
func labRuns(t *testing.T) map[string]*trace.Journey {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the lab")
	}
	labOnce.Do(func() {
		l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		lossy, err := lab.Start(context.Background(), lab.Options{Latency: 0, Loss: 100})
		if err != nil {
			t.Fatal(err)
		}
		defer lossy.Close()
		labJourneys = map[string]*trace.Journey{}
		for _, tc := range labTargets {
			l, timeout := l, time.Second
			if tc.lossy {
				// Every packet is lost: each try waits its whole timeout, long enough
				// for a hedge (a second server asked after 50 ms) to leave first.
				l, timeout = lossy, 200*time.Millisecond
			}
			a, err := address.Parse(tc.target)
			if err != nil {
				t.Fatalf("%s: %v", tc.target, err)
			}
			d := l.Dialer()
			d.Refuse = dialtest.Loopback(t).Refuse
			if tc.unrouted {
				d.Refuse = func(network, address string) error { return dial.ErrRefused }
			}
			cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
				RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: timeout, Simulation: l.Simulation(),
				FollowRedirects: tc.follow, Compressed: tc.compressed, Resolver: tc.resolver, Resolve: tc.resolve, Headers: tc.headers}
			if tc.data != "" {
				cfg.Body = &tc.data
				cfg.Method = "POST"
			}
			if tc.warm {
				cfg.Warm = &engine.Warm{}
			}
			rec := trace.NewRecorder(tc.target, cfg.Mode, "test", nil, nil)
			err = engine.Run(context.Background(), cfg, rec)
			labJourneys[tc.name] = rec.Finish(err)
			labJourneys[tc.name].Warm = cfg.Warm.Journey()
		}
	})
	if labJourneys == nil {
		t.Fatal("the lab did not run")
	}
	return labJourneys
}

// TestLossLengthensTheHandshakes: when the lab drops a SYN or a segment of
// the TLS handshake (seed 1 at 30% does both), the connect and the
// handshake say they took more than their round trip, and why.
func TestLossLengthensTheHandshakes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0, Loss: 30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := address.Parse("https://www.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
		RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: 2 * time.Second, Simulation: l.Simulation()}
	rec := trace.NewRecorder(a.Input, cfg.Mode, "test", nil, nil)
	j := rec.Finish(engine.Run(context.Background(), cfg, rec))
	if j.Error != "" {
		t.Fatalf("the journey failed: %s", j.Error)
	}
	said := map[story.Kind]string{}
	for _, st := range story.Build(j).Steps {
		said[st.Kind] += st.Narration
	}
	if !strings.Contains(said[story.KindConnect], "a SYN was lost") {
		t.Errorf("the connect does not say its SYN was lost: %s", said[story.KindConnect])
	}
	if !strings.Contains(said[story.KindTLS], "dropped one of its TCP segments") {
		t.Errorf("the handshake does not say a segment was lost: %s", said[story.KindTLS])
	}
}
