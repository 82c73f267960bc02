package dns_test

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dns"
	"journey/internal/trace"
)

// counter counts the queries each server saw, by the address shown.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(who string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[who]++
}

func (c *counter) get(who string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[who]
}

// words is all the trace says about a stage: outcomes, errors, notes,
// ignored records and the purposes of nested lookups.
func words(st *trace.Stage) string {
	var b strings.Builder
	for _, n := range st.Notes {
		b.WriteString(n + "\n")
	}
	for _, ex := range st.Exchanges {
		b.WriteString(ex.Outcome + "\n" + ex.Error + "\n" + strings.Join(ex.Notes, "\n") + "\n")
		if ex.DNS != nil {
			b.WriteString(strings.Join(ex.DNS.Ignored, "\n") + "\n" + ex.DNS.For + "\n")
		}
	}
	return b.String()
}

// lookup resolves name from roots with fam and returns the result, the
// stage and the error.
func (n *testNet) lookup(name string, fam dns.Family, roots ...string) (*trace.DNS, *trace.Stage, error) {
	n.t.Helper()
	rec := trace.NewRecorder(name, trace.ModeLab, "test", nil, nil)
	r := &dns.Resolver{Dialer: n.router, Recorder: rec, Timeout: 300 * time.Millisecond}
	for _, root := range roots {
		r.Roots = append(r.Roots, dns.Server{Name: "root-" + root, Addr: root + ":53"})
	}
	res, err := r.Lookup(context.Background(), name, fam)
	rec.FinishStage(trace.StageDNS, err, nil)
	return res, rec.Snapshot().Stage(trace.StageDNS), err
}

// TestGlueIsKeptOverTheChild: the parent's glue reaches the nameserver even
// when the child zone gives a broken address for it; the broken address is
// never contacted (an unrouted address fails the test).
func TestGlueIsKeptOverTheChild(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	n.zones("192.0.2.2", `
$ORIGIN test.
@ 3600 IN SOA ns.test. admin.test. 1 1 1 1 1
@ IN NS ns.test.
ns IN A 192.0.2.99
www IN CNAME web.test.
web IN A 192.0.2.80
`)
	res, st, err := n.run("www.test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" || res.Queries != 2 {
		t.Errorf("addresses %s after %d queries, want 192.0.2.80 after 2", got, res.Queries)
	}
	for _, ex := range st.Exchanges {
		if strings.HasPrefix(ex.Peer.Addr, "192.0.2.99") {
			t.Errorf("the child's broken address was used: %s", ex.Label)
		}
	}
}

// TestGluelessInZoneNameserver: test. is served by ns.test, and the root
// gave no glue in the referral for www.test; ns.test's address is asked of
// the parent (the root), which gives it as glue when asked for the name.
func TestGluelessInZoneNameserver(t *testing.T) {
	tests := []struct {
		name      string
		glueOnAsk bool // the parent gives glue when asked for ns.test itself
		wantErr   error
		queries   int
		words     string
		kinds     []string
	}{
		{name: "parent gives glue when asked", glueOnAsk: true, queries: 4,
			words: "it is inside test. itself, so the parent zone's servers are asked",
			kinds: []string{"referral", ">referral", ">answer", "answer"}},
		{name: "parent never gives glue", wantErr: dns.ErrNoServer, queries: 2,
			words: "its address is needed to look up its own address",
			kinds: []string{"referral", ">referral"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t)
			n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
				m := new(mdns.Msg)
				m.SetReply(r)
				m.Ns = []mdns.RR{mustRR(t, "test. 60 IN NS ns.test.")}
				if tc.glueOnAsk && r.Question[0].Name == "ns.test." {
					m.Extra = []mdns.RR{mustRR(t, "ns.test. 60 IN A 192.0.2.2")}
				}
				w.WriteMsg(m)
			})
			n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
			res, st, err := n.run("www.test", "192.0.2.1")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.words) {
					t.Fatalf("err = %v, want %v saying %q", err, tc.wantErr, tc.words)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" {
					t.Errorf("addresses = %s", got)
				}
				if !strings.Contains(words(st), tc.words) {
					t.Errorf("the trace does not say %q:\n%s", tc.words, words(st))
				}
			}
			if res.Queries != tc.queries || !equal(kinds(st), tc.kinds) {
				t.Errorf("%d queries %v, want %d %v", res.Queries, kinds(st), tc.queries, tc.kinds)
			}
		})
	}
}

// TestNoLookupEndsWithoutReasons: a zone whose only nameserver has no
// address of the family asked for, and no way to find one, ends with a
// reason, never with an empty list.
func TestNoLookupEndsWithoutReasons(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	_, _, err := n.lookup("www.test", dns.FamilyIPv6, "192.0.2.1")
	if err == nil {
		t.Fatal("want an error: the only root has no IPv6 address")
	}
	if msg := err.Error(); strings.HasSuffix(msg, ": ") || !strings.Contains(msg, "IPv6 only, as -6 asks") {
		t.Errorf("err = %q, want a reason naming the family", msg)
	}
}

