package dns_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dial"
	"journey/internal/dial/dialtest"
	"journey/internal/dns"
	"journey/internal/lab"
	"journey/internal/trace"
)

// testNet is a small DNS of in-process servers on loopback, each reached
// through a documentation address routed to it, as the lab does.
type testNet struct {
	t      *testing.T
	router *dial.Router
}

func newNet(t *testing.T) *testNet {
	return &testNet{t: t, router: dialtest.Loopback(t)}
}

// serve starts a server for shown (an IP) on UDP and TCP and routes port 53 to it.
func (n *testNet) serve(shown string, h mdns.HandlerFunc) {
	n.t.Helper()
	var pc net.PacketConn
	var ln net.Listener
	for range 10 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			n.t.Fatal(err)
		}
		if p, err := net.ListenPacket("udp4", l.Addr().String()); err == nil {
			pc, ln = p, l
			break
		}
		l.Close()
	}
	if pc == nil {
		n.t.Fatal("no port free for both UDP and TCP")
	}
	for _, s := range []*mdns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go s.ActivateAndServe()
		<-started
		n.t.Cleanup(func() { s.Shutdown() })
	}
	n.router.Add("udp", net.JoinHostPort(shown, "53"), pc.LocalAddr().String())
	n.router.Add("tcp", net.JoinHostPort(shown, "53"), ln.Addr().String())
}

// zones serves zone texts (master format) authoritatively from shown.
func (n *testNet) zones(shown string, texts ...string) {
	n.t.Helper()
	var zs []*lab.Zone
	for _, text := range texts {
		z, err := lab.ParseZone(text, ".", "test zone")
		if err != nil {
			n.t.Fatal(err)
		}
		zs = append(zs, z)
	}
	n.serve(shown, func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := lab.Answer(zs, r)
		if opt := r.IsEdns0(); opt != nil {
			m.SetEdns0(opt.UDPSize(), false)
		}
		w.WriteMsg(m)
	})
}

// run resolves name from roots and returns the trace's DNS stage.
func (n *testNet) run(name string, roots ...string) (*trace.DNS, *trace.Stage, error) {
	n.t.Helper()
	rec := trace.NewRecorder(name, trace.ModeLab, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 300 * time.Millisecond}
	for _, root := range roots {
		r.Roots = append(r.Roots, dns.Server{Name: "root-" + root, Addr: root + ":53"})
	}
	res, err := r.Lookup(context.Background(), name, dns.FamilyIPv4)
	rec.FinishStage(trace.StageDNS, err, nil)
	st := rec.Snapshot().Stage(trace.StageDNS)
	labelsNamePeers(n.t, st)
	return res, st, err
}

// labelsNamePeers checks that every exchange's label names its server the
// one way the views do (trace.Peer.String, which facts.Peer returns), so a
// label and the report's heading of the same exchange never differ.
func labelsNamePeers(t *testing.T, st *trace.Stage) {
	t.Helper()
	for i, ex := range st.Exchanges {
		if want := ex.Peer.String() + ": "; !strings.HasPrefix(ex.Label, want) {
			t.Errorf("exchange %d's label %q does not start with %q", i+1, ex.Label, want)
		}
	}
}

const rootZone = `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS ns.test.
ns.test. IN A 192.0.2.2
`

const testZoneHead = `
$ORIGIN test.
@ 3600 IN SOA ns.test. admin.test. 1 1 1 1 1
@ IN NS ns.test.
ns IN A 192.0.2.2
`

