package dns_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dns"
	"journey/internal/trace"
)

// dropping answers www.test. as ns.test's zone would, after delay, except
// that it drops the queries whose number (from 1) drop says, as a lossy
// path would: no reply at all.
func dropping(t *testing.T, delay time.Duration, drop func(n int) bool) mdns.HandlerFunc {
	var count atomic.Int32
	return func(w mdns.ResponseWriter, r *mdns.Msg) {
		if drop(int(count.Add(1))) {
			return
		}
		time.Sleep(delay)
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Authoritative = true
		if r.Question[0].Qtype == mdns.TypeA && strings.EqualFold(r.Question[0].Name, "www.test.") {
			m.Answer = []mdns.RR{mustRR(t, "www.test. 60 IN A 192.0.2.80")}
		} else {
			m.Ns = []mdns.RR{mustRR(t, "test. 60 IN SOA ns.test. admin.test. 1 1 1 1 1")}
		}
		w.WriteMsg(m)
	}
}

// withinRE reads the wait a timeout's words give: "within 376.0 ms".
var withinRE = regexp.MustCompile(`within ([0-9.]+) ms`)

func waitOf(t *testing.T, ex *trace.Exchange) time.Duration {
	t.Helper()
	m := withinRE.FindStringSubmatch(ex.Error)
	if m == nil {
		t.Fatalf("the timeout does not say its wait: %q", ex.Error)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(f * float64(time.Millisecond))
}

// TestRetransmission: a lone server that drops queries is asked again
// after its own retransmission timeout, not after --timeout: 376 ms for a
// server not measured yet, then twice that after each timeout, never more
// than --timeout. Each timeout says how long it waited and why. The
// bounds are wide: a loaded machine delays a timer, never fires it early.
func TestRetransmission(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name    string
		timeout time.Duration
		drops   int             // the first queries dropped
		waits   []time.Duration // each timed-out query's wait
		words   []string        // each timeout's why
	}{
		{name: "one lost query", timeout: 2 * time.Second, drops: 1, waits: []time.Duration{376 * ms},
			words: []string{"a server not measured yet in this journey gets the starting wait"}},
		{name: "backoff doubles the wait", timeout: 2 * time.Second, drops: 3, waits: []time.Duration{376 * ms, 752 * ms, 1504 * ms},
			words: []string{"not measured yet", "twice its last wait, 376.0 ms", "twice its last wait, 752.0 ms"}},
		{name: "--timeout is the ceiling", timeout: 500 * ms, drops: 3, waits: []time.Duration{376 * ms, 500 * ms, 500 * ms},
			words: []string{"not measured yet", "(--timeout), less than this server's own wait, 752.0 ms", "(--timeout), less than this server's own wait, 1000.0 ms"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t)
			n.zones("192.0.2.1", rootZone)
			n.serve("192.0.2.2", dropping(t, 0, func(i int) bool { return i <= tc.drops }))
			rec := trace.NewRecorder("www.test", trace.ModeLab, "test", nil, nil)
			r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: tc.timeout, Hedge: true,
				Roots: []dns.Server{{Name: "root", Addr: "192.0.2.1:53"}}}
			start := time.Now()
			res, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" {
				t.Errorf("addresses %s, want 192.0.2.80", got)
			}
			st := rec.Snapshot().Stage(trace.StageDNS)
			labelsNamePeers(t, st)
			// The root, each dropped query, the one answered.
			if len(st.Exchanges) != 2+tc.drops {
				t.Fatalf("%d exchanges, want %d: %v", len(st.Exchanges), 2+tc.drops, kinds(st))
			}
			var total time.Duration
			for i, want := range tc.waits {
				ex := st.Exchanges[1+i]
				if got := waitOf(t, ex); got != want {
					t.Errorf("query %d waited %s, want %s: %q", i+1, trace.Dur(got), trace.Dur(want), ex.Error)
				}
				if !strings.Contains(ex.Error, tc.words[i]) {
					t.Errorf("query %d's timeout does not say %q: %q", i+1, tc.words[i], ex.Error)
				}
				if !strings.HasSuffix(ex.Label, "no reply within "+trace.Dur(want)) {
					t.Errorf("query %d's label %q does not give its wait", i+1, ex.Label)
				}
				// Timed from the write: never much less than the wait, and
				// on a loaded machine perhaps more, but not --timeout when
				// the wait is shorter.
				if ex.Duration < want-20*ms || ex.Duration > want+(tc.timeout-want)/2+400*ms {
					t.Errorf("query %d took %s, want about %s", i+1, ex.Duration, want)
				}
				next := st.Exchanges[2+i]
				if next.Start < ex.Start+ex.Duration {
					t.Errorf("query %d left at %s, before query %d timed out at %s", i+2, next.Start, i+1, ex.Start+ex.Duration)
				}
				total += want
			}
			if limit := total + time.Second; took > limit {
				t.Errorf("the lookup took %s, want under %s (the waits add up to %s)", took, limit, total)
			}
		})
	}
}

