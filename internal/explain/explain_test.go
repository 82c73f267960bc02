package explain

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"journey/internal/trace"
)

func TestStage(t *testing.T) {
	tests := []struct {
		name  string
		stage *trace.Stage
		want  []string
	}{
		{
			name: "address",
			stage: &trace.Stage{Kind: trace.StageAddress, Status: trace.StatusDone, Duration: 20 * time.Microsecond,
				Address: &trace.Address{Input: "www.example.co.uk/news", URL: "http://www.example.co.uk/news", Scheme: "http", SchemeAssumed: true,
					Host: "www.example.co.uk", ASCIIHost: "www.example.co.uk", Port: 80, PortDefault: true, Path: "/news",
					PublicSuffix: "co.uk", Registrable: "example.co.uk"}},
			want: []string{"http://www.example.co.uk/news", "/news", "port 80", "co.uk", "example.co.uk", "http is assumed"},
		},
		{
			name: "dns iterative",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, Duration: 83 * time.Millisecond,
				DNS: &trace.DNS{Name: "www.example.com.", Method: trace.MethodIterative, Addresses: []string{"203.0.113.10"}, Queries: 3, Referrals: 2}},
			want: []string{"asked for www.example.com starting", "203.0.113.10", "3 queries", "2 referrals", "83.0 ms"},
		},
		{
			name:  "dns resolver",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, DNS: &trace.DNS{Name: "a.test.", Method: trace.MethodResolver, Resolver: "127.0.0.1:5353"}},
			want:  []string{"127.0.0.1:5353", "search for a.test and"},
		},
		{
			name: "connect with tls",
			stage: &trace.Stage{Kind: trace.StageConnect, Status: trace.StatusDone, Connect: &trace.Connect{Remote: "203.0.113.10:443", Local: "127.0.0.1:50000",
				TLS: &trace.TLS{ServerName: "www.example.com", Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ALPN: "http/1.1",
					Chain: []trace.Certificate{{Subject: "CN=www.example.com", Issuer: "CN=Lab CA"}}, Verified: true}}},
			want: []string{"203.0.113.10:443", "127.0.0.1:50000", "www.example.com", "TLS 1.3", "TLS_AES_128_GCM_SHA256", "CN=Lab CA", "verified"},
		},
		{
			name: "http redirect",
			stage: &trace.Stage{Kind: trace.StageHTTP, Status: trace.StatusDone, HTTP: &trace.HTTP{Status: 200, Hops: []trace.HTTPHop{
				{Method: "GET", URL: "http://www.example.com/old", Status: 301, Reason: "Moved Permanently", Location: "http://www.example.com/new"},
				{Method: "GET", URL: "http://www.example.com/new", Status: 200, Reason: "OK", Chunked: true, Timing: trace.Timing{TTFB: 41 * time.Millisecond}},
			}}},
			want: []string{"301 Moved Permanently", "http://www.example.com/new", "200 OK", "chunks", "41.0 ms"},
		},
		{
			name: "gateway",
			stage: &trace.Stage{Kind: trace.StageGateway, Status: trace.StatusDone, Gateway: &trace.Gateway{Reenacted: true, Method: "GET", Target: "/articles/2024/",
				Client: "192.0.2.99:41000", Environ: []trace.EnvVar{{Name: "PATH_INFO", Value: "/articles/2024/"}, {Name: "REQUEST_METHOD", Value: "GET"}},
				Middleware: []trace.MiddlewareStep{{Middleware: "CommonMiddleware", Direction: trace.DirectionDown}},
				Response:   &trace.Response{Status: 200, Reason: "OK", BodySize: 512}}},
			want: []string{"GET /articles/2024/", "PATH_INFO=/articles/2024/", "CommonMiddleware", "re-enacted", "512 bytes", "192.0.2.99:41000"},
		},
		{
			name: "router match",
			stage: &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Router: &trace.Router{Path: "articles/2024/",
				Tried: []trace.PatternTry{{Route: ""}, {Route: "articles/<int:year>/", Matched: true}},
				Match: &trace.RouteMatch{Route: "articles/<int:year>/", Converters: []trace.Converted{{Name: "year", Converter: "int", Text: "2024", Value: "2024", Type: "int"}}},
				View:  "views.year_archive", Args: []trace.Argument{{Name: "year", Value: "2024"}}, Status: 200}},
			want: []string{"articles/2024/", "articles/<int:year>/", "views.year_archive", "year=2024", "200", "2 patterns were tried"},
		},
		{
			name: "router no match",
			stage: &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Router: &trace.Router{Path: "nope/",
				Tried: []trace.PatternTry{{Route: "articles/"}, {Route: "admin/"}}}},
			want: []string{"nope/", "articles/", "admin/", "404"},
		},
		{
			name:  "failed",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusFailed, Error: "no server answered", Duration: 2 * time.Second},
			want:  []string{"failed", "no server answered"},
		},
		{
			name:  "skipped",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusSkipped, Notes: []string{"203.0.113.10 is already an IP address."}},
			want:  []string{"skipped", "203.0.113.10"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spaced(Stage(tt.stage))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Stage() = %q\nmissing %q", got, w)
				}
			}
		})
	}
}

