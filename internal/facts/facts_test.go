package facts_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"journey/internal/facts"
	"journey/internal/trace"
	"journey/internal/tracefile"
	"journey/internal/waterfall"
)

// journeysDir holds the recorded lab journeys every renderer's tests read.
const journeysDir = "../../testdata/journeys"

func load(t *testing.T, path string) *trace.Journey {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return j
}

func TestVerdictOf(t *testing.T) {
	tests := []struct {
		name         string
		info         *trace.TLS
		handshakeErr string
		want         facts.TLSVerdict
		why          string
	}{
		{"no TLS", nil, "", facts.NotTLS, ""},
		{"verified", &trace.TLS{Verified: true}, "", facts.Verified, ""},
		{"verified under -k", &trace.TLS{Verified: true, Insecure: true}, "", facts.VerifiedWithK, ""},
		{"not verified, -k went on", &trace.TLS{Insecure: true, VerifyError: "x509: unknown authority"}, "", facts.UnverifiedWithK, "x509: unknown authority"},
		{"not verified, stopped", &trace.TLS{VerifyError: "x509: unknown authority"}, "bad certificate", facts.Failed, "x509: unknown authority"},
		{"handshake failed under -k", &trace.TLS{Insecure: true}, "TLS handshake failed: EOF", facts.Failed, "TLS handshake failed: EOF"},
		{"unverified, then failed under -k", &trace.TLS{Insecure: true, VerifyError: "x509: unknown authority"}, "TLS handshake failed: EOF", facts.Failed, "TLS handshake failed: EOF"},
		{"not verified, no reason recorded", &trace.TLS{}, "", facts.Failed, "the recording does not say why"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := facts.VerdictOf(tt.info, tt.handshakeErr)
			if got.Verdict != tt.want || got.Why != tt.why {
				t.Errorf("VerdictOf = %v %q, want %v %q", got.Verdict, got.Why, tt.want, tt.why)
			}
		})
	}
}

func TestVerdictWords(t *testing.T) {
	seen := map[string]facts.TLSVerdict{}
	for _, v := range []facts.TLSVerdict{facts.NotTLS, facts.Verified, facts.VerifiedWithK, facts.UnverifiedWithK, facts.Failed} {
		w := v.String()
		if prev, ok := seen[w]; ok {
			t.Errorf("%d and %d both read %q", prev, v, w)
		}
		seen[w] = v
	}
	if !facts.VerifiedWithK.Secure() || facts.UnverifiedWithK.Secure() {
		t.Error("Secure: verified under -k is proven, unverified under -k is not")
	}
}