// TestMeasuredServerTimeout: once a server has answered, its wait is its
// measured round trip plus 4 times the variation (RFC 6298's first
// sample: R + 4×R/2 = 3R), not 376 ms. The server answers the A question
// (no such record) after 60 ms, drops the AAAA question, and answers it
// when asked again.
func TestMeasuredServerTimeout(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	n.serve("192.0.2.2", dropping(t, 60*time.Millisecond, func(i int) bool { return i == 2 }))
	rec := trace.NewRecorder("mail.test", trace.ModeLab, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 2 * time.Second, Hedge: true,
		Roots: []dns.Server{{Name: "root", Addr: "192.0.2.1:53"}}}
	_, err := r.Lookup(context.Background(), "mail.test", dns.FamilyAny)
	if err == nil {
		t.Fatal("mail.test has no address in the zone, yet the lookup found one")
	}
	st := rec.Snapshot().Stage(trace.StageDNS)
	// root A, ns.test A (no record), ns.test AAAA dropped, again answered.
	if len(st.Exchanges) != 4 {
		t.Fatalf("%d exchanges, want 4: %v", len(st.Exchanges), kinds(st))
	}
	measured, lost := st.Exchanges[1], st.Exchanges[2]
	if lost.DNS.Kind != trace.DNSError {
		t.Fatalf("the third exchange is %s, want the dropped AAAA query", lost.DNS.Kind)
	}
	rtt := measured.Duration
	want := rtt + 4*(rtt/2)
	got := waitOf(t, lost)
	if d := got - want; d < -time.Millisecond/10 || d > time.Millisecond/10 {
		t.Errorf("waited %s after a round trip of %s, want 3 × that, %s: %q", trace.Dur(got), trace.Dur(rtt), trace.Dur(want), lost.Error)
	}
	for _, w := range []string{"its measured round trip, " + trace.Dur(rtt), "plus 4 × how much its round trips vary, " + trace.Dur(rtt/2)} {
		if !strings.Contains(lost.Error, w) {
			t.Errorf("the timeout does not say %q: %q", w, lost.Error)
		}
	}
	if lost.Duration < 150*time.Millisecond || lost.Duration > time.Second {
		t.Errorf("the dropped query took %s, want about %s (--timeout is 2 s)", lost.Duration, trace.Dur(want))
	}
}

// TestHedgedRetry: when every server of the set was asked once and timed
// out, their retries go out the hedge delay apart too, not each after
// the last one's wait: a's retry is lost again, and b's, sent in parallel
// 50 ms later, answers long before a's 752 ms would have passed.
func TestHedgedRetry(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS a.test.
test. IN NS b.test.
a.test. IN A 192.0.2.3
b.test. IN A 192.0.2.4
`)
	n.serve("192.0.2.3", dropping(t, 0, func(i int) bool { return i <= 2 }))
	n.serve("192.0.2.4", dropping(t, 0, func(i int) bool { return i <= 1 }))
	rec := trace.NewRecorder("www.test", trace.ModeLab, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 2 * time.Second, Hedge: true,
		Roots: []dns.Server{{Name: "root", Addr: "192.0.2.1:53"}}}
	res, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4)
	if err != nil {
		t.Fatal(err)
	}
	st := rec.Snapshot().Stage(trace.StageDNS)
	labelsNamePeers(t, st)
	var order []string
	for _, ex := range st.Exchanges[1:] {
		order = append(order, ex.Peer.Name+" "+ex.DNS.Kind)
	}
	want := []string{"a.test error", "b.test error", "a.test error", "b.test answer"}
	if !equal(order, want) || res.Queries != 5 {
		t.Fatalf("exchanges %q, %d queries; want the root then %q", order, res.Queries, want)
	}
	aRetry, bRetry := st.Exchanges[3], st.Exchanges[4]
	if !strings.Contains(aRetry.Outcome, "abandoned: b.test") {
		t.Errorf("a's retry was not abandoned when b answered: %q", aRetry.Outcome)
	}
	notes := strings.Join(bRetry.Notes, "\n")
	for _, w := range []string{"hedged: a.test (192.0.2.3:53) had not answered within", "asked again"} {
		if !strings.Contains(notes, w) {
			t.Errorf("b's retry does not say %q:\n%s", w, notes)
		}
	}
	if aWait := 752 * time.Millisecond; bRetry.Start >= aRetry.Start+aWait {
		t.Errorf("b's retry left %s after a's, not before a's %s wait passed", bRetry.Start-aRetry.Start, trace.Dur(aWait))
	}
}

// TestRetriesBounded: short waits do not mean more queries than the
// limits allow: each silent server is asked 3 times (a lone one 4), and
// the step stops there.
func TestRetriesBounded(t *testing.T) {
	tests := []struct {
		name    string
		servers []string
		want    int // queries after the root's
	}{
		{name: "two silent servers", servers: []string{"192.0.2.3", "192.0.2.4"}, want: 6},
		{name: "a lone silent server", servers: []string{"192.0.2.3"}, want: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t)
			zone := "$ORIGIN .\n@ 86400 IN SOA root. admin. 1 1 1 1 1\n@ IN NS root.\n"
			var seen counter
			for i, ip := range tc.servers {
				name := string(rune('a'+i)) + ".test."
				zone += "test. IN NS " + name + "\n" + name + " IN A " + ip + "\n"
				n.serve(ip, func(w mdns.ResponseWriter, r *mdns.Msg) { seen.add(ip) })
			}
			n.zones("192.0.2.1", zone)
			rec := trace.NewRecorder("www.test", trace.ModeLab, "test", nil, nil)
			r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 200 * time.Millisecond, Hedge: true,
				Roots: []dns.Server{{Name: "root", Addr: "192.0.2.1:53"}}}
			res, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4)
			if !errors.Is(err, dns.ErrNoServer) {
				t.Fatalf("err = %v, want %v", err, dns.ErrNoServer)
			}
			if res.Queries != 1+tc.want {
				t.Errorf("%d queries, want the root's and %d", res.Queries, tc.want)
			}
			for _, ip := range tc.servers {
				if got := seen.get(ip); got != tc.want/len(tc.servers) {
					t.Errorf("%s was asked %d times, want %d", ip, got, tc.want/len(tc.servers))
				}
			}
		})
	}
}