func TestExchange(t *testing.T) {
	root := trace.Peer{Name: "a.root-servers.net", Addr: "192.0.2.1:53"}
	tests := []struct {
		name string
		ex   *trace.Exchange
		want []string
	}{
		{
			name: "referral",
			ex: &trace.Exchange{Kind: "dns", Peer: root, Transport: trace.TransportUDP, Duration: 12 * time.Millisecond,
				DNS: &trace.DNSExchange{Question: "www.example.com. A", Zone: ".", ID: 4242, Kind: trace.DNSReferral, Referral: "com.",
					Nameservers: []trace.NameServer{{Name: "a.gtld-servers.net.", Addrs: []string{"192.0.2.10"}}}}},
			want: []string{"a.root-servers.net", "192.0.2.1:53", "www.example.com. A", "4242", "com.", "a.gtld-servers.net.", "glue", "12.0 ms", "root zone"},
		},
		{
			name: "answer",
			ex: &trace.Exchange{Kind: "dns", Peer: trace.Peer{Name: "ns1.example.com"}, DNS: &trace.DNSExchange{Question: "www.example.com. A", Kind: trace.DNSAnswer,
				Zone: "example.com.", Answers: []string{"www.example.com. 300 IN A 203.0.113.10"}}},
			want: []string{"ns1.example.com", "203.0.113.10", "ends here"},
		},
		{
			name: "a resolver's answer",
			ex: &trace.Exchange{Kind: "dns", Peer: trace.Peer{Addr: "127.0.0.53:53"}, DNS: &trace.DNSExchange{Question: "www.example.com. A", Kind: trace.DNSAnswer,
				Answers: []string{"www.example.com. 300 IN A 203.0.113.10"}}},
			want: []string{"203.0.113.10", "a recursive resolver's answer, from its cache or from its own walk down the tree"},
		},
		{
			name: "a hedged query",
			ex: &trace.Exchange{Kind: "dns", Peer: trace.Peer{Name: "ns2.example.com"}, Notes: []string{"hedged: ns1.example.com had not answered within 50 ms, so the same question went to this server too"},
				DNS: &trace.DNSExchange{Question: "www.example.com. A", Kind: trace.DNSAnswer, Zone: "example.com.", Answers: []string{"www.example.com. 300 IN A 203.0.113.10"}}},
			want: []string{"A hedged query: ns1.example.com had not answered within 50 ms"},
		},
		{
			name: "an abandoned hedged query",
			ex: &trace.Exchange{Kind: "dns", Peer: trace.Peer{Name: "ns1.example.com"}, Error: "abandoned: ns2.example.com answered first, so this query's reply was no longer needed",
				Outcome: "abandoned: ns2.example.com answered first, so this query's reply was no longer needed",
				DNS:     &trace.DNSExchange{Question: "www.example.com. A", Kind: trace.DNSError, Zone: "example.com."}},
			want: []string{"was abandoned: ns2.example.com answered first"},
		},
		{
			name: "no glue",
			ex: &trace.Exchange{Kind: "dns", Peer: root, DNS: &trace.DNSExchange{Kind: trace.DNSReferral, Referral: "example.org.",
				Nameservers: []trace.NameServer{{Name: "ns1.example.net."}}}},
			want: []string{"no glue", "ns1.example.net."},
		},
		{
			name: "nested lookup",
			ex: &trace.Exchange{Kind: "dns", Depth: 1, Peer: root, DNS: &trace.DNSExchange{Question: "ns1.example.net. A", Kind: trace.DNSReferral, Referral: "net.",
				For: "the address of ns1.example.net, a nameserver for example.org. that came without glue"}},
			want: []string{"inside the lookup", "the address of ns1.example.net", "example.org."},
		},
		{
			name: "nxdomain",
			ex:   &trace.Exchange{Kind: "dns", Peer: root, DNS: &trace.DNSExchange{Question: "nope.example.com. A", Kind: trace.DNSNXDomain}},
			want: []string{"NXDOMAIN", "nope.example.com. A"},
		},
		{
			name: "truncated retry",
			ex:   &trace.Exchange{Kind: "dns", Peer: root, DNS: &trace.DNSExchange{Kind: trace.DNSTrunc, Attempt: 2}},
			want: []string{"TCP", "try number 2"},
		},
		{
			name: "timeout",
			ex:   &trace.Exchange{Kind: "dns", Peer: root, Error: "no answer within 2s", DNS: &trace.DNSExchange{Kind: trace.DNSError}},
			want: []string{"no answer within 2s", "another server"},
		},
		{
			name: "tcp",
			ex:   &trace.Exchange{Kind: "tcp", Peer: trace.Peer{Addr: "203.0.113.10:80"}, Local: "127.0.0.1:41000"},
			want: []string{"203.0.113.10:80", "127.0.0.1:41000"},
		},
		{
			name: "tls",
			ex:   &trace.Exchange{Kind: "tls", Peer: trace.Peer{Name: "www.example.com"}},
			want: []string{"www.example.com", "handshake"},
		},
		{
			name: "http",
			ex:   &trace.Exchange{Kind: "http", Peer: trace.Peer{Addr: "203.0.113.10:80"}, Sent: trace.Message{Bytes: make([]byte, 100)}, Received: trace.Message{Bytes: make([]byte, 10), Dropped: 5}},
			want: []string{"100 bytes", "15 bytes", "5 bytes went past the capture limit"},
		},
		{
			name: "other kind",
			ex:   &trace.Exchange{Kind: "wsgi", Label: "environ built", Outcome: "23 keys"},
			want: []string{"environ built", "23 keys"},
		},
		{
			name: "tls took",
			ex:   &trace.Exchange{Kind: "tls", Peer: trace.Peer{Name: "www.example.com"}, Duration: 3 * time.Millisecond},
			want: []string{"The handshake took 3.0 ms"},
		},
		{
			name: "in-process step took",
			ex:   &trace.Exchange{Kind: "middleware", Label: "security", Transport: trace.TransportProcess, Duration: 2 * time.Millisecond},
			want: []string{"It took 2.0 ms"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spaced(Exchange(tt.ex))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Exchange() = %q\nmissing %q", got, w)
				}
			}
		})
	}
}

