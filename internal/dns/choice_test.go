package dns_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dial"
	"journey/internal/dns"
	"journey/internal/trace"
)

// TestTimedOutServerNotAskedAgain: with -4 and -6 both left open, the A
// question meets a silent server then a good one; the AAAA question that
// follows (the name has no A) goes to the good one only, the smallest
// round trip seen, and the silent one is not asked again.
func TestTimedOutServerNotAskedAgain(t *testing.T) {
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
	var seen counter
	n.serve("192.0.2.3", func(w mdns.ResponseWriter, r *mdns.Msg) { seen.add("bad") })
	n.zones("192.0.2.2", testZoneHead+"www IN AAAA 2001:db8::80\n")
	res, st, err := n.lookup("www.test", dns.FamilyAny, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "2001:db8::80" {
		t.Errorf("addresses = %s", got)
	}
	if seen.get("bad") != 1 {
		t.Errorf("the silent server was asked %d times, want once", seen.get("bad"))
	}
	want := []string{"referral", "error", "nodata", "answer"}
	if !equal(kinds(st), want) || res.Queries != 4 {
		t.Errorf("%d queries %v, want 4 %v", res.Queries, kinds(st), want)
	}
	last := strings.Join(st.Exchanges[3].Notes, "\n")
	for _, w := range []string{"chosen for its smoothed round trip", "not asked: 192.0.2.3:53, which did not reply earlier in this journey"} {
		if !strings.Contains(last, w) {
			t.Errorf("the last query's notes do not say %q: %s", w, last)
		}
	}
}

// TestShuffledRoots: with Shuffle, the first root asked is a random one of
// the set, so over 30 journeys more than one root is asked first.
func TestShuffledRoots(t *testing.T) {
	n := newNet(t)
	roots := []string{"192.0.2.1", "192.0.2.11", "192.0.2.12", "192.0.2.13"}
	for _, a := range roots {
		n.zones(a, rootZone)
	}
	n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
	first := map[string]int{}
	for range 30 {
		rec := trace.NewRecorder("www.test", trace.ModeLab, "test", nil, nil)
		r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: time.Second, Shuffle: true}
		for _, a := range roots {
			r.Roots = append(r.Roots, dns.Server{Name: a, Addr: a + ":53"})
		}
		if _, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4); err != nil {
			t.Fatal(err)
		}
		first[rec.Snapshot().Stage(trace.StageDNS).Exchanges[0].Peer.Addr]++
	}
	if len(first) < 2 {
		t.Errorf("the first root asked was always the same: %v", first)
	}
}

// TestOtherFamilyWhenSilent: when the IPv4 roots are silent, the IPv6 ones
// are tried next, before the fallback's limit of three roots is reached.
func TestOtherFamilyWhenSilent(t *testing.T) {
	n := newNet(t)
	silent := func(w mdns.ResponseWriter, r *mdns.Msg) {}
	for _, a := range []string{"192.0.2.1", "192.0.2.11", "192.0.2.12", "192.0.2.13"} {
		n.serve(a, silent)
	}
	n.zones("2001:db8::1", rootZone)
	n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
	rec := trace.NewRecorder("www.test", trace.ModeLive, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 100 * time.Millisecond, SystemFallback: true, ResolvConf: "/nonexistent"}
	for _, a := range []string{"192.0.2.1:53", "192.0.2.11:53", "192.0.2.12:53", "192.0.2.13:53", "[2001:db8::1]:53"} {
		r.Roots = append(r.Roots, dns.Server{Name: a, Addr: a})
	}
	res, err := r.Lookup(context.Background(), "www.test", dns.FamilyAny)
	if err != nil {
		t.Fatal(err)
	}
	st := rec.Snapshot().Stage(trace.StageDNS)
	want := []string{"error", "referral", "answer"}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" || !equal(kinds(st), want) {
		t.Errorf("addresses %s, exchanges %v, want 192.0.2.80 after %v", got, kinds(st), want)
	}
	if st.Exchanges[1].Peer.Addr != "[2001:db8::1]:53" {
		t.Errorf("second root asked: %s, want the IPv6 one", st.Exchanges[1].Peer.Addr)
	}
}

