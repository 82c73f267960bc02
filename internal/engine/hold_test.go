package engine

import (
	"context"
	"sync"
	"testing"
	"time"

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