// TestCNAMETargets: a CNAME whose target is in the same zone but missing
// from the reply is asked for; one whose target is elsewhere is looked up
// from the root, and the rest of the chain the first server sent is not
// trusted.
func TestCNAMETargets(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone+"other. IN NS ns.other.\nns.other. IN A 192.0.2.4\n")
	n.serve("192.0.2.2", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Authoritative = true
		switch r.Question[0].Name {
		case "www.test.": // the in-zone target's records are left out
			m.Answer = []mdns.RR{mustRR(t, "www.test. 60 IN CNAME web.test.")}
		case "web.test.":
			m.Answer = []mdns.RR{mustRR(t, "web.test. 60 IN A 192.0.2.80")}
		case "away.test.": // an out-of-zone target, with a forged address
			m.Answer = []mdns.RR{mustRR(t, "away.test. 60 IN CNAME www.other."), mustRR(t, "www.other. 60 IN A 192.0.2.66")}
		}
		w.WriteMsg(m)
	})
	n.zones("192.0.2.4", `
$ORIGIN other.
@ 60 IN SOA ns.other. a. 1 1 1 1 1
@ IN NS ns.other.
ns IN A 192.0.2.4
www IN A 192.0.2.81
`)
	tests := []struct {
		name, target, addrs, words string
		queries                    int
		kinds                      []string
	}{
		{name: "in-zone target missing", target: "www.test", addrs: "192.0.2.80", queries: 3,
			words: "whose records are missing from the reply: asking for it",
			kinds: []string{"referral", "cname", "answer"}},
		{name: "out-of-zone target", target: "away.test", addrs: "192.0.2.81", queries: 4,
			words: "out of bailiwick: a server for test. has no say over www.other.",
			kinds: []string{"referral", "cname", "referral", "answer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, st, err := n.run(tc.target, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.Addresses, ","); got != tc.addrs {
				t.Errorf("addresses = %s, want %s", got, tc.addrs)
			}
			if res.Queries != tc.queries || !equal(kinds(st), tc.kinds) {
				t.Errorf("%d queries %v, want %d %v", res.Queries, kinds(st), tc.queries, tc.kinds)
			}
			if !strings.Contains(words(st), tc.words) {
				t.Errorf("the trace does not say %q:\n%s", tc.words, words(st))
			}
		})
	}
}

// TestOtherClassesIgnored: a referral carrying CHAOS-class NS records and
// glue uses only the IN ones, and shows the others as ignored.
func TestOtherClassesIgnored(t *testing.T) {
	n := newNet(t)
	n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Ns = []mdns.RR{mustRR(t, "test. 60 CH NS evil.test."), mustRR(t, "test. 60 IN NS ns.test.")}
		m.Extra = []mdns.RR{mustRR(t, "evil.test. 60 CH A 192.0.2.66"), mustRR(t, "ns.test. 60 CH A 192.0.2.67"), mustRR(t, "ns.test. 60 IN A 192.0.2.2")}
		w.WriteMsg(m)
	})
	n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
	res, st, err := n.run("www.test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" || res.Queries != 2 {
		t.Errorf("addresses %s after %d queries, want 192.0.2.80 after 2", got, res.Queries)
	}
	ref := st.Exchanges[0].DNS
	if len(ref.Nameservers) != 1 || ref.Nameservers[0].Name != "ns.test." || strings.Join(ref.Nameservers[0].Addrs, ",") != "192.0.2.2" {
		t.Errorf("nameservers = %+v, want ns.test. at 192.0.2.2 only", ref.Nameservers)
	}
	if got := strings.Count(strings.Join(ref.Ignored, "\n"), "class CH, not IN"); got != 3 {
		t.Errorf("%d records shown as of another class, want 3: %q", got, ref.Ignored)
	}
}

