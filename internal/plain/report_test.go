package plain

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"journey/internal/trace"
	"journey/internal/tracefile"
)

// TestReportGolden renders the whole report of every recorded lab journey
// (testdata/journeys, fixed timings) and compares it with its golden file,
// with and without --bytes. Refresh with -update after re-recording.
func TestReportGolden(t *testing.T) {
	files, err := filepath.Glob("../../testdata/journeys/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded journeys: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		j, err := tracefile.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, bytesToo := range []bool{false, true} {
			caseName := name
			if bytesToo {
				caseName += "-bytes"
			}
			t.Run(caseName, func(t *testing.T) {
				var buf bytes.Buffer
				Render(&buf, j, Options{Bytes: bytesToo})
				got := buf.Bytes()
				checkGolden(t, got)
			})
		}
	}
}

// TestLongTargetShortenedInHeader: a 40 kB target is shortened in the
// header; the address stage shows it whole.
func TestLongTargetShortenedInHeader(t *testing.T) {
	target := "http://www.example.com/" + strings.Repeat("a", 40000)
	j := &trace.Journey{Version: "test", Target: target, Mode: trace.ModeLab}
	var b bytes.Buffer
	New(&b, Options{}).Header(j)
	first, _, _ := strings.Cut(b.String(), "\n")
	if n := utf8.RuneCountInString(first); n > Width || !strings.Contains(first, "(40023 bytes)") {
		t.Errorf("header line of %d characters: %q", n, first[:min(len(first), 200)])
	}
}

// TestTimingLine: the report ends with one line of httpstat's phases,
// then one sentence saying which cost most and what the total counts (to
// the response's last byte: the journey's own end, the line before, comes
// later and must not read as a second total).
func TestTimingLine(t *testing.T) {
	tests := []struct {
		name, share string
	}{
		{"https", "to the response's last byte, the largest share,"},
		{"nxdomain", "before the journey stopped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			Render(&b, loadJourney(t, tc.name), Options{})
			report := b.String()
			_, tail, ok := strings.Cut(report, "\nDNS ")
			if !ok {
				t.Fatalf("no line starts with the DNS figure:\n%s", report)
			}
			line, share, _ := strings.Cut("DNS "+tail, "\n")
			want := []string{"DNS ", " · total ", " ms"}
			if tc.name == "https" {
				want = append(want, " · connect ", " · TLS ", " · server ", " · transfer ")
			}
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Errorf("timing line %q lacks %q", line, w)
				}
			}
			if share = strings.Join(strings.Fields(share), " "); !strings.Contains(share, tc.share) {
				t.Errorf("after the timing line: %q, want %q", share, tc.share)
			}
		})
	}
}

// TestHopTimingAddsUp: a request's timing line names every phase its
// total counts, the TCP connect and the TLS handshake included (the total
// runs from the connect), so a learner can add the parts up.
func TestHopTimingAddsUp(t *testing.T) {
	var b bytes.Buffer
	j := loadJourney(t, "https")
	Render(&b, j, Options{})
	tm := j.Stage(trace.StageHTTP).HTTP.Hops[0].Timing
	report := strings.Join(strings.Fields(b.String()), " ")
	for _, w := range []string{
		"TCP connect " + trace.Dur(tm.Connect) + " · TLS handshake " + trace.Dur(tm.TLS) + " · request written " + trace.Dur(tm.Write),
		"total " + trace.Dur(tm.Total),
	} {
		if !strings.Contains(report, w) {
			t.Errorf("the request's timing lacks %q", w)
		}
	}
}

