package dns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dns"
	"journey/internal/trace"
)

// TestHedgedQuery: test. has two servers; the first asked is slow. After
// the hedge delay (50 ms, no round trip being known yet for it... the
// root's is, so three times that or the floor) the same question goes to
// the second, in parallel; whichever answers first wins, the other is
// abandoned, and the trace shows both with why.
func TestHedgedQuery(t *testing.T) {
	tests := []struct {
		name             string
		slow, fast       time.Duration // the first server's delay, the second's
		winner, loser    string
		winnerAddr, want string
	}{
		{name: "the second wins", slow: 1500 * time.Millisecond, fast: 0, winner: "good.test", loser: "slow.test", want: "192.0.2.81"},
		{name: "the first still wins", slow: 90 * time.Millisecond, fast: 1500 * time.Millisecond, winner: "slow.test", loser: "good.test", want: "192.0.2.80"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t)
			n.zones("192.0.2.1", `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS slow.test.
test. IN NS good.test.
slow.test. IN A 192.0.2.3
good.test. IN A 192.0.2.2
`)
			delayed := func(d time.Duration, addr string) mdns.HandlerFunc {
				return func(w mdns.ResponseWriter, r *mdns.Msg) {
					time.Sleep(d)
					m := new(mdns.Msg)
					m.SetReply(r)
					m.Authoritative = true
					m.Answer = []mdns.RR{mustRR(t, r.Question[0].Name+" 60 IN A "+addr)}
					w.WriteMsg(m)
				}
			}
			n.serve("192.0.2.3", delayed(tc.slow, "192.0.2.80"))
			n.serve("192.0.2.2", delayed(tc.fast, "192.0.2.81"))
			rec := trace.NewRecorder("www.test", trace.ModeLab, "test", nil, nil)
			r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 2 * time.Second, Hedge: true,
				Roots: []dns.Server{{Name: "root", Addr: "192.0.2.1:53"}}}
			start := time.Now()
			res, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.Addresses, ","); got != tc.want {
				t.Errorf("addresses = %s, want %s from %s", got, tc.want, tc.winner)
			}
			if took > time.Second { // the slower server takes 1.5 s
				t.Errorf("took %s: the slower server was waited for", took)
			}
			st := rec.Snapshot().Stage(trace.StageDNS)
			if len(st.Exchanges) != 3 || res.Queries != 3 {
				t.Fatalf("%d exchanges, %d queries, want root, slow, good: %v", len(st.Exchanges), res.Queries, kinds(st))
			}
			first, second := st.Exchanges[1], st.Exchanges[2]
			if first.Peer.Name != "slow.test" || second.Peer.Name != "good.test" {
				t.Errorf("exchanges in the order %s, %s; want slow.test then good.test, as sent", first.Peer.Name, second.Peer.Name)
			}
			if w := "hedged: slow.test had not answered within"; !strings.Contains(strings.Join(second.Notes, "\n"), w) {
				t.Errorf("the second query's notes do not say %q: %q", w, second.Notes)
			}
			byName := map[string]*trace.Exchange{first.Peer.Name: first, second.Peer.Name: second}
			if w := "hedged: this reply came first"; !strings.Contains(strings.Join(byName[tc.winner].Notes, "\n"), w) {
				t.Errorf("the winner's notes do not say %q: %q", w, byName[tc.winner].Notes)
			}
			if w := "abandoned: " + tc.winner + " answered first"; !strings.Contains(byName[tc.loser].Outcome, w) {
				t.Errorf("the loser's outcome %q does not say %q", byName[tc.loser].Outcome, w)
			}
		})
	}
}
