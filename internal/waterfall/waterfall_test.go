package waterfall

import (
	"testing"
	"time"

	"journey/internal/trace"
)

const ms = time.Millisecond

func TestRows(t *testing.T) {
	dnsStage := &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, Start: 1 * ms, Duration: 30 * ms,
		Exchanges: []*trace.Exchange{
			{Peer: trace.Peer{Name: "a.root-servers.net"}, Start: 1 * ms, Duration: 10 * ms, DNS: &trace.DNSExchange{Question: "www.example.com. A"}},
			{Peer: trace.Peer{Addr: "192.0.2.10:53"}, Start: 11 * ms, Duration: 10 * ms, Depth: 1, Error: "timeout"},
		}}
	connect := &trace.Stage{Kind: trace.StageConnect, Status: trace.StatusDone, Start: 31 * ms, Duration: 20 * ms,
		Connect: &trace.Connect{
			Attempts: []trace.ConnectAttempt{{Addr: "203.0.113.10:443", Start: 31 * ms, Duration: 5 * ms}},
			TLS:      &trace.TLS{Start: 36 * ms, Handshake: 15 * ms},
		}}
	hop := func(start time.Duration, url string, exchange int) trace.HTTPHop {
		return trace.HTTPHop{Method: "GET", URL: url, Exchange: exchange, Timing: trace.Timing{Start: start, TLSStart: start + 5*ms, WriteStart: start + 20*ms, Connect: 5 * ms, TLS: 15 * ms, Write: 1 * ms, TTFB: 40 * ms, Transfer: 2 * ms, Total: 63 * ms}}
	}
	httpOne := &trace.Stage{Kind: trace.StageHTTP, Status: trace.StatusDone, Start: 51 * ms, Duration: 43 * ms,
		Exchanges: []*trace.Exchange{{Kind: "http"}},
		HTTP:      &trace.HTTP{Hops: []trace.HTTPHop{hop(31*ms, "https://x/", 0)}}}
	// The second hop's request got no answer: its exchange failed 500 ms
	// after it was written, and so did the stage.
	httpTwo := &trace.Stage{Kind: trace.StageHTTP, Status: trace.StatusFailed, Start: 51 * ms, Duration: 600 * ms,
		Exchanges: []*trace.Exchange{{Kind: "http"}, {Kind: "http", Start: 114 * ms, Duration: 500 * ms, Error: "no answer"}},
		HTTP:      &trace.HTTP{Hops: []trace.HTTPHop{hop(31*ms, "https://www.example.com/old-blog/", 0), hop(94*ms, "https://www.example.com/articles/2024/", 1)}}}
	dnsOdd := &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone,
		Exchanges: []*trace.Exchange{{Peer: trace.Peer{Name: "x"}, DNS: &trace.DNSExchange{Question: " \t "}}}}
	skipped := &trace.Stage{Kind: trace.StageGateway, Status: trace.StatusSkipped}
	router := &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Start: 60 * ms, Duration: 1 * ms}

	tests := []struct {
		name   string
		stages []*trace.Stage
		want   []Row
	}{
		{"dns hops", []*trace.Stage{dnsStage}, []Row{
			{Label: "a.root-servers.net A", Start: 1 * ms, Duration: 10 * ms, Kind: trace.StageDNS},
			{Label: "192.0.2.10:53", Start: 11 * ms, Duration: 10 * ms, Depth: 1, Kind: trace.StageDNS, Failed: true},
		}},
		{"connect and one hop, skipped stage dropped", []*trace.Stage{connect, httpOne, skipped, router}, []Row{
			{Label: "TCP connect 203.0.113.10:443", Start: 31 * ms, Duration: 5 * ms, Kind: trace.StageConnect},
			{Label: "TLS handshake", Start: 36 * ms, Duration: 15 * ms, Kind: trace.StageConnect},
			{Label: "request written", Start: 51 * ms, Duration: 1 * ms, Kind: trace.StageHTTP},
			{Label: "server processing (TTFB)", Start: 52 * ms, Duration: 40 * ms, Kind: trace.StageHTTP},
			{Label: "content transfer", Start: 92 * ms, Duration: 2 * ms, Kind: trace.StageHTTP},
			{Label: "router and view", Start: 60 * ms, Duration: 1 * ms, Kind: trace.StageRouter},
		}},
		{"two hops, last failed", []*trace.Stage{connect, httpTwo}, []Row{
			// Each hop's connection under its hop, the first's too: the
			// connect stage has no row of its own then.
			{Label: "hop 1 GET /old-blog/", Start: 31 * ms, Duration: 63 * ms, Kind: trace.StageHTTP},
			{Label: "TCP connect", Start: 31 * ms, Duration: 5 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "TLS handshake", Start: 36 * ms, Duration: 15 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "request written", Start: 51 * ms, Duration: 1 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "server processing (TTFB)", Start: 52 * ms, Duration: 40 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "content transfer", Start: 92 * ms, Duration: 2 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "hop 2 GET /articles/2024/", Start: 94 * ms, Duration: 63 * ms, Kind: trace.StageHTTP},
			{Label: "TCP connect", Start: 94 * ms, Duration: 5 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "TLS handshake", Start: 99 * ms, Duration: 15 * ms, Depth: 1, Kind: trace.StageHTTP},
			{Label: "request written", Start: 114 * ms, Duration: 1 * ms, Depth: 1, Kind: trace.StageHTTP},
			// No byte came back: no answer's phase, the failure instead.
			{Label: "request failed", Start: 114 * ms, Duration: 500 * ms, Depth: 1, Kind: trace.StageHTTP, Failed: true},
			{Label: "HTTP failed", Start: 51 * ms, Duration: 600 * ms, Kind: trace.StageHTTP, Failed: true},
		}},
		{"failed stage whose failure runs to its end: no repeat", []*trace.Stage{{Kind: trace.StageConnect, Status: trace.StatusFailed, Start: 5 * ms, Duration: 2 * ms,
			Connect: &trace.Connect{Attempts: []trace.ConnectAttempt{{Addr: "a:80", Start: 5 * ms, Duration: 2 * ms, Error: "refused"}}}}}, []Row{
			{Label: "TCP connect a:80", Start: 5 * ms, Duration: 2 * ms, Kind: trace.StageConnect, Failed: true},
		}},
		{"whitespace question", []*trace.Stage{dnsOdd}, []Row{
			{Label: "x", Kind: trace.StageDNS},
		}},
		{"failed stage without detail", []*trace.Stage{{Kind: trace.StageConnect, Status: trace.StatusFailed, Start: 5 * ms, Duration: 2 * ms}}, []Row{
			{Label: "connect", Start: 5 * ms, Duration: 2 * ms, Kind: trace.StageConnect, Failed: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rows(&trace.Journey{Stages: tt.stages})
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	if Rows(nil) != nil {
		t.Error("Rows(nil) should be nil")
	}
	if e := End([]Row{{Start: 1 * ms, Duration: 2 * ms}, {Start: 0, Duration: 1 * ms}}); e != 3*ms {
		t.Errorf("End = %v, want 3ms", e)
	}
}

// TestHopLabel: a redirect hop's label starts with what tells it from the
// others (method and path), then names a new scheme or host.
func TestHopLabel(t *testing.T) {
	hops := []trace.HTTPHop{
		{Method: "GET", URL: "http://www.example.com"},
		{Method: "GET", URL: "https://www.example.org/?q=1"},
		{Method: "POST", URL: "https://www.example.org/a/b#c"},
		{Method: "GET", URL: "bogus"},
	}
	want := []string{"hop 1 GET /", "hop 2 GET /?q=1 at https://www.example.org", "hop 3 POST /a/b#c", "hop 4 GET bogus"}
	for i, w := range want {
		if got := hopLabel(hops, i); got != w {
			t.Errorf("hop %d: %q, want %q", i, got, w)
		}
	}
}
