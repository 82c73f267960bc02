package dns_test

import (
	"context"
	"slices"
	"testing"
	"time"

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

// BenchmarkLabLoss measures the tail the lab's packet loss puts on the DNS
// stage: 50 lookups with no loss and 50 with 10% loss, realistic latency,
// hedging on as the engine runs it. It reports the no-loss median, the
// lossy p95, and their ratio (the goal: under 2).
//
//	go test ./internal/dns -run '^$' -bench LabLoss -benchtime 1x
func BenchmarkLabLoss(b *testing.B) {
	const journeys = 50
	run := func(loss float64, hedge bool) []time.Duration {
		l, err := lab.Start(context.Background(), lab.Options{Latency: lab.PresetLatency, Loss: loss})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		var took []time.Duration
		extra := 0
		for range journeys {
			rec := trace.NewRecorder("www.example.com", trace.ModeLab, "bench", nil, nil)
			r := &dns.Resolver{Dialer: l.Dialer(), Recorder: rec, Roots: l.Roots(), Hedge: hedge}
			start := time.Now()
			res, err := r.Lookup(context.Background(), "www.example.com", dns.FamilyAny)
			if err != nil {
				b.Logf("lookup failed: %v", err)
			}
			extra += res.Queries - 3 // root, com, example.com
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		if loss == 0 {
			b.ReportMetric(float64(extra)/journeys, "extra-queries-noloss/op")
		}
		return took
	}
	pct := func(d []time.Duration, p int) time.Duration { return d[(len(d)-1)*p/100] }
	for b.Loop() {
		clean := run(0, true)
		lossy := run(10, true)
		plain := run(10, false)[:journeys]
		b.ReportMetric(float64(pct(clean, 50).Microseconds())/1000, "ms-median-noloss")
		b.ReportMetric(float64(pct(lossy, 95).Microseconds())/1000, "ms-p95-loss10")
		b.ReportMetric(float64(pct(lossy, 95))/float64(pct(clean, 50)), "p95/median")
		b.ReportMetric(float64(pct(plain, 95).Microseconds())/1000, "ms-p95-loss10-nohedge")
		b.Logf("no loss: %v\nloss 10%%: %v", clean, lossy)
	}
}