func loadJourney(t *testing.T, name string) *trace.Journey {
	t.Helper()
	f, err := os.Open("../../testdata/journeys/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestSkippedStageNotes: a stage that did not run shows why, and not a
// note said before it was skipped (a recording made before the engine
// placed notes on start carries the web server's latency note there).
func TestSkippedStageNotes(t *testing.T) {
	s := &trace.Stage{Kind: trace.StageHTTP, Status: trace.StatusSkipped,
		Notes: []string{"The lab's web server waits 20ms before answering.", "not reached: the DNS stage failed"}}
	var b bytes.Buffer
	New(&b, Options{}).Stage(&trace.Journey{}, s)
	if got := b.String(); strings.Contains(got, "web server") || !strings.Contains(got, "not reached: the DNS stage failed") {
		t.Errorf("skipped stage:\n%s", got)
	}
}

// TestResolverFailureSaidOnce: @SERVER with nothing listening. The error
// is said once in the stage (not again under the exchange), no referral
// count is given (a resolver follows them, not us), and the name in the
// sentence has no root dot before the next word.
func TestResolverFailureSaidOnce(t *testing.T) {
	const e = "nothing listens on UDP port 53 at 127.0.0.9: its system answered \"port unreachable\" (connection refused)"
	s := &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusFailed, Error: e,
		DNS: &trace.DNS{Name: "www.example.com.", Types: []string{"A"}, Method: trace.MethodResolver, Resolver: "127.0.0.9:53", Queries: 1},
		Exchanges: []*trace.Exchange{{Kind: "dns", Peer: trace.Peer{Addr: "127.0.0.9:53"}, Transport: "udp",
			Sent: trace.Message{Bytes: make([]byte, 44)}, Error: e, Outcome: e,
			DNS: &trace.DNSExchange{Question: "www.example.com. A", Kind: trace.DNSError}}}}
	var b bytes.Buffer
	New(&b, Options{}).Stage(&trace.Journey{}, s)
	got := strings.Join(strings.Fields(b.String()), " ")
	for _, w := range []string{"nothing listens on UDP port 53 at 127.0.0.9", "1 query sent", "for www.example.com (A)"} {
		if !strings.Contains(got, w) {
			t.Errorf("report lacks %q:\n%s", w, b.String())
		}
	}
	if n := strings.Count(got, "nothing listens"); n != 1 {
		t.Errorf("the error is said %d times:\n%s", n, b.String())
	}
	if strings.Contains(got, "referral") || strings.Contains(got, "com. (") {
		t.Errorf("report:\n%s", b.String())
	}
}

// TestEveryHopKeepsItsFailure: when several hops failed, the stage's error
// lists them all, and each hop still shows its own (a learner reads the
// hops top to bottom: which server was silent, then which).
func TestEveryHopKeepsItsFailure(t *testing.T) {
	e1, e2 := "no reply from 192.0.2.1:53 within 100ms", "no reply from 192.0.2.2:53 within 100ms"
	hop := func(addr, e string) *trace.Exchange {
		return &trace.Exchange{Kind: "dns", Peer: trace.Peer{Addr: addr}, Transport: "udp", Sent: trace.Message{Bytes: make([]byte, 44)},
			Error: e, Outcome: e, DNS: &trace.DNSExchange{Question: "www.example.com. A", Zone: ".", Kind: trace.DNSError}}
	}
	s := &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusFailed, Error: "no root server answered: " + e1 + "; " + e2,
		DNS:       &trace.DNS{Name: "www.example.com.", Types: []string{"A"}, Method: trace.MethodIterative, Queries: 2},
		Exchanges: []*trace.Exchange{hop("192.0.2.1:53", e1), hop("192.0.2.2:53", e2)}}
	var b bytes.Buffer
	New(&b, Options{}).Stage(&trace.Journey{}, s)
	if n := len(regexp.MustCompile(`(?m)^\s+failed\s+no reply from`).FindAllString(b.String(), -1)); n != 2 {
		t.Errorf("%d hops show their failure, want 2:\n%s", n, b.String())
	}
}

// TestCutShortJourney: a journey cut short mid-request (the view closed
// while the server held the response) still tells the stages it got to:
// the request sent and unanswered, the stage marked cut short, the stages
// after it not reached.
func TestCutShortJourney(t *testing.T) {
	j := loadJourney(t, "http")
	h := j.Stage(trace.StageHTTP)
	sent := *h.Exchanges[len(h.Exchanges)-1]
	sent.Received, sent.InFlight, sent.Outcome = trace.Message{}, true, "sent; the answer is not in yet"
	cut := *h
	cut.Status, cut.HTTP, cut.Duration, cut.Notes = trace.StatusRunning, nil, 0, nil
	cut.Exchanges = append(append([]*trace.Exchange(nil), h.Exchanges[:len(h.Exchanges)-1]...), &sent)
	c := *j
	c.Error = "the terminal view was closed before the journey finished"
	c.Stages = nil
	for _, st := range j.Stages {
		switch st.Kind {
		case trace.StageHTTP:
			st = &cut
		case trace.StageGateway, trace.StageRouter:
			st = &trace.Stage{Kind: st.Kind, Status: trace.StatusPending}
		}
		c.Stages = append(c.Stages, st)
	}
	var b bytes.Buffer
	Render(&b, &c, Options{})
	got := b.String()
	for _, want := range []string{
		"3 · HTTP ━", "cut short\n", "> GET / HTTP/1.1", "no answer had come back when the journey stopped",
		"4 · gateway ━", "5 · router and view ━", "not reached\n", "journey stopped: the terminal view was closed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report of a journey cut short lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "< HTTP/1.1") {
		t.Errorf("the report shows a response that never came:\n%s", got)
	}
}
