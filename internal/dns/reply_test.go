package dns

import (
	"reflect"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

func msgWith(t *testing.T, answer, ns, extra []string) *mdns.Msg {
	t.Helper()
	m := new(mdns.Msg)
	m.Response = true
	add := func(to *[]mdns.RR, rrs []string) {
		for _, s := range rrs {
			rr, err := mdns.NewRR(s)
			if err != nil {
				t.Fatal(err)
			}
			*to = append(*to, rr)
		}
	}
	add(&m.Answer, answer)
	add(&m.Ns, ns)
	add(&m.Extra, extra)
	return m
}

func TestFollowCNAMEs(t *testing.T) {
	tests := []struct {
		name    string
		answer  []string
		zone    string
		addrs   string
		chain   string
		restart string
		loop    bool
	}{
		{"plain answer", []string{"www.a.test. 60 IN A 192.0.2.1"}, "a.test.", "192.0.2.1", "", "", false},
		{"chain inside the zone", []string{"www.a.test. 60 IN CNAME web.a.test.", "web.a.test. 60 IN A 192.0.2.2"}, "a.test.", "192.0.2.2", "web.a.test.", "", false},
		{"chain leaves the zone", []string{"www.a.test. 60 IN CNAME cdn.b.test."}, "a.test.", "", "cdn.b.test.", "cdn.b.test.", false},
		{"out-of-bailiwick address not trusted", []string{"www.a.test. 60 IN CNAME cdn.b.test.", "cdn.b.test. 60 IN A 192.0.2.66"}, "a.test.", "", "cdn.b.test.", "cdn.b.test.", false},
		{"a recursive resolver is trusted for all", []string{"www.a.test. 60 IN CNAME cdn.b.test.", "cdn.b.test. 60 IN A 192.0.2.3"}, ".", "192.0.2.3", "cdn.b.test.", "", false},
		{"loop", []string{"x.a.test. 60 IN CNAME y.a.test.", "y.a.test. 60 IN CNAME x.a.test."}, "a.test.", "", "y.a.test.", "", true},
		{"records of other names ignored", []string{"other.a.test. 60 IN A 192.0.2.9"}, "a.test.", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := msgWith(t, tc.answer, nil, nil)
			q := "www.a.test."
			if tc.name == "loop" {
				q = "x.a.test."
			}
			addrs, chain, restart, loop := followCNAMEs(m, q, mdns.TypeA, tc.zone)
			if strings.Join(addrs, ",") != tc.addrs || strings.Join(chain, " ") != tc.chain || restart != tc.restart || loop != tc.loop {
				t.Errorf("got addrs %v chain %v restart %q loop %v", addrs, chain, restart, loop)
			}
		})
	}
}

func TestReferral(t *testing.T) {
	tests := []struct {
		name  string
		zone  string
		ns    []string
		extra []string
		child string
		glue  string // name=addrs;...
	}{
		{"down one level with glue", ".", []string{"com. 60 IN NS a.gtld.com."}, []string{"a.gtld.com. 60 IN A 192.0.2.10"}, "com.", "a.gtld.com.=192.0.2.10"},
		{"glue out of bailiwick dropped", "com.", []string{"example.com. 60 IN NS ns.example.org."}, []string{"ns.example.org. 60 IN A 192.0.2.66"}, "example.com.", "ns.example.org.="},
		{"sideways is not a referral", "com.", []string{"example.net. 60 IN NS ns.example.net."}, nil, "", ""},
		{"upwards is not a referral", "example.com.", []string{"com. 60 IN NS a.gtld.com."}, nil, "", ""},
		{"same zone is not a referral", "example.com.", []string{"example.com. 60 IN NS ns1.example.com."}, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := msgWith(t, nil, tc.ns, tc.extra)
			child, servers := referral(m, tc.zone, "www.example.com.")
			if child != tc.child {
				t.Fatalf("child = %q, want %q", child, tc.child)
			}
			var glue []string
			for _, s := range servers {
				glue = append(glue, s.name+"="+strings.Join(s.addrs, ","))
			}
			if got := strings.Join(glue, ";"); got != tc.glue {
				t.Errorf("servers = %q, want %q", got, tc.glue)
			}
		})
	}
}

// TestAnnotateQueryCached: a query annotated from the cache is the same as
// one annotated afresh, its own ID included.
func TestAnnotateQueryCached(t *testing.T) {
	for _, id := range []uint16{1, 0xbeef, 1} {
		q := newQuery("www.cached.test.", mdns.TypeA, false)
		q.Id = id
		b, err := q.Pack()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := annotateQuery(b), Annotate(b); !reflect.DeepEqual(got, want) {
			t.Fatalf("ID %#x: cached fields differ:\n got %+v\nwant %+v", id, got[0], want[0])
		}
	}
}
