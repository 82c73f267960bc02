package lab

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestEmbeddedZonesLoad(t *testing.T) {
	zones, err := loadZones()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		for _, origin := range h.zones {
			if zones[origin] == nil {
				t.Errorf("%s serves %s, which has no zone file", h.name, origin)
			}
		}
	}
}

func TestAnswer(t *testing.T) {
	zones, err := loadZones()
	if err != nil {
		t.Fatal(err)
	}
	serve := func(origins ...string) []*Zone {
		var out []*Zone
		for _, o := range origins {
			out = append(out, zones[o])
		}
		return out
	}
	tests := []struct {
		name   string
		server []*Zone
		qname  string
		qtype  uint16
		rcode  int
		aa     bool
		answer string // the answer section, records joined by " | "
		ns     string // first authority record's owner and type
		extra  int
	}{
		{"root refers to com", serve("."), "www.example.com.", dns.TypeA, dns.RcodeSuccess, false, "", "com. NS", 2},
		{"com refers to example.com with glue", serve("com.", "net."), "www.example.com.", dns.TypeA, dns.RcodeSuccess, false, "", "example.com. NS", 2},
		{"org refers without glue", serve("org."), "www.example.org.", dns.TypeA, dns.RcodeSuccess, false, "", "example.org. NS", 0},
		{"uk refers straight to example.co.uk", serve("uk."), "www.example.co.uk.", dns.TypeA, dns.RcodeSuccess, false, "", "example.co.uk. NS", 1},
		{"authoritative answer", serve("example.com."), "www.example.com.", dns.TypeA, dns.RcodeSuccess, true, "www.example.com.\t3600\tIN\tA\t203.0.113.10", "", 0},
		{"case does not matter", serve("example.com."), "WWW.Example.COM.", dns.TypeA, dns.RcodeSuccess, true, "www.example.com.\t3600\tIN\tA\t203.0.113.10", "", 0},
		{"CNAME out of zone", serve("example.com."), "shop.example.com.", dns.TypeA, dns.RcodeSuccess, true, "shop.example.com.\t3600\tIN\tCNAME\tshops.example.net.", "", 0},
		{"NXDOMAIN with SOA", serve("example.com."), "nope.example.com.", dns.TypeA, dns.RcodeNameError, true, "", "example.com. SOA", 0},
		{"NODATA with SOA", serve("example.com."), "v6.example.com.", dns.TypeA, dns.RcodeSuccess, true, "", "example.com. SOA", 0},
		{"CNAME loop is bounded", serve("example.com."), "loop.example.com.", dns.TypeA, dns.RcodeSuccess, true, "loop.example.com.\t3600\tIN\tCNAME\tloop2.example.com. | loop2.example.com.\t3600\tIN\tCNAME\tloop.example.com.", "", 0},
		{"not my zone", serve("example.com."), "www.example.org.", dns.TypeA, dns.RcodeRefused, false, "", "", 0},
		{"most specific zone wins", serve("example.net.", "example.org."), "www.example.org.", dns.TypeA, dns.RcodeSuccess, true, "www.example.org.\t3600\tIN\tA\t203.0.113.10", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := new(dns.Msg)
			q.SetQuestion(tc.qname, tc.qtype)
			m := Answer(tc.server, q)
			if m.Rcode != tc.rcode || m.Authoritative != tc.aa {
				t.Errorf("rcode %s aa %v, want %s %v", dns.RcodeToString[m.Rcode], m.Authoritative, dns.RcodeToString[tc.rcode], tc.aa)
			}
			var ans []string
			for _, rr := range m.Answer {
				ans = append(ans, rr.String())
			}
			if got := strings.Join(ans, " | "); got != tc.answer {
				t.Errorf("answer = %q\nwant     %q", got, tc.answer)
			}
			ns := ""
			if len(m.Ns) > 0 {
				ns = m.Ns[0].Header().Name + " " + dns.TypeToString[m.Ns[0].Header().Rrtype]
			}
			if ns != tc.ns {
				t.Errorf("authority = %q, want %q", ns, tc.ns)
			}
			if len(m.Extra) != tc.extra {
				t.Errorf("%d additional records, want %d", len(m.Extra), tc.extra)
			}
		})
	}
}

func TestParseZoneErrors(t *testing.T) {
	if _, err := ParseZone("$ORIGIN x.\n@ IN A 192.0.2.1\n", ".", "nosoa.zone"); err == nil || !strings.Contains(err.Error(), "no SOA") {
		t.Errorf("zone without SOA: err = %v", err)
	}
	if _, err := ParseZone("@ IN A not-an-address\n", "x.", "bad.zone"); err == nil || !strings.Contains(err.Error(), "bad.zone") {
		t.Errorf("bad record: err = %v, want the file named", err)
	}
}