func kinds(st *trace.Stage) []string {
	var out []string
	for _, ex := range st.Exchanges {
		k := ex.DNS.Kind
		if ex.Depth > 0 {
			k = strings.Repeat(">", ex.Depth) + k
		}
		out = append(out, k)
	}
	return out
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// TestLab runs the resolver against the lab itself: every teaching case.
func TestLab(t *testing.T) {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tests := []struct {
		name      string
		addrs     string
		kinds     []string
		queries   int
		chain     string
		wantErr   error
		transport []trace.Transport
	}{
		{name: "www.example.com", addrs: "203.0.113.10", kinds: []string{"referral", "referral", "answer"}, queries: 3},
		{name: "example.com", addrs: "203.0.113.10", kinds: []string{"referral", "referral", "answer"}, queries: 3},
		{name: "www.example.org", addrs: "203.0.113.10", queries: 6,
			kinds: []string{"referral", "referral", ">referral", ">referral", ">answer", "answer"}},
		{name: "shop.example.com", addrs: "203.0.113.10", queries: 6, chain: "shops.example.net.",
			kinds: []string{"referral", "referral", "cname", "referral", "referral", "answer"}},
		{name: "www.example.co.uk", addrs: "203.0.113.10", kinds: []string{"referral", "referral", "answer"}, queries: 3},
		{name: "xn--caf-dma.example.com", addrs: "203.0.113.10", kinds: []string{"referral", "referral", "answer"}, queries: 3},
		{name: "nope.example.com", wantErr: dns.ErrNXDomain, kinds: []string{"referral", "referral", "nxdomain"}, queries: 3},
		{name: "loop.example.com", wantErr: dns.ErrCNAMELoop, queries: 3, kinds: []string{"referral", "referral", "cname"}},
		{name: "www.lame.example.com", addrs: "203.0.113.10", queries: 5, kinds: []string{"referral", "referral", "referral", "lame", "answer"}},
		{name: "big.example.com", addrs: "203.0.113.10", queries: 4, kinds: []string{"referral", "referral", "truncated", "answer"},
			transport: []trace.Transport{"udp", "udp", "udp", "tcp"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := trace.NewRecorder(tc.name, trace.ModeLab, "test", nil, nil)
			r := &dns.Resolver{Dialer: withRefusal(t, l.Dialer()), Recorder: rec, Roots: l.Roots(), Timeout: time.Second}
			res, err := r.Lookup(context.Background(), tc.name, dns.FamilyIPv4)
			st := rec.Snapshot().Stage(trace.StageDNS)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if got := strings.Join(res.Addresses, ","); tc.addrs != "" && !strings.HasPrefix(got, tc.addrs) {
				t.Errorf("addresses = %q, want %q first", got, tc.addrs)
			}
			if tc.kinds != nil && !equal(kinds(st), tc.kinds) {
				t.Errorf("exchanges = %v, want %v", kinds(st), tc.kinds)
			}
			if res.Queries != tc.queries {
				t.Errorf("queries = %d, want %d", res.Queries, tc.queries)
			}
			if tc.chain != "" && strings.Join(res.Chain, " ") != tc.chain {
				t.Errorf("chain = %v, want %s", res.Chain, tc.chain)
			}
			for i, tr := range tc.transport {
				if st.Exchanges[i].Transport != tr {
					t.Errorf("exchange %d went over %s, want %s", i, st.Exchanges[i].Transport, tr)
				}
			}
			for _, ex := range st.Exchanges {
				if len(ex.Sent.Bytes) == 0 || len(ex.Sent.Fields) == 0 {
					t.Errorf("exchange %q has no captured query", ex.Label)
				}
				if !ex.Failed() && (len(ex.Received.Bytes) == 0 || len(ex.Received.Fields) == 0) {
					t.Errorf("exchange %q has no captured reply", ex.Label)
				}
				if ex.Peer.Via == "" || !dial.IsLoopback(ex.Peer.Via) {
					t.Errorf("exchange %q: Via = %q, want the loopback listener", ex.Label, ex.Peer.Via)
				}
			}
		})
	}
}

// withRefusal makes the lab's router fail the test on a non-loopback dial
// it has no route for.
func withRefusal(t *testing.T, r *dial.Router) *dial.Router {
	r.Refuse = dialtest.Loopback(t).Refuse
	return r
}

func TestLabCNAMELoopIsStopped(t *testing.T) {
	// the root must also delegate other. to the same server
	n2root := rootZone + "other. IN NS ns.test.\n"
	n := newNet(t)
	n.zones("192.0.2.1", n2root)
	n.zones("192.0.2.2", testZoneHead+"a IN CNAME b.other.\n", `
$ORIGIN other.
@ 3600 IN SOA ns.test. admin.test. 1 1 1 1 1
@ IN NS ns.test.
b IN CNAME a.test.
`)
	_, _, err := n.run("a.test", "192.0.2.1")
	if !errors.Is(err, dns.ErrCNAMELoop) {
		t.Fatalf("err = %v, want ErrCNAMELoop", err)
	}
}

// TestFailingServers: a server that is silent, sends garbage, answers with
// the wrong ID, or refuses is skipped for the next one of the set, and the
// trace says why.
func TestFailingServers(t *testing.T) {
	tests := []struct {
		name    string
		handler mdns.HandlerFunc
		raw     func(q []byte) []byte // raw reply bytes, when not a handler
		wantErr string
		// exchanges is how many the trace holds: root, bad, good unless set.
		exchanges int
	}{
		{name: "silent", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {}, wantErr: "no reply"},
		{name: "garbage", raw: func(q []byte) []byte { return []byte{q[0], q[1], 0x81, 0x80, 0xff, 0xff, 1, 2, 3} }, wantErr: "not a valid DNS message"},
		{name: "mismatched ID", raw: func(q []byte) []byte {
			m := new(mdns.Msg)
			m.Unpack(q)
			r := new(mdns.Msg)
			r.SetReply(m)
			r.Id = m.Id + 1
			r.Answer = []mdns.RR{mustRR(t, "www.test. 60 IN A 192.0.2.66")}
			b, _ := r.Pack()
			return b
		}, wantErr: "did not match"},
		{name: "other question", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			m.Question[0].Name = "evil.test."
			w.WriteMsg(m)
		}, wantErr: "another question"},
		{name: "refused", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetRcode(r, mdns.RcodeRefused)
			w.WriteMsg(m)
		}, wantErr: "REFUSED"},
		{name: "upward referral", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			m.Ns = []mdns.RR{mustRR(t, ". 60 IN NS root.")}
			w.WriteMsg(m)
		}, wantErr: "does not lead closer"},
		{name: "sideways referral", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			m.Ns = []mdns.RR{mustRR(t, "other. 60 IN NS ns.other.")}
			w.WriteMsg(m)
		}, wantErr: "does not lead closer"},
		// An authoritative reply with neither answer nor SOA says nothing:
		// a real NODATA carries the zone's SOA (Unbound's iter_resptype).
		{name: "authoritative empty, no SOA", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			m.Authoritative = true
			w.WriteMsg(m)
		}, wantErr: "no answer and no SOA"},
		{name: "empty, not authoritative", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			w.WriteMsg(m)
		}, wantErr: "an empty reply"},
		// RA set, AA clear: a cache answered, not the zone (a forged or
		// stale address must not be taken as the zone's).
		{name: "cache answer (RA, no AA)", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			m.RecursionAvailable = true
			m.Answer = []mdns.RR{mustRR(t, "www.test. 60 IN A 192.0.2.66")}
			w.WriteMsg(m)
		}, wantErr: "answered as a cache (RA is 1, AA is 0)"},
		{name: "cache NXDOMAIN (RA, no AA)", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetRcode(r, mdns.RcodeNameError)
			m.RecursionAvailable = true
			w.WriteMsg(m)
		}, wantErr: "answered as a cache"},
		// TC over TCP: TCP has no size limit, so the part that came is not
		// an answer; the UDP try, the TCP try, then the good server.
		{name: "TC over TCP", handler: func(w mdns.ResponseWriter, r *mdns.Msg) {
			m := new(mdns.Msg)
			m.SetReply(r)
			m.Authoritative = true
			m.Truncated = true
			m.Answer = []mdns.RR{mustRR(t, "www.test. 60 IN A 192.0.2.66")}
			w.WriteMsg(m)
		}, wantErr: "over TCP still has the TC flag", exchanges: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t)
			n.zones("192.0.2.1", `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS bad.test.
test. IN NS good.test.
bad.test. IN A 192.0.2.3
good.test. IN A 192.0.2.2
`)
			n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
			if tc.raw != nil {
				n.rawUDP("192.0.2.3", func(q []byte) [][]byte { return [][]byte{tc.raw(q)} })
			} else {
				n.serve("192.0.2.3", tc.handler)
			}
			res, st, err := n.run("www.test", "192.0.2.1")
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if strings.Join(res.Addresses, ",") != "192.0.2.80" {
				t.Errorf("addresses = %v, want the good server's 192.0.2.80", res.Addresses)
			}
			want := 3
			if tc.exchanges != 0 {
				want = tc.exchanges
			}
			if len(st.Exchanges) != want || res.Queries != want {
				t.Fatalf("%d exchanges, %d queries, want %d: %v", len(st.Exchanges), res.Queries, want, kinds(st))
			}
			bad := st.Exchanges[want-2]
			if bad.Peer.Name != "bad.test" || !strings.Contains(bad.Error+bad.Outcome, tc.wantErr) {
				t.Errorf("bad server's exchange: peer %q error %q outcome %q, want %q", bad.Peer.Name, bad.Error, bad.Outcome, tc.wantErr)
			}
			if good := st.Exchanges[want-1]; good.DNS.Attempt != 2 || good.DNS.Kind != trace.DNSAnswer {
				t.Errorf("good server: attempt %d kind %s, want attempt 2 answer", good.DNS.Attempt, good.DNS.Kind)
			}
		})
	}
}