// TestOtherFamilyGlue: with -4, a nameserver that came with IPv6 glue only
// has its IPv4 address looked up; its IPv6 address is never dialled (an
// unrouted address fails the test).
func TestOtherFamilyGlue(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", `
$ORIGIN .
@ 86400 IN SOA root. admin. 1 1 1 1 1
@ IN NS root.
test. IN NS ns.other.
ns.other. IN AAAA 2001:db8::2
other. IN NS a.ns.net.
a.ns.net. IN A 192.0.2.4
`)
	n.zones("192.0.2.4", `
$ORIGIN other.
@ 60 IN SOA a.ns.net. a. 1 1 1 1 1
@ IN NS a.ns.net.
ns IN A 192.0.2.2
ns IN AAAA 2001:db8::2
`)
	n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
	res, st, err := n.lookup("www.test", dns.FamilyIPv4, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" {
		t.Errorf("addresses = %s", got)
	}
	want := []string{"referral", ">referral", ">answer", "answer"}
	if res.Queries != 4 || !equal(kinds(st), want) {
		t.Errorf("%d queries %v, want 4 %v", res.Queries, kinds(st), want)
	}
	if w := "came with IPv6 glue only, and IPv4 only, as -4 asks"; !strings.Contains(words(st), w) {
		t.Errorf("the trace does not say %q:\n%s", w, words(st))
	}
}

// TestMalformedRecordIsDropped: a reply with one record whose data is
// broken keeps its other records; the broken one is shown as dropped.
func TestMalformedRecordIsDropped(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	n.rawUDP("192.0.2.2", func(q []byte) [][]byte {
		m := new(mdns.Msg)
		if m.Unpack(q) != nil {
			return nil
		}
		r := new(mdns.Msg)
		r.SetReply(m)
		r.Authoritative = true
		r.Answer = []mdns.RR{mustRR(t, "www.test. 60 IN A 192.0.2.80")}
		b, err := r.Pack()
		if err != nil {
			return nil
		}
		// Insert, before the good record, an A record of 3 bytes of data
		// (an address needs 4): name pointer to the question, type A,
		// class IN, TTL 60, RDLENGTH 3.
		bad := []byte{0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 192, 0, 2}
		at := 12 + len("www.test.") + 1 + 4
		out := append(append(append([]byte(nil), b[:at]...), bad...), b[at:]...)
		binary.BigEndian.PutUint16(out[6:], 2)
		return [][]byte{out}
	})
	res, st, err := n.run("www.test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" || res.Queries != 2 {
		t.Errorf("addresses %s after %d queries, want 192.0.2.80 after 2", got, res.Queries)
	}
	if w := "www.test. A record at byte 26 is malformed"; !strings.Contains(words(st), w) {
		t.Errorf("the trace does not say %q:\n%s", w, words(st))
	}
}

// TestAnswerBesideAReferral: a parent's reply that is not authoritative,
// carries an answer, and delegates the name is a referral: the answer is
// shown as ignored and the child is asked.
func TestAnswerBesideAReferral(t *testing.T) {
	n := newNet(t)
	n.serve("192.0.2.1", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Answer = []mdns.RR{mustRR(t, r.Question[0].Name+" 60 IN A 192.0.2.66")}
		m.Ns = []mdns.RR{mustRR(t, "test. 60 IN NS ns.test.")}
		m.Extra = []mdns.RR{mustRR(t, "ns.test. 60 IN A 192.0.2.2")}
		w.WriteMsg(m)
	})
	n.zones("192.0.2.2", testZoneHead+"www IN A 192.0.2.80\n")
	res, st, err := n.run("www.test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" || res.Queries != 2 {
		t.Errorf("addresses %s after %d queries, want 192.0.2.80 after 2", got, res.Queries)
	}
	want := []string{"referral", "answer"}
	if !equal(kinds(st), want) {
		t.Errorf("exchanges %v, want %v", kinds(st), want)
	}
	if w := "not authoritative: this server delegates test., so an answer from it is not the zone's"; !strings.Contains(words(st), w) {
		t.Errorf("the trace does not say %q:\n%s", w, words(st))
	}
}

// TestNoEDNSServer: a server that answers FORMERR, with no OPT record, to
// a query with EDNS is asked again without it.
func TestNoEDNSServer(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	n.serve("192.0.2.2", func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		if r.IsEdns0() != nil {
			m.SetRcode(r, mdns.RcodeFormatError)
		} else {
			m.SetReply(r)
			m.Authoritative = true
			m.Answer = []mdns.RR{mustRR(t, r.Question[0].Name+" 60 IN A 192.0.2.80")}
		}
		w.WriteMsg(m)
	})
	res, st, err := n.run("www.test", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Addresses, ","); got != "192.0.2.80" || res.Queries != 3 {
		t.Errorf("addresses %s after %d queries, want 192.0.2.80 after 3", got, res.Queries)
	}
	want := []string{"referral", "error", "answer"}
	if !equal(kinds(st), want) {
		t.Errorf("exchanges %v, want %v", kinds(st), want)
	}
	if w := "FORMERR with no OPT record: this server does not understand EDNS, so the question is asked again without it"; !strings.Contains(words(st), w) {
		t.Errorf("the trace does not say %q:\n%s", w, words(st))
	}
	if last := st.Exchanges[2]; len(last.Sent.Bytes) != 12+len("www.test.")+1+4 {
		t.Errorf("the retry is %d bytes, want a query with no OPT record", len(last.Sent.Bytes))
	}
}