func TestPeer(t *testing.T) {
	tests := []struct {
		name string
		peer trace.Peer
		want string
	}{
		{"name and address", trace.Peer{Name: "a.root-servers.net", Addr: "198.41.0.4:53", Via: "127.0.0.1:5300"}, "a.root-servers.net (198.41.0.4:53)"},
		{"address only", trace.Peer{Addr: "203.0.113.10:80"}, "203.0.113.10:80"},
		{"name only", trace.Peer{Name: "www.example.com"}, "www.example.com"},
		{"nothing", trace.Peer{}, "the server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := facts.Peer(tt.peer); got != tt.want {
				t.Errorf("Peer = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDNSOfRecordedJourneys(t *testing.T) {
	tests := []struct {
		file    string
		result  facts.DNSResult
		chain   string
		addrs   int
		queries int
	}{
		{"http.json", facts.DNSAnswer, "www.example.com", 1, 3},
		{"cname.json", facts.DNSAnswer, "shop.example.com → shops.example.net", 1, 6},
		{"nxdomain.json", facts.DNSNXDomain, "nope.example.com", 0, 3},
		{"ip.json", facts.DNSNotNeeded, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			j := load(t, filepath.Join(journeysDir, tt.file))
			d := facts.DNSOf(j.Stage(trace.StageDNS))
			if d.Result != tt.result {
				t.Errorf("Result = %v, want %v", d.Result, tt.result)
			}
			if got := strings.Join(d.Chain, " → "); got != tt.chain {
				t.Errorf("Chain = %q, want %q", got, tt.chain)
			}
			if len(d.Addresses) != tt.addrs || d.Queries != tt.queries {
				t.Errorf("%d addresses after %d queries, want %d after %d", len(d.Addresses), d.Queries, tt.addrs, tt.queries)
			}
			if tt.chain != "" && d.Final != d.Chain[len(d.Chain)-1] {
				t.Errorf("Final = %q, want the chain's last name", d.Final)
			}
		})
	}
}

func TestDNSOfCases(t *testing.T) {
	sent := &trace.Exchange{Kind: "dns", Sent: trace.Message{Bytes: []byte{1, 2}}}
	notSent := &trace.Exchange{Kind: "dns", Error: "dial: refused"}
	tests := []struct {
		name    string
		stage   *trace.Stage
		result  facts.DNSResult
		queries int
	}{
		{"nil", nil, facts.DNSNotRun, 0},
		{"override", &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, DNS: &trace.DNS{Name: "x.", Method: trace.MethodOverride, Addresses: []string{"192.0.2.1"}}}, facts.DNSOverride, 0},
		{"nodata", &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusFailed, DNS: &trace.DNS{Name: "x.", Method: trace.MethodIterative, RCode: "NOERROR"}, Exchanges: []*trace.Exchange{sent}}, facts.DNSNoData, 1},
		{"query never left", &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusFailed, DNS: &trace.DNS{Name: "x.", Method: trace.MethodResolver, Queries: 1}, Exchanges: []*trace.Exchange{notSent}}, facts.DNSFailed, 0},
		{"skipped after a failure", &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusSkipped, Notes: []string{"not reached"}}, facts.DNSNotRun, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := facts.DNSOf(tt.stage)
			if d.Result != tt.result || d.Queries != tt.queries {
				t.Errorf("DNSOf = %v after %d queries, want %v after %d", d.Result, d.Queries, tt.result, tt.queries)
			}
		})
	}
}

