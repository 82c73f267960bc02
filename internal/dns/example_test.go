package dns_test

import (
	"context"
	"fmt"

	"journey/internal/dns"
	"journey/internal/lab"
	"journey/internal/trace"
)

// Resolve a name through the lab, from its root servers down, and print
// each hop the trace recorded.
func ExampleResolver_Lookup() {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()

	rec := trace.NewRecorder("www.example.com", trace.ModeLab, "example", nil, nil)
	r := &dns.Resolver{Dialer: l.Dialer(), Recorder: rec, Roots: l.Roots()}
	result, err := r.Lookup(context.Background(), "www.example.com", dns.FamilyIPv4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ex := range rec.Snapshot().Stage(trace.StageDNS).Exchanges {
		fmt.Println(ex.Label)
	}
	fmt.Println(result.Addresses, result.Queries, "queries")
	// Output:
	// a.root-servers.net (192.0.2.1:53): referral to com.: 2 nameservers, 2 with glue
	// a.gtld-servers.net (192.0.2.10:53): referral to example.com.: 2 nameservers, 2 with glue
	// ns1.example.com (198.51.100.1:53): answer: 203.0.113.10
	// [203.0.113.10] 3 queries
}