func TestPendingAndField(t *testing.T) {
	p := &trace.Pending{Stage: trace.StageDNS, Peer: trace.Peer{Name: "a.root-servers.net", Addr: "192.0.2.1:53"}, Transport: trace.TransportUDP,
		Bytes: make([]byte, 44), Why: "every lookup starts at the root"}
	got := Pending(p)
	for _, w := range []string{"44-byte", "a.root-servers.net", "UDP", "every lookup starts at the root", "space"} {
		if !strings.Contains(got, w) {
			t.Errorf("Pending() = %q\nmissing %q", got, w)
		}
	}
	if got := spaced(Pending(&trace.Pending{Bytes: make([]byte, 3)})); !strings.Contains(got, "3-byte") {
		t.Errorf("Pending() = %q", got)
	}
	if got := Field(trace.Field{Name: "Host", Value: "www.example.com"}); !strings.Contains(got, "which site") || !strings.Contains(got, "www.example.com") {
		t.Errorf("Field(Host) = %q", got)
	}
	if got := Field(trace.Field{Name: "ID", Value: "4242"}); !strings.Contains(got, "4242") || !strings.Contains(got, "random") {
		t.Errorf("Field(ID) = %q", got)
	}
	if got := Field(trace.Field{Name: "PATH_INFO", Value: "/articles/2024/   ← request line"}); !strings.Contains(got, `"/articles/2024/"`) || !strings.Contains(got, "router") {
		t.Errorf("Field(PATH_INFO) = %q", got)
	}
	if got := Field(trace.Field{Name: "HTTP_USER_AGENT", Value: "journey/0.1.0"}); !strings.Contains(got, "User-Agent") || !strings.Contains(got, "program making the request") {
		t.Errorf("Field(HTTP_USER_AGENT) = %q", got)
	}
	if got := Field(trace.Field{Name: "registrable", Value: "example.co.uk"}); !strings.Contains(got, "example.co.uk") || !strings.Contains(got, "bought") {
		t.Errorf("Field(registrable) = %q", got)
	}
	if got := Field(trace.Field{Name: "Authority section"}); !strings.Contains(got, "where to ask next") {
		t.Errorf("Field(Authority section) = %q", got)
	}
	if got := Field(trace.Field{Name: "X-Unknown", Value: "1"}); got != "" {
		t.Errorf("Field(unknown) = %q, want empty", got)
	}
	if Stage(nil) != "" || Exchange(nil) != "" || Pending(nil) != "" {
		t.Error("nil input must explain nothing")
	}
}

