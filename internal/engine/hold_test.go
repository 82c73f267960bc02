package engine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/lab"
	"journey/internal/trace"
)

// TestHoldServer runs a journey whose lab web server waits for the class
// (--step): each of the server's waits is longer than the client's
// --timeout, and the journey completes all the same, with the server's own
// time as its time to first byte and the server's stages placed after the
// request on the journey's clock.
func TestHoldServer(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, target := range []string{"www.example.com/articles/2024/", "https://www.example.com/"} {
		t.Run(target, func(t *testing.T) {
			cfg, l := labConfig(t, target)
			cfg.Timeout = timeout
			cfg.HoldServer = l.HoldServer
			var mu sync.Mutex
			var held []trace.StageKind
			var rec *trace.Recorder
			var atResponse *trace.Journey // the trace while the response waits to leave
			gate := func(ctx context.Context, p trace.Pending) error {
				if p.Stage == trace.StageGateway || p.Stage == trace.StageRouter {
					mu.Lock()
					held = append(held, p.Stage)
					if p.Stage == trace.StageRouter {
						atResponse = rec.Snapshot()
					}
					mu.Unlock()
					select { // the class reads longer than the client waits
					case <-time.After(timeout * 2):
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			}
			rec = trace.NewRecorder(target, trace.ModeLab, "test", nil, gate)
			err := Run(context.Background(), cfg, rec)
			j := rec.Finish(err)
			if err != nil {
				t.Fatalf("journey failed: %v (%s)", err, statuses(j))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(held) != 2 || held[0] != trace.StageGateway || held[1] != trace.StageRouter {
				t.Errorf("the server waited at %v, want [gateway router]", held)
			}
			// While the response waits, the request is recorded as in
			// flight and the server's side is already there: a class sees
			// the server work before the response leaves.
			if atResponse == nil {
				t.Fatal("no trace taken while the response waited")
			}
			if h := atResponse.Stage(trace.StageHTTP); h == nil || len(h.Exchanges) == 0 || !h.Exchanges[len(h.Exchanges)-1].InFlight {
				t.Error("while the response waits, the request is not recorded as in flight")
			}
			for _, k := range []trace.StageKind{trace.StageGateway, trace.StageRouter} {
				if st := atResponse.Stage(k); st == nil || st.Status != trace.StatusDone {
					t.Errorf("while the response waits, the %s stage is not there: %+v", k, st)
				}
			}
			for _, e := range j.Stage(trace.StageHTTP).Exchanges {
				if e.InFlight {
					t.Errorf("the finished journey still has an exchange in flight: %s", e.Label)
				}
			}
			if g, before := j.Stage(trace.StageGateway), atResponse.Stage(trace.StageGateway); g != nil && before != nil && g.Start != before.Start {
				t.Errorf("the gateway moved on the journey's clock once the response came: %v, then %v", before.Start, g.Start)
			}
			hop := j.Stage(trace.StageHTTP).HTTP.Hops[0]
			if hop.Timing.TTFB >= timeout {
				t.Errorf("time to first byte %v counts the class's pause", hop.Timing.TTFB)
			}
			g := j.Stage(trace.StageGateway)
			if g.Start < hop.Timing.WriteStart || g.Start > hop.Timing.FirstByte {
				t.Errorf("the gateway starts at %v, not between the request written (%v) and the first byte back (%v)", g.Start, hop.Timing.WriteStart, hop.Timing.FirstByte)
			}
			if c := j.Stage(trace.StageConnect); c == nil || len(c.Exchanges) == 0 || c.Exchanges[0].Peer.Via == "" {
				t.Error("the connection's peer lost its lab route (Via) through the held dialer")
			}
			if j.Duration > time.Second {
				t.Errorf("the journey took %v on its clock: the pauses were counted", j.Duration)
			}
		})
	}
}

// TestHoldReleased checks that a journey without HoldServer, after one
// with it, is not held: the server is given back when the journey ends.
func TestHoldReleased(t *testing.T) {
	cfg, l := labConfig(t, "www.example.com")
	cfg.HoldServer = l.HoldServer
	rec := trace.NewRecorder("www.example.com", trace.ModeLab, "test", nil, func(context.Context, trace.Pending) error { return nil })
	if err := Run(context.Background(), cfg, rec); err != nil {
		t.Fatal(err)
	}
	cfg.HoldServer = nil
	stuck := func(ctx context.Context, p trace.Pending) error {
		if p.Stage == trace.StageGateway || p.Stage == trace.StageRouter {
			t.Errorf("a journey without HoldServer was held at %s", p.Stage)
		}
		return nil
	}
	rec = trace.NewRecorder("www.example.com", trace.ModeLab, "test", nil, stuck)
	if err := Run(context.Background(), cfg, rec); err != nil {
		t.Fatal(err)
	}
}

func TestRedirects(t *testing.T) {
	for _, tt := range []struct {
		name string
		resp string
		want bool
	}{
		{"302 with Location", "HTTP/1.1 302 Found\r\nLocation: /blog/\r\nContent-Length: 0\r\n\r\n", true},
		{"301, location in lower case", "HTTP/1.1 301 Moved Permanently\r\nlocation: /x\r\n\r\n", true},
		{"304 has no Location", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", false},
		{"200", "HTTP/1.1 200 OK\r\nLocation: /x\r\n\r\nbody", false},
		{"Location only in the body", "HTTP/1.1 302 Found\r\nContent-Length: 12\r\n\r\nLocation: /x", false},
		{"garbage", "\x00\x01", false},
		{"empty", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := redirects([]byte(tt.resp)); got != tt.want {
				t.Errorf("redirects(%q) = %v, want %v", tt.resp, got, tt.want)
			}
		})
	}
}

// TestHoldRedirectFollowed: with -L in step mode, the server's side of a
// redirect followed is not shown while its response waits (the server
// side a journey shows is its last request's); the last request's is, and
// the finished journey has it.
func TestHoldRedirectFollowed(t *testing.T) {
	cfg, l := labConfig(t, "www.example.com/old-blog/")
	cfg.HoldServer = l.HoldServer
	cfg.FollowRedirects = true
	var rec *trace.Recorder
	var mu sync.Mutex
	var shown []bool // at each response's wait: is a gateway stage there?
	gate := func(ctx context.Context, p trace.Pending) error {
		if p.Stage == trace.StageRouter {
			g := rec.Snapshot().Stage(trace.StageGateway)
			mu.Lock()
			shown = append(shown, g != nil && g.Gateway != nil)
			mu.Unlock()
		}
		return nil
	}
	rec = trace.NewRecorder("www.example.com/old-blog/", trace.ModeLab, "test", nil, gate)
	err := Run(context.Background(), cfg, rec)
	j := rec.Finish(err)
	if err != nil {
		t.Fatalf("journey failed: %v (%s)", err, statuses(j))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(shown) != 2 || shown[0] || !shown[1] {
		t.Errorf("server side shown at the responses' waits: %v, want [false true] (the redirect's hidden, the page's shown)", shown)
	}
	if g := j.Stage(trace.StageGateway); g == nil || g.Gateway == nil || !strings.Contains(string(g.Exchanges[0].Sent.Bytes), "GET /blog/") {
		t.Errorf("the finished journey's server side is not the last request's")
	}
}

// TestHoldKeepsTheLinksTime: in step mode the lab's server waits for the
// class, and the response still takes its trip back over the link: the
// time to first byte is at least the round trip, as without the waits
// (the link model dated the answer from the request's arrival, before the
// class's pause, and the trip back was lost in it).
func TestHoldKeepsTheLinksTime(t *testing.T) {
	const rtt = 60 * time.Millisecond
	l := startLab(t, lab.Options{Latency: rtt})
	a, err := address.Parse("www.example.com")
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	cfg := Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
		ServerStages: l.ServerStages, Timeout: time.Second, HoldServer: l.HoldServer}
	gate := func(ctx context.Context, p trace.Pending) error {
		if p.Stage == trace.StageGateway || p.Stage == trace.StageRouter {
			select { // the class reads for longer than the round trip
			case <-time.After(3 * rtt):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	rec := trace.NewRecorder("www.example.com", trace.ModeLab, "test", nil, gate)
	err = Run(context.Background(), cfg, rec)
	j := rec.Finish(err)
	if err != nil {
		t.Fatalf("journey failed: %v (%s)", err, statuses(j))
	}
	ttfb := j.Stage(trace.StageHTTP).HTTP.Hops[0].Timing.TTFB
	// The lab's links vary ±10% per connection; above, only a bound that
	// holds on a loaded machine under -race (the class's waits are 3 round
	// trips each: counting them would add 6).
	if ttfb < rtt*9/10-2*time.Millisecond || ttfb > rtt+5*rtt {
		t.Errorf("time to first byte %s with a round trip of %s and the class's waits of %s each", ttfb, rtt, 3*rtt)
	}
}
