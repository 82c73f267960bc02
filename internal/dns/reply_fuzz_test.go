package dns

import (
	"encoding/binary"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"journey/internal/trace"
)

// FuzzReply reads a stranger's reply as the walk does: scrubbed unpacking,
// then classification by a server of test. for www.test. A. Whatever the
// bytes, it must not panic, every address taken must come from inside the
// zone, a usable reply must have a kind and words, and what was dropped is
// bounded.
func FuzzReply(f *testing.F) {
	seed := func(rrs ...string) []byte {
		m := new(mdns.Msg)
		m.SetQuestion("www.test.", mdns.TypeA)
		m.Response = true
		for i, s := range rrs {
			rr, err := mdns.NewRR(s)
			if err != nil {
				f.Fatal(err)
			}
			switch {
			case i == 0 || strings.Contains(s, "CNAME"):
				m.Answer = append(m.Answer, rr)
			case strings.Contains(s, " NS ") || strings.Contains(s, "SOA"):
				m.Ns = append(m.Ns, rr)
			default:
				m.Extra = append(m.Extra, rr)
			}
		}
		m.Compress = true
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(seed("www.test. 60 IN A 192.0.2.80"))
	f.Add(seed("www.test. 60 IN CNAME web.test.", "web.test. 60 IN CNAME www.other.", "www.other. 60 IN A 192.0.2.66"))
	f.Add(seed("www.test. 60 CH A 192.0.2.80", "sub.test. 60 IN NS ns.sub.test.", "ns.sub.test. 60 IN A 192.0.2.3"))
	f.Add(seed("www.test. 60 IN A 192.0.2.80", "test. 60 IN SOA ns.test. a.test. 1 1 1 1 1"))
	bad := seed("www.test. 60 IN A 192.0.2.80")
	binary.BigEndian.PutUint16(bad[len(bad)-6:], 3) // the A record's RDLENGTH
	f.Add(bad)
	f.Add([]byte{0, 1, 0x84, 0, 0, 1, 0, 9, 0, 0, 0, 0, 3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, dropped, err := unpackScrubbed(b)
		if err != nil {
			return
		}
		if len(dropped) > maxDroppedNotes+1 {
			t.Fatalf("%d notes about dropped records", len(dropped))
		}
		ex := &trace.Exchange{DNS: &trace.DNSExchange{}}
		usable := describe(ex, m, "test.", "www.test.", mdns.TypeA) == nil
		if usable && (ex.DNS.Kind == "" || ex.Outcome == "") {
			t.Fatalf("a usable reply with no kind or words: %q %q", ex.DNS.Kind, ex.Outcome)
		}
		addrs, _, _, _ := followCNAMEs(m, "www.test.", mdns.TypeA, "test.")
		for _, a := range addrs {
			found := false
			for _, rr := range m.Answer {
				if v, ok := rr.(*mdns.A); ok && v.A.String() == a && mdns.IsSubDomain("test.", strings.ToLower(v.Hdr.Name)) && v.Hdr.Class == mdns.ClassINET {
					found = true
				}
			}
			if !found {
				t.Fatalf("address %s taken from outside the zone or class", a)
			}
		}
		if child, ns := referral(m, "test.", "www.test."); child != "" {
			if !isStrictSubdomain("test.", child) {
				t.Fatalf("referral to %s, not below test.", child)
			}
			for _, s := range ns {
				if len(s.addrs) > 0 && !mdns.IsSubDomain("test.", s.name) {
					t.Fatalf("glue taken for %s, out of bailiwick", s.name)
				}
			}
		}
	})
}
