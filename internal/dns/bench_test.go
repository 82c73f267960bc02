package dns_test

import (
	"context"
	"testing"

	mdns "github.com/miekg/dns"

	"journey/internal/dns"
	"journey/internal/lab"
	"journey/internal/trace"
)

// BenchmarkLookupLab is one whole iterative lookup (root, com, example.com)
// against the lab with no simulated latency: the cost of journey's own
// work per name, sockets included.
func BenchmarkLookupLab(b *testing.B) {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ReportAllocs()
	for b.Loop() {
		rec := trace.NewRecorder("www.example.com", trace.ModeLab, "bench", nil, nil)
		r := &dns.Resolver{Dialer: l.Dialer(), Recorder: rec, Roots: l.Roots()}
		if _, err := r.Lookup(context.Background(), "www.example.com", dns.FamilyIPv4); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnnotateReferral annotates a typical referral (NS records and
// glue, compressed) field by field.
func BenchmarkAnnotateReferral(b *testing.B) {
	m := new(mdns.Msg)
	m.SetQuestion("www.example.com.", mdns.TypeA)
	m.Response = true
	for _, s := range []string{"example.com. 172800 IN NS ns1.example.com.", "example.com. 172800 IN NS ns2.example.com."} {
		rr, _ := mdns.NewRR(s)
		m.Ns = append(m.Ns, rr)
	}
	for _, s := range []string{"ns1.example.com. 172800 IN A 198.51.100.1", "ns2.example.com. 172800 IN A 198.51.100.2"} {
		rr, _ := mdns.NewRR(s)
		m.Extra = append(m.Extra, rr)
	}
	m.SetEdns0(1232, false)
	m.Compress = true
	msg, err := m.Pack()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		dns.Annotate(msg)
	}
}