func TestBare(t *testing.T) {
	for in, want := range map[string]string{"shops.example.net.": "shops.example.net", "example.com": "example.com", ".": ".", "": ""} {
		if got := facts.Bare(in); got != want {
			t.Errorf("Bare(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNotes(t *testing.T) {
	latency := "The lab adds 20 ms of latency to the web server."
	skipped := &trace.Stage{Status: trace.StatusSkipped, Notes: []string{latency, "not reached: the DNS stage failed"}}
	if got := facts.Notes(skipped); len(got) != 1 || got[0] != "not reached: the DNS stage failed" {
		t.Errorf("Notes(skipped) = %q, want only why it was skipped", got)
	}
	if got := facts.SkipReason(skipped); got != "not reached: the DNS stage failed" {
		t.Errorf("SkipReason = %q", got)
	}
	done := &trace.Stage{Status: trace.StatusDone, Notes: []string{latency}}
	if got := facts.Notes(done); len(got) != 1 || got[0] != latency {
		t.Errorf("Notes(done) = %q, want its note", got)
	}
	if got := facts.SkipReason(done); got != "" {
		t.Errorf("SkipReason(done) = %q, want none", got)
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0 queries"}, {1, "1 query"}, {2, "2 queries"}}
	for _, tt := range tests {
		if got := facts.Count(tt.n, "query", "queries"); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := facts.Count(int64(1), "byte", "bytes"); got != "1 byte" {
		t.Errorf("Count(int64 1) = %q", got)
	}
}

func TestShorten(t *testing.T) {
	long := "http://www.example.com/" + strings.Repeat("a", 40000)
	got := facts.Shorten(long, facts.MaxHeaderTarget)
	if n := len([]rune(got)); n > facts.MaxHeaderTarget {
		t.Errorf("Shorten kept %d characters, want at most %d: %q", n, facts.MaxHeaderTarget, got)
	}
	if !strings.HasPrefix(got, "http://www.example.com/") || !strings.Contains(got, "(40023 bytes)") {
		t.Errorf("Shorten = %q, want the start and the whole length", got)
	}
	if got := facts.Shorten("www.example.com", facts.MaxHeaderTarget); got != "www.example.com" {
		t.Errorf("a short target changed: %q", got)
	}
	if got := facts.Shorten(strings.Repeat("é", 100), 20); !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("cut inside a character: %q", got)
	}
}

func TestTimingOfRecordedJourneys(t *testing.T) {
	for _, name := range []string{"http.json", "https.json", "redirect.json", "nxdomain.json", "ip.json"} {
		t.Run(name, func(t *testing.T) {
			j := load(t, filepath.Join(journeysDir, name))
			tm := facts.TimingOf(j)
			moments := []time.Duration{tm.NameLookup, tm.Connect, tm.AppConnect, tm.StartTransfer, tm.Total}
			last := time.Duration(0)
			for i, m := range moments {
				if m == 0 {
					continue // not reached (appconnect over http)
				}
				if m < last {
					t.Errorf("moment %d (%s) before the one before it (%s): %+v", i, m, last, tm.Summary)
				}
				last = m
			}
			if tm.Total <= 0 {
				t.Errorf("total %s", tm.Total)
			}
			https := j.Stage(trace.StageConnect).Connect != nil && j.Stage(trace.StageConnect).Connect.TLS != nil
			if tm.HTTPS != https || (tm.AppConnect > 0) != https {
				t.Errorf("HTTPS %v, appconnect %s; the journey's TLS: %v", tm.HTTPS, tm.AppConnect, https)
			}
			if j.Error == "" && (!tm.Complete || tm.StartTransfer == 0 || tm.Server <= 0) {
				t.Errorf("completed journey without a first byte: %+v", tm)
			}
		})
	}
}

func TestDecodedSize(t *testing.T) {
	if got := facts.DecodedSize(&trace.HTTPHop{DecodedSize: 1}); got != "1 byte" {
		t.Errorf("DecodedSize = %q", got)
	}
	if got := facts.DecodedSize(&trace.HTTPHop{DecodedSize: 67108864, DecodedCapped: true}); got != "more than 67108864 bytes (counting stopped there)" {
		t.Errorf("capped DecodedSize = %q", got)
	}
}

// TestTimingAgreesWithWaterfall: the segments the plain report's last
// line gives are the figures the waterfall draws for the final request.
func TestTimingAgreesWithWaterfall(t *testing.T) {
	for _, name := range []string{"http.json", "https.json", "redirect.json"} {
		t.Run(name, func(t *testing.T) {
			j := load(t, filepath.Join(journeysDir, name))
			tm := facts.TimingOf(j)
			rows := map[string]time.Duration{}
			for _, r := range waterfall.Rows(j) {
				rows[r.Label] = r.Duration // the last of a label: the final request's
			}
			if rows["server processing (TTFB)"] != tm.Server || rows["content transfer"] != tm.Transfer {
				t.Errorf("waterfall server %s transfer %s; timing server %s transfer %s",
					rows["server processing (TTFB)"], rows["content transfer"], tm.Server, tm.Transfer)
			}
			if d := j.Stage(trace.StageDNS); d.Status == trace.StatusDone && d.Duration != tm.DNS {
				t.Errorf("DNS stage %s, timing DNS %s", d.Duration, tm.DNS)
			}
		})
	}
}

// TestTimingOfFailedHandshake: a handshake that failed leaves the TCP
// connection's moment and no appconnect, in the summary and the segments.
func TestTimingOfFailedHandshake(t *testing.T) {
	j := load(t, filepath.Join("testdata", "tls-failed.json"))
	j.Timing = nil // computed now, from the stages
	tm := facts.TimingOf(j)
	if tm.Connect <= tm.NameLookup || tm.AppConnect != 0 || tm.StartTransfer != 0 || tm.Complete {
		t.Errorf("summary %+v, want connect reached and nothing after", tm.Summary)
	}
	if tm.TCP <= 0 || !tm.HTTPS {
		t.Errorf("TCP segment %s, HTTPS %v", tm.TCP, tm.HTTPS)
	}
}