// rawUDP serves raw bytes over UDP: every datagram reply(q) returns, in
// order, for each query q.
func (n *testNet) rawUDP(shown string, reply func(q []byte) [][]byte) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			for _, b := range reply(append([]byte(nil), buf[:k]...)) {
				pc.WriteTo(b, from)
			}
		}
	}()
	n.router.Add("udp", net.JoinHostPort(shown, "53"), pc.LocalAddr().String())
}

func mustRR(t *testing.T, s string) mdns.RR {
	rr, err := mdns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

// TestOutOfBailiwickGlue: glue for a name outside the referring zone is
// ignored (it could poison the cache) and the name is looked up properly.
func TestOutOfBailiwickGlue(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS ns.test.
ns.test. IN A 192.0.2.2
org. IN NS ns.test.
`)
	// test.'s server refers victim.test. to ns.victim.org. and adds a forged
	// address for it; org. (same server) knows the real one.
	n.serve("192.0.2.2", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case strings.HasSuffix(q.Name, "victim.test."):
			m.Ns = []mdns.RR{mustRR(t, "victim.test. 60 IN NS ns.victim.org.")}
			m.Extra = []mdns.RR{mustRR(t, "ns.victim.org. 60 IN A 192.0.2.66")}
		case q.Name == "ns.victim.org.":
			m.Authoritative = true
			m.Answer = []mdns.RR{mustRR(t, "ns.victim.org. 60 IN A 192.0.2.4")}
		}
		w.WriteMsg(m)
	})
	n.zones("192.0.2.4", `
$ORIGIN victim.test.
@ 60 IN SOA ns.victim.org. a. 1 1 1 1 1
@ IN NS ns.victim.org.
www IN A 192.0.2.80
`)
	res, st, err := n.run("www.victim.test", "192.0.2.1")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if strings.Join(res.Addresses, ",") != "192.0.2.80" {
		t.Errorf("addresses = %v", res.Addresses)
	}
	ref := st.Exchanges[1]
	if len(ref.DNS.Ignored) != 1 || !strings.Contains(ref.DNS.Ignored[0], "out of bailiwick") {
		t.Errorf("the forged glue was not reported as ignored: %v", ref.DNS.Ignored)
	}
	for _, ex := range st.Exchanges {
		if strings.HasPrefix(ex.Peer.Addr, "192.0.2.66") {
			t.Errorf("the forged glue address was contacted: %s", ex.Label)
		}
	}
}

// TestReferralLimit: a server that delegates one label further each time.
func TestReferralLimit(t *testing.T) {
	n := newNet(t)
	n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		labels := mdns.SplitDomainName(r.Question[0].Name)
		child := mdns.Fqdn(strings.Join(labels[len(labels)-1:], "."))
		m.Ns = []mdns.RR{mustRR(t, child+" 60 IN NS ns."+child)}
		m.Extra = []mdns.RR{mustRR(t, "ns."+child+" 60 IN A 192.0.2.1")}
		w.WriteMsg(m)
	})
	// A name of 40 labels: each referral must go one label deeper, and the
	// server always refers to the top label, so after the first referral
	// the next one does not get closer: the walk must stop, never loop.
	name := strings.Repeat("a.", 39) + "test"
	_, st, err := n.run(name, "192.0.2.1")
	if err == nil {
		t.Fatal("want an error")
	}
	if len(st.Exchanges) > 20 {
		t.Errorf("%d exchanges for a referral that goes nowhere", len(st.Exchanges))
	}

	// Now a server that does go one label deeper each time: the limit stops it.
	n = newNet(t)
	n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Ns = []mdns.RR{}
		labels := mdns.SplitDomainName(r.Question[0].Name)
		k := deeper.Add(1)
		if int(k) > len(labels) {
			k = int64(len(labels))
		}
		child := mdns.Fqdn(strings.Join(labels[len(labels)-int(k):], "."))
		m.Ns = []mdns.RR{mustRR(t, child+" 60 IN NS ns."+child)}
		m.Extra = []mdns.RR{mustRR(t, "ns."+child+" 60 IN A 192.0.2.1")}
		w.WriteMsg(m)
	})
	deeper.Store(0)
	res, _, err := n.run(name, "192.0.2.1")
	if !errors.Is(err, dns.ErrReferralLimit) {
		t.Fatalf("err = %v, want ErrReferralLimit", err)
	}
	if res.Referrals != dns.MaxReferrals {
		t.Errorf("referrals = %d, want %d", res.Referrals, dns.MaxReferrals)
	}
}

var deeper atomic.Int64

// TestQueryLimit: an NXNS-style referral to many nameservers without glue,
// each of whose lookups meets the same, must not multiply queries.
func TestQueryLimit(t *testing.T) {
	n := newNet(t)
	var count atomic.Int64
	n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
		count.Add(1)
		m := new(mdns.Msg)
		m.SetReply(r)
		labels := mdns.SplitDomainName(r.Question[0].Name)
		child := mdns.Fqdn(labels[len(labels)-1])
		for i := range 40 {
			m.Ns = append(m.Ns, mustRR(t, child+" 60 IN NS ns"+string(rune('a'+i%26))+string(rune('a'+i/26))+".x"+r.Question[0].Name))
		}
		w.WriteMsg(m)
	})
	res, _, err := n.run("www.victim", "192.0.2.1")
	if err == nil {
		t.Fatal("want an error")
	}
	if res.Queries > dns.MaxQueries || count.Load() > dns.MaxQueries {
		t.Errorf("sent %d queries (server saw %d), limit %d", res.Queries, count.Load(), dns.MaxQueries)
	}
	if !errors.Is(err, dns.ErrQueryLimit) && !errors.Is(err, dns.ErrDepthLimit) && !errors.Is(err, dns.ErrNoServer) && !errors.Is(err, dns.ErrReferralLimit) {
		t.Errorf("err = %v, want a limit", err)
	}
}

// TestRoundTripTime: the time recorded for a hop is the server's delay,
// measured at the socket.
func TestRoundTripTime(t *testing.T) {
	const delay = 80 * time.Millisecond
	n := newNet(t)
	n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
		time.Sleep(delay)
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Authoritative = true
		m.Answer = []mdns.RR{mustRR(t, r.Question[0].Name+" 60 IN A 192.0.2.80")}
		w.WriteMsg(m)
	})
	_, st, err := n.run("www.test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	got := st.Exchanges[0].Duration
	if got < delay || got > delay+150*time.Millisecond { // room for a loaded machine (2 cores, 8 helpers)
		t.Errorf("round trip = %s, want %s plus a little", got, delay)
	}
}

// TestAskResolver: @SERVER asks once, with recursion desired.
func TestAskResolver(t *testing.T) {
	n := newNet(t)
	var rd atomic.Bool
	n.serve("192.0.2.53", func(w mdns.ResponseWriter, r *mdns.Msg) {
		rd.Store(r.RecursionDesired)
		m := new(mdns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		m.Answer = []mdns.RR{
			mustRR(t, "www.test. 60 IN CNAME edge.cdn.test."),
			mustRR(t, "edge.cdn.test. 60 IN A 192.0.2.80"),
		}
		w.WriteMsg(m)
	})
	rec := trace.NewRecorder("www.test", trace.ModeLive, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: time.Second}
	res, err := r.Ask(context.Background(), "192.0.2.53:53", "www.test", dns.FamilyAny)
	if err != nil {
		t.Fatal(err)
	}
	if !rd.Load() {
		t.Error("the query did not ask for recursion")
	}
	if strings.Join(res.Addresses, ",") != "192.0.2.80" || strings.Join(res.Chain, ",") != "edge.cdn.test." {
		t.Errorf("addresses %v chain %v", res.Addresses, res.Chain)
	}
	if st := rec.Snapshot().Stage(trace.StageDNS); len(st.Exchanges) != 1 {
		t.Errorf("%d exchanges, want 1", len(st.Exchanges))
	}
}

// TestWrongIDFloodIsBounded: a sender flooding replies with the wrong ID
// cannot grow the trace: a few are noted, the rest counted.
func TestWrongIDFloodIsBounded(t *testing.T) {
	n := newNet(t)
	n.rawUDPFlood("192.0.2.1", 500)
	_, st, err := n.run("www.test", "192.0.2.1")
	if err == nil {
		t.Fatal("want an error: no reply matched")
	}
	for _, ex := range st.Exchanges {
		if len(ex.Notes) > 5 {
			t.Fatalf("%d notes on one exchange", len(ex.Notes))
		}
	}
	last := st.Exchanges[0].Notes[len(st.Exchanges[0].Notes)-1]
	if !strings.Contains(last, "more replies with the wrong ID") {
		t.Errorf("last note %q, want the rest counted", last)
	}
}

// rawUDPFlood answers every query with count replies whose ID is wrong.
func (n *testNet) rawUDPFlood(shown string, count int) {
	n.rawUDP(shown, func(q []byte) [][]byte {
		m := new(mdns.Msg)
		if m.Unpack(q) != nil {
			return nil
		}
		r := new(mdns.Msg)
		r.SetReply(m)
		var out [][]byte
		for i := range count {
			r.Id = m.Id + 1 + uint16(i)
			b, _ := r.Pack()
			out = append(out, b)
		}
		return out
	})
}

// TestQuestionsInFlight: each query is recorded in flight as it leaves
// (a view shows the question while its answer is awaited), and replaced
// where it stands by the finished exchange: none is left in flight, over
// UDP and TCP, answered or lost.
func TestQuestionsInFlight(t *testing.T) {
	for _, tc := range []struct {
		name string
		loss float64
	}{
		{"www.example.com", 0},
		{"big.example.com", 0}, // UDP, truncated, then TCP
		{"www.example.org", 0}, // a lookup inside the lookup
		{"www.example.com", 100},
	} {
		t.Run(fmt.Sprintf("%s, loss %v%%", tc.name, tc.loss), func(t *testing.T) {
			l, err := lab.Start(context.Background(), lab.Options{Latency: 0, Loss: tc.loss})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var mu sync.Mutex
			flown := map[string]bool{} // the query bytes seen in flight
			rec := trace.NewRecorder(tc.name, trace.ModeLab, "test", func(ev trace.Event) {
				if ev.Kind == trace.EventExchange && ev.Exchange != nil && ev.Exchange.InFlight {
					mu.Lock()
					flown[string(ev.Exchange.Sent.Bytes)] = true
					mu.Unlock()
				}
			}, nil)
			r := &dns.Resolver{Dialer: withRefusal(t, l.Dialer()), Recorder: rec, Roots: l.Roots(), Timeout: 200 * time.Millisecond, Hedge: true}
			r.Lookup(context.Background(), tc.name, dns.FamilyIPv4)
			st := rec.Snapshot().Stage(trace.StageDNS)
			mu.Lock()
			defer mu.Unlock()
			for i, ex := range st.Exchanges {
				if ex.InFlight {
					t.Errorf("exchange %d (%s) is still in flight after the lookup", i, ex.Label)
				}
				if len(ex.Sent.Bytes) > 0 && !flown[string(ex.Sent.Bytes)] {
					t.Errorf("exchange %d (%s) left but was never shown in flight", i, ex.Label)
				}
			}
			if len(st.Exchanges) == 0 {
				t.Error("no exchanges")
			}
		})
	}
}
