package dns

import (
	"strings"
	"testing"
	"time"

	"journey/internal/trace"
)

// TestRetransmissionTimeout follows one server address through what a
// journey can teach of it, and checks its wait after each event against
// Unbound's rules (util/rtt.c): srtt + 4×rttvar with RFC 6298's first
// sample, the 50 ms floor, 376 ms for a server not measured, the wait that
// passed doubled after a timeout, cleared by the next reply.
func TestRetransmissionTimeout(t *testing.T) {
	const ms = time.Millisecond
	type event struct {
		rtt    time.Duration // a reply after rtt
		waited time.Duration // or no reply within waited
	}
	tests := []struct {
		name   string
		events []event
		want   time.Duration
		words  string
	}{
		{name: "never measured", want: rtoUnknown, words: "not measured yet"},
		{name: "one sample: R + 4×R/2", events: []event{{rtt: 40 * ms}}, want: 120 * ms,
			words: "its measured round trip, 40.0 ms, plus 4 × how much its round trips vary, 20.0 ms"},
		{name: "a steady second sample narrows the variation", events: []event{{rtt: 40 * ms}, {rtt: 40 * ms}}, want: 100 * ms, // rttvar 20 + (0-20)/4 = 15
			words: "plus 4 × how much its round trips vary, 15.0 ms"},
		{name: "a slower sample", events: []event{{rtt: 40 * ms}, {rtt: 80 * ms}}, want: 45*ms + 4*25*ms, // srtt 40 + 40/8, rttvar 20 + (40-20)/4
			words: "its measured round trip, 45.0 ms"},
		{name: "a near server gets the floor", events: []event{{rtt: 2 * ms}}, want: rtoMin, words: "the least any query waits"},
		{name: "a timeout doubles the wait", events: []event{{waited: rtoUnknown}}, want: 2 * rtoUnknown,
			words: "twice its last wait, 376.0 ms, which passed with no reply"},
		{name: "each timeout doubles again", events: []event{{waited: rtoUnknown}, {waited: 2 * rtoUnknown}}, want: 4 * rtoUnknown,
			words: "twice its last wait, 752.0 ms"},
		{name: "two queries lost at once double it once", events: []event{{waited: rtoUnknown}, {waited: rtoUnknown}}, want: 2 * rtoUnknown},
		{name: "a measured server's timeout doubles", events: []event{{rtt: 40 * ms}, {waited: 120 * ms}}, want: 240 * ms},
		{name: "a reply ends the backoff", events: []event{{rtt: 40 * ms}, {waited: 120 * ms}, {rtt: 40 * ms}}, want: 100 * ms},
		{name: "backoff stops at Unbound's maximum", events: []event{{waited: 100 * time.Second}}, want: rtoMax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newState(FamilyAny)
			const addr = "192.0.2.1:53"
			for _, e := range tc.events {
				if e.waited > 0 {
					st.observe(addr, e.waited, noReply{addr: addr, wait: wait{d: e.waited}}, e.waited)
				} else {
					st.observe(addr, e.rtt, nil, 0)
				}
			}
			got, why := st.rtoWhy(addr)
			if got != tc.want {
				t.Errorf("wait %s, want %s (%s)", trace.Dur(got), trace.Dur(tc.want), why)
			}
			if !strings.Contains(why, tc.words) {
				t.Errorf("why %q does not say %q", why, tc.words)
			}
		})
	}
}

// TestWaitBounds: --timeout (or the question's own bound) caps the wait
// and says so; TCP and a recursive resolver get the whole bound.
func TestWaitBounds(t *testing.T) {
	const addr = "192.0.2.1:53"
	q := question{server: Server{Addr: addr}, adaptive: true}
	tests := []struct {
		name     string
		timeout  time.Duration
		q        question
		network  string
		backoffs int
		want     time.Duration
		words    []string
	}{
		{name: "under the bound", timeout: 2 * time.Second, q: q, network: "udp", want: rtoUnknown},
		{name: "capped by --timeout", timeout: 300 * time.Millisecond, q: q, network: "udp", want: 300 * time.Millisecond,
			words: []string{"the most one exchange waits (--timeout), less than this server's own wait, 376.0 ms"}},
		{name: "backoff capped by --timeout", timeout: 2 * time.Second, q: q, network: "udp", backoffs: 3, want: 2 * time.Second,
			words: []string{"(--timeout), less than this server's own wait, 3008.0 ms"}},
		{name: "TCP gets the whole bound", timeout: 2 * time.Second, q: q, network: "tcp", want: 2 * time.Second,
			words: []string{"TCP resends lost segments itself"}},
		{name: "a recursive resolver gets the whole bound", timeout: 2 * time.Second, q: question{server: Server{Addr: addr}, rd: true}, network: "udp",
			want: 2 * time.Second, words: []string{"may walk the tree before it answers"}},
		{name: "a fixed wait", timeout: 2 * time.Second, q: question{server: Server{Addr: addr}, timeout: time.Second, timeoutWhy: "resolv.conf's timeout:1 option"},
			network: "udp", want: time.Second, words: []string{"resolv.conf's timeout:1 option"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newState(FamilyAny)
			r := &Resolver{Timeout: tc.timeout}
			for range tc.backoffs {
				st.mu.Lock()
				st.timedOut(addr, st.rtoLocked(addr))
				st.mu.Unlock()
			}
			w := r.wait(st, tc.q, tc.network)
			if w.d != tc.want {
				t.Errorf("wait %s, want %s (%s)", trace.Dur(w.d), trace.Dur(tc.want), w.why)
			}
			for _, s := range tc.words {
				if !strings.Contains(w.why, s) {
					t.Errorf("why %q does not say %q", w.why, s)
				}
			}
			if msg := (noReply{addr: addr, wait: w}).Error(); !strings.HasPrefix(msg, "no reply from "+addr+" within "+trace.Dur(tc.want)+": ") {
				t.Errorf("the timeout reads %q", msg)
			}
		})
	}
}