// TestHostileValues checks that values from outside come out escaped.
func TestHostileValues(t *testing.T) {
	evil := "evil\x1b[2J\u202ename"
	texts := []string{
		Stage(&trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Router: &trace.Router{Path: evil, View: evil}}),
		Exchange(&trace.Exchange{Kind: "dns", Peer: trace.Peer{Name: evil}, DNS: &trace.DNSExchange{Kind: trace.DNSAnswer, Answers: []string{evil}}}),
		Field(trace.Field{Name: "Host", Value: evil}),
		Pending(&trace.Pending{Peer: trace.Peer{Name: evil}, Why: evil}),
	}
	for i, s := range texts {
		if strings.ContainsAny(s, "\x1b\u202e") {
			t.Errorf("text %d carries a raw control: %q", i, s)
		}
		if !strings.Contains(s, `\x1b`) {
			t.Errorf("text %d lost the value instead of escaping it: %q", i, s)
		}
	}
}

// spaced turns the no-break spaces that join numbers to units back into
// spaces, for tests that look for "12.0 ms".
func spaced(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// TestServerSideTimes checks that server-side exchanges are not called
// round trips, and that the router's exchange says why its time is not
// the stage's.
func TestServerSideTimes(t *testing.T) {
	wsgi := &trace.Exchange{Kind: "wsgi", Label: "GET / → 200 OK", Transport: trace.TransportProcess, Duration: 300 * time.Microsecond}
	view := &trace.Exchange{Kind: "view", Label: "the response, serialised: 200 OK", Transport: trace.TransportProcess, Duration: 900 * time.Microsecond}
	router := &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Duration: 20 * time.Microsecond, Exchanges: []*trace.Exchange{view}}
	same := &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Duration: 900 * time.Microsecond, Exchanges: []*trace.Exchange{view}}
	tests := []struct {
		name      string
		s         *trace.Stage
		ex        *trace.Exchange
		want, not []string
	}{
		{"gateway", nil, wsgi, []string{"From the request's first byte", "the server took 0.3 ms"}, []string{"Round trip"}},
		{"view, stage unknown", nil, view, []string{"router started", "0.9 ms"}, []string{"Round trip", "alone took"}},
		{"view, stage shorter", router, view, []string{"router started", "0.9 ms", "alone took 0.0 ms", "the time shown for the stage", "serialising"}, []string{"Round trip"}},
		{"view, router skipped", &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusSkipped}, view, []string{"request's first byte", "0.9 ms"}, []string{"Round trip", "router started"}},
		{"view, stage the same", same, view, []string{"0.9 ms"}, []string{"Round trip", "alone took"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spaced(ExchangeIn(tt.s, tt.ex))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("ExchangeIn() = %q\nmissing %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("ExchangeIn() = %q\nsays %q", got, w)
				}
			}
		})
	}
}

