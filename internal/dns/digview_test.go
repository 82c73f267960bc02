package dns_test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"journey/internal/dns"
	"journey/internal/lab"
	"journey/internal/trace"
)

// TestWhatDigShows: each reply's exchange keeps dig's header line (status,
// flags, counts, EDNS), the answer's TTL worded, and on NXDOMAIN or NODATA
// the SOA with how long the "no" may be cached.
func TestWhatDigShows(t *testing.T) {
	n := newNet(t)
	n.zones("192.0.2.1", rootZone)
	n.zones("192.0.2.2", `
$ORIGIN test.
@ 3600 IN SOA ns.test. admin.test. 1 1 1 1 300
@ IN NS ns.test.
ns IN A 192.0.2.2
www 86400 IN A 192.0.2.80
txt IN TXT "only text"
`)
	tests := []struct {
		name, target string
		want         []string
	}{
		{name: "answer", target: "www.test", want: []string{
			"header: status NOERROR, flags qr aa; QUERY 1, ANSWER 1, AUTHORITY 0, ADDITIONAL 1; EDNS version 0, UDP 1232 bytes, flags none",
			"TTL 86400: the answer may be cached for up to 1 day"}},
		{name: "nxdomain", target: "nope.test", want: []string{
			"header: status NXDOMAIN, flags qr aa",
			`SOA test. (ns.test.): this "no" may be cached for 5 minutes, the smaller of the SOA's TTL (3600) and its MINIMUM field (300)`}},
		{name: "nodata", target: "txt.test", want: []string{
			"header: status NOERROR, flags qr aa; QUERY 1, ANSWER 0, AUTHORITY 1",
			`this "no" may be cached for 5 minutes`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, st, _ := n.lookup(tc.target, dns.FamilyIPv4, "192.0.2.1")
			last := st.Exchanges[len(st.Exchanges)-1]
			notes := strings.Join(last.Notes, "\n")
			for _, w := range tc.want {
				if !strings.Contains(notes, w) {
					t.Errorf("the last reply's notes do not say %q:\n%s", w, notes)
				}
			}
		})
	}
}

// TestTCPLengthPrefix: over TCP the captured bytes are exactly what
// crossed the wire, the two-byte length prefix included, annotated as a
// field of its own, with the message's fields after it.
func TestTCPLengthPrefix(t *testing.T) {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rec := trace.NewRecorder("big.example.com", trace.ModeLab, "test", nil, nil)
	r := &dns.Resolver{Dialer: withRefusal(t, l.Dialer()), Recorder: rec, Roots: l.Roots(), Timeout: time.Second}
	if _, err := r.Lookup(context.Background(), "big.example.com", dns.FamilyIPv4); err != nil {
		t.Fatal(err)
	}
	var tcp *trace.Exchange
	for _, ex := range rec.Snapshot().Stage(trace.StageDNS).Exchanges {
		if ex.Transport == "tcp" {
			tcp = ex
		}
	}
	if tcp == nil {
		t.Fatal("no exchange over TCP")
	}
	for _, m := range []trace.Message{tcp.Sent, tcp.Received} {
		if len(m.Bytes) < 14 || int(binary.BigEndian.Uint16(m.Bytes)) != len(m.Bytes)-2 {
			t.Fatalf("%d bytes, not framed by their length", len(m.Bytes))
		}
		if f := m.Fields[0]; f.Name != "Length prefix (TCP)" || f.Offset != 0 || f.Length != 2 {
			t.Errorf("first field %+v, want the length prefix at 0", f)
		}
		if f := m.Fields[1]; f.Name != "Header" || f.Offset != 2 || f.Children[0].Offset != 2 {
			t.Errorf("second field %s at %d, want the header at 2", f.Name, f.Offset)
		}
	}
}