// resolver starts a recursive resolver on UDP at 127.0.0.1 that answers
// with h, routes port 53 of shown to it, and returns shown.
func (n *testNet) resolver(shown string, h mdns.HandlerFunc) {
	n.t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		n.t.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: h}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	n.t.Cleanup(func() { srv.Shutdown() })
	n.router.Add("udp", net.JoinHostPort(shown, "53"), pc.LocalAddr().String())
}

func answering(t *testing.T) mdns.HandlerFunc {
	return func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		m.Answer = []mdns.RR{mustRR(t, r.Question[0].Name+" 60 IN A 192.0.2.80")}
		w.WriteMsg(m)
	}
}

func refusing(w mdns.ResponseWriter, r *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetRcode(r, mdns.RcodeRefused)
	w.WriteMsg(m)
}

// TestSystemFallback: live, when no root answers, each nameserver of
// resolv.conf is asked in order with its options, the trace says so
// plainly, and the queries counted are all that were sent.
func TestSystemFallback(t *testing.T) {
	tests := []struct {
		name    string
		conf    string
		setup   func(t *testing.T, n *testNet)
		wantErr string
		queries int // roots included
		words   []string
		kinds   []string
	}{
		{name: "first refuses, second answers", conf: "nameserver 127.0.0.2\nnameserver 127.0.0.3\noptions timeout:1 attempts:1\n",
			setup: func(t *testing.T, n *testNet) {
				n.resolver("127.0.0.2", refusing)
				n.resolver("127.0.0.3", answering(t))
			},
			queries: 5,
			words:   []string{"127.0.0.2:53, 127.0.0.3:53, asked in that order; options timeout:1 attempts:1: a timeout of 1s, 1 round", "REFUSED: this resolver will not answer our questions", "falling back to the system's resolver"},
			kinds:   []string{"error", "error", "error", "refused", "answer"}},
		{name: "first silent, second answers, then a second round", conf: "nameserver 127.0.0.4\nnameserver 127.0.0.5\noptions timeout:1 attempts:2\n",
			setup: func(t *testing.T, n *testNet) {
				n.resolver("127.0.0.4", func(w mdns.ResponseWriter, r *mdns.Msg) {})
				n.resolver("127.0.0.5", refusing)
			},
			wantErr: "no system resolver gave a usable answer",
			queries: 7,
			words:   []string{"no reply from 127.0.0.4:53 within 1000.0 ms: resolv.conf's timeout:1 option", "round 2: no resolver gave a usable answer"},
			kinds:   []string{"error", "error", "error", "error", "refused", "error", "refused"}},
		{name: "empty resolv.conf", conf: "# nothing\n", queries: 3,
			wantErr: "names no nameserver, so there is no system resolver to ask",
			words:   []string{"names no nameserver: this computer has no resolver to fall back to"},
			kinds:   []string{"error", "error", "error"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t)
			var roots []dns.Server
			for _, a := range []string{"192.0.2.1", "192.0.2.11", "192.0.2.12", "192.0.2.13"} {
				n.serve(a, func(w mdns.ResponseWriter, r *mdns.Msg) {}) // silent roots
				roots = append(roots, dns.Server{Name: a, Addr: a + ":53"})
			}
			if tc.setup != nil {
				tc.setup(t, n)
			}
			conf := t.TempDir() + "/resolv.conf"
			if err := os.WriteFile(conf, []byte(tc.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			rec := trace.NewRecorder("www.test", trace.ModeLive, "test", nil, nil)
			r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 100 * time.Millisecond, SystemFallback: true, ResolvConf: conf, Roots: roots}
			res, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if tc.wantErr == "" && (res.Method != trace.MethodSystem || strings.Join(res.Addresses, ",") != "192.0.2.80") {
				t.Errorf("method %s addresses %v, want the system resolver's answer", res.Method, res.Addresses)
			}
			st := rec.Snapshot().Stage(trace.StageDNS)
			if res.Queries != tc.queries || !equal(kinds(st), tc.kinds) {
				t.Errorf("%d queries %v, want %d %v", res.Queries, kinds(st), tc.queries, tc.kinds)
			}
			all := strings.ToLower(words(st))
			for _, w := range tc.words {
				if !strings.Contains(all, strings.ToLower(w)) {
					t.Errorf("the trace does not say %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestAskNonRecursive: @SERVER pointed at a server that only refers is
// told as a referral from a server that does not recurse, with advice; a
// resolver's answer is told as a resolver's, not the zone's.
func TestAskNonRecursive(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	n.resolver("127.0.0.2", answering(t))
	tests := []struct {
		name, server string
		wantErr      error
		words        string
	}{
		{name: "referral", server: "192.0.2.1:53", wantErr: dns.ErrNoRecursion,
			words: "this server does not recurse (RA is 0), so instead of the answer it only said who to ask next; leave out @192.0.2.1:53 to walk the tree from the root"},
		{name: "resolver's answer", server: "127.0.0.2:53",
			words: "a recursive resolver's answer, from its cache or from its own walk down the tree, not from the zone's own servers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := trace.NewRecorder("www.test", trace.ModeLive, "test", nil, nil)
			r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: time.Second}
			res, err := r.Ask(context.Background(), tc.server, "www.test", dns.FamilyIPv4)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			st := rec.Snapshot().Stage(trace.StageDNS)
			if res.Queries != 1 || len(st.Exchanges) != 1 {
				t.Errorf("%d queries, %d exchanges, want 1", res.Queries, len(st.Exchanges))
			}
			if !strings.Contains(words(st), tc.words) {
				t.Errorf("the trace does not say %q:\n%s", tc.words, words(st))
			}
		})
	}
}

// TestQueryNeverSent: a query that could not leave (no socket) is not
// counted as sent, and the trace says it never left.
func TestQueryNeverSent(t *testing.T) {
	router := &dial.Router{LoopbackOnly: true, Refuse: func(network, address string) error { return dial.ErrRefused }}
	rec := trace.NewRecorder("www.test", trace.ModeLive, "test", nil, nil)
	r := &dns.Resolver{Dialer: router, Recorder: rec, Timeout: time.Second}
	res, err := r.Ask(context.Background(), "192.0.2.250:53", "www.test", dns.FamilyIPv4)
	if err == nil {
		t.Fatal("want an error")
	}
	if res.Queries != 0 {
		t.Errorf("%d queries counted, want 0: none left", res.Queries)
	}
	st := rec.Snapshot().Stage(trace.StageDNS)
	ex := st.Exchanges[0]
	if w, said := "was never sent", ex.Error+"\n"+strings.Join(ex.Notes, "\n"); strings.Count(said, w) != 1 {
		t.Errorf("the exchange's error and notes do not say %q once:\n%s", w, said)
	}
	if w := "192.0.2.250:53"; strings.Count(err.Error(), w) > 1 {
		t.Errorf("the error names %s more than once: %q", w, err)
	}
}

// TestRefusedPort: a server's host that answers "port unreachable" (no
// DNS server there: @127.0.0.9 in the lab) is told in words, not as the
// socket's error with its random local port.
func TestRefusedPort(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nothing listens there now
	_, port, _ := net.SplitHostPort(addr)
	rec := trace.NewRecorder("www.test", trace.ModeLab, "test", nil, nil)
	r := &dns.Resolver{Dialer: &dial.Router{LoopbackOnly: true}, Recorder: rec, Timeout: time.Second}
	_, err = r.Ask(context.Background(), addr, "www.test", dns.FamilyIPv4)
	if err == nil {
		t.Fatal("want an error")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not wrap ECONNREFUSED", err)
	}
	want := "nothing listens on UDP port " + port + " at 127.0.0.1"
	ex := rec.Snapshot().Stage(trace.StageDNS).Exchanges[0]
	for what, text := range map[string]string{"error": err.Error(), "exchange error": ex.Error, "label": ex.Label} {
		if !strings.Contains(text, want) || strings.Contains(text, "read udp") {
			t.Errorf("%s %q: want %q, not the socket's words", what, text, want)
		}
	}
}

// TestBlockedRootsFallBackSoon: live with hedging, silent roots are asked
// 50 ms apart, each for at most 1.4 s, so the fallback to the system's
// resolver comes in about 1.5 s, not three timeouts in a row.
func TestBlockedRootsFallBackSoon(t *testing.T) {
	n := newNet(t)
	var roots []dns.Server
	for _, a := range []string{"192.0.2.1", "192.0.2.11", "192.0.2.12", "192.0.2.13"} {
		n.serve(a, func(w mdns.ResponseWriter, r *mdns.Msg) {})
		roots = append(roots, dns.Server{Name: a, Addr: a + ":53"})
	}
	n.resolver("127.0.0.2", answering(t))
	conf := t.TempDir() + "/resolv.conf"
	if err := os.WriteFile(conf, []byte("nameserver 127.0.0.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := trace.NewRecorder("www.test", trace.ModeLive, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 2 * time.Second, SystemFallback: true, ResolvConf: conf, Roots: roots, Hedge: true}
	start := time.Now()
	res, err := r.Lookup(context.Background(), "www.test", dns.FamilyIPv4)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != trace.MethodSystem || res.Queries != 4 {
		t.Errorf("method %s after %d queries, want the system resolver after 3 roots and 1 resolver", res.Method, res.Queries)
	}
	// About 1.5 s; three roots in a row would take 4.2 s. The margin is
	// for a loaded machine and the race detector.
	if took > 2500*time.Millisecond {
		t.Errorf("fell back after %s, want about 1.5 s", took)
	}
	st := rec.Snapshot().Stage(trace.StageDNS)
	if w := "had not answered within 50.0 ms"; !strings.Contains(words(st), w) {
		t.Errorf("the trace does not say %q:\n%s", w, words(st))
		for _, ex := range st.Exchanges {
			t.Logf("%s %q %q", ex.Label, ex.Notes, ex.Error)
		}
	}
}

// TestLameServersNotAskedAgain: servers that answered, however badly, are
// not asked again at the same step (they would answer the same); only a
// silent one gets more tries (3 in all), as its packet may have been lost.
func TestLameServersNotAskedAgain(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS a.test.
test. IN NS b.test.
test. IN NS c.test.
a.test. IN A 192.0.2.3
b.test. IN A 192.0.2.4
c.test. IN A 192.0.2.5
`)
	var seen counter
	refuse := func(who string) mdns.HandlerFunc {
		return func(w mdns.ResponseWriter, r *mdns.Msg) {
			seen.add(who)
			refusing(w, r)
		}
	}
	n.serve("192.0.2.3", refuse("a"))
	n.serve("192.0.2.4", refuse("b"))
	n.serve("192.0.2.5", func(w mdns.ResponseWriter, r *mdns.Msg) { seen.add("c") })
	_, _, err := n.run("www.test", "192.0.2.1")
	if !errors.Is(err, dns.ErrNoServer) || !strings.Contains(err.Error(), "REFUSED") {
		t.Fatalf("err = %v, want no usable server, saying REFUSED", err)
	}
	if seen.get("a") != 1 || seen.get("b") != 1 || seen.get("c") != 3 {
		t.Errorf("asked a %d, b %d, c %d times; want the refusing ones once, the silent one 3 times", seen.get("a"), seen.get("b"), seen.get("c"))
	}
}