// TestKeepUnits checks that a number and its unit are never split by
// wrapping, at every width.
func TestKeepUnits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Round trip: 3.1 ms.", "Round trip: 3.1\u00a0ms."},
		{"took 1.25 s and 499 bytes, 1 byte", "took 1.25\u00a0s and 499\u00a0bytes, 1\u00a0byte"},
		{"3 queries and 2 referrals", "3 queries and 2 referrals"},
		{"1 pattern(s), 10 msgs", "1 pattern(s), 10 msgs"},
	}
	for _, tt := range tests {
		if got := keepUnits(tt.in); got != tt.want {
			t.Errorf("keepUnits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	text := Exchange(&trace.Exchange{Kind: "dns", Peer: trace.Peer{Name: "a.root-servers.net", Addr: "192.0.2.1:53"}, Transport: trace.TransportUDP,
		Duration: 3100 * time.Microsecond, DNS: &trace.DNSExchange{Question: "www.example.com. A", Kind: trace.DNSAnswer, Answers: []string{"203.0.113.10"}}})
	for w := 10; w <= 120; w++ {
		for _, l := range strings.Split(ansi.Wrap(text, w, ""), "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, " "), "ms") {
				t.Fatalf("at width %d a line starts with the unit: %q", w, l)
			}
		}
	}
}

// TestSaysWhatHappened holds the sentences that once taught the wrong
// thing: each case's text must hold every want and none of the wrong.
func TestSaysWhatHappened(t *testing.T) {
	cert := []trace.Certificate{{Subject: "CN=www.example.com", Issuer: "CN=Lab CA"}}
	tests := []struct {
		name  string
		stage *trace.Stage
		want  []string
		wrong []string
	}{
		{
			name: "-k and a certificate that verified",
			stage: &trace.Stage{Kind: trace.StageConnect, Status: trace.StatusDone, Connect: &trace.Connect{Remote: "203.0.113.10:443",
				TLS: &trace.TLS{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Chain: cert, Verified: true, Insecure: true}}},
			want:  []string{"so it verified", "-k given was not needed"},
			wrong: []string{"not checked"},
		},
		{
			name: "-k and a certificate that did not verify",
			stage: &trace.Stage{Kind: trace.StageConnect, Status: trace.StatusDone, Connect: &trace.Connect{Remote: "203.0.113.10:443",
				TLS: &trace.TLS{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Chain: cert, Insecure: true, VerifyError: "x509: certificate signed by unknown authority"}}},
			want:  []string{"did not verify (x509: certificate signed by unknown authority), and -k went on anyway"},
			wrong: []string{"not checked", "so it verified"},
		},
		{
			name: "a CNAME chain",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, DNS: &trace.DNS{Name: "shop.example.com.", Method: trace.MethodIterative,
				Chain: []string{"shops.example.net."}, Addresses: []string{"203.0.113.10"}, Queries: 6, Referrals: 4}},
			want:  []string{"alias (CNAME): shop.example.com → shops.example.net."},
			wrong: []string{".."},
		},
		{
			name:  "one question so far",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusRunning, Exchanges: []*trace.Exchange{{Kind: "dns"}}},
			want:  []string{"So far 1 question has been asked."},
			wrong: []string{"(s)"},
		},
		{
			name:  "one query, one referral",
			stage: &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, DNS: &trace.DNS{Name: "a.test.", Method: trace.MethodIterative, Addresses: []string{"192.0.2.1"}, Queries: 1, Referrals: 1}},
			want:  []string{"That took 1 query and 1 referral."},
		},
		{
			name: "skipped after a note said before the skip",
			stage: &trace.Stage{Kind: trace.StageHTTP, Status: trace.StatusSkipped,
				Notes: []string{"The lab adds 20 ms to every request to the web server.", "not reached: the DNS stage failed"}},
			want:  []string{"It was skipped: not reached: the DNS stage failed."},
			wrong: []string{"web server"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spaced(Stage(tt.stage))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Stage() = %q\nmissing %q", got, w)
				}
			}
			for _, w := range tt.wrong {
				if strings.Contains(got, w) {
					t.Errorf("Stage() = %q\nholds %q", got, w)
				}
			}
		})
	}
}
