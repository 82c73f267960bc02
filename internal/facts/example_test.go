package facts_test

import (
	"fmt"
	"os"
	"strings"

	"journey/internal/facts"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// A renderer reads the facts once and words them its own way.
func ExampleRead() {
	f, err := os.Open("testdata/k-verified.json") // journey --lab -k https://www.example.com/
	if err != nil {
		panic(err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		panic(err)
	}
	got := facts.Read(j)
	fmt.Println("TLS:", got.TLS.Verdict)
	fmt.Println("DNS:", got.DNS.Result, strings.Join(got.DNS.Chain, " → "), got.DNS.Addresses, facts.Count(got.DNS.Queries, "query", "queries"))
	fmt.Println("HTTP:", got.HTTP.Status, got.HTTP.Reason)
	fmt.Println("first server asked:", facts.Peer(j.Stage(trace.StageDNS).Exchanges[0].Peer))
	// Output:
	// TLS: verified (-k was not needed)
	// DNS: answer www.example.com [203.0.113.10] 3 queries
	// HTTP: 200 OK
	// first server asked: a.root-servers.net (192.0.2.1:53)
}

func ExampleCount() {
	fmt.Println(facts.Count(1, "question", "questions"), "/", facts.Count(2, "question", "questions"))
	// Output: 1 question / 2 questions
}
