package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// TestResultVerdict: the result tree says what the trace says of the
// certificate, -k or not (under -k a certificate that verified once read
// "no: -k skipped the check").
func TestResultVerdict(t *testing.T) {
	tests := []struct {
		name   string
		tls    *trace.TLS
		tlsErr string
		want   string
	}{
		{"verified", &trace.TLS{Verified: true}, "", "yes"},
		{"verified under -k", &trace.TLS{Verified: true, Insecure: true}, "", "yes (-k was not needed)"},
		{"not verified, -k went on", &trace.TLS{Insecure: true, VerifyError: "x509: bad"}, "", "NO, -k went on anyway: x509: bad"},
		{"not verified", &trace.TLS{VerifyError: "x509: bad"}, "certificate did not verify", "no: x509: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &trace.Stage{Kind: trace.StageConnect, Status: trace.StatusDone, Connect: &trace.Connect{TLS: tt.tls},
				Exchanges: []*trace.Exchange{{Kind: "tls", Error: tt.tlsErr}}}
			got := ""
			for _, f := range resultFields(s) {
				for _, c := range f.Children {
					if c.Name == "verified" {
						got = c.Value
					}
				}
			}
			if got != tt.want {
				t.Errorf("verified: %q, want %q", got, tt.want)
			}
		})
	}
}

// TestResultsAgreeWithFacts reads every recorded journey (the shared ones
// and the TLS ones recorded for the facts package) and checks that the
// result tree and the exchange list state what the facts package reads:
// the TLS verdict, the DNS outcome, the queries sent, the HTTP status and
// each peer's name. facts' own test checks plain, explain and JSON alike.
func TestResultsAgreeWithFacts(t *testing.T) {
	shared, _ := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	own, _ := filepath.Glob("../facts/testdata/*.json")
	if len(shared) == 0 || len(own) == 0 {
		t.Fatal("no recorded journeys")
	}
	verdictWord := map[facts.TLSVerdict]string{facts.Verified: "yes", facts.VerifiedWithK: "yes (-k was not needed)",
		facts.UnverifiedWithK: "NO, -k went on anyway: ", facts.Failed: "no: "}
	for _, path := range append(shared, own...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			name := strings.TrimSuffix(filepath.Base(path), ".json")
			var j *trace.Journey
			if strings.HasPrefix(path, journeysDir) {
				j = loadJourney(t, name)
			} else {
				j = loadFile(t, path)
			}
			f := facts.Read(j)
			results := map[string]string{}
			for _, s := range j.Stages {
				flatten(resultFields(s), string(s.Kind)+"/", results)
			}
			if want, ok := verdictWord[f.TLS.Verdict]; ok {
				if got := results["connect/TLS/verified"]; !strings.HasPrefix(got, want) {
					t.Errorf("verified %q, verdict %v", got, f.TLS.Verdict)
				}
			}
			if f.DNS.Result == facts.DNSAnswer {
				if got := results["dns/queries"]; got != strconv.Itoa(f.DNS.Queries) {
					t.Errorf("queries %q, facts %d", got, f.DNS.Queries)
				}
				if f.DNS.Aliased() && results["dns/CNAME chain"] != strings.Join(f.DNS.Chain, " → ") {
					t.Errorf("CNAME chain %q, facts %v", results["dns/CNAME chain"], f.DNS.Chain)
				}
			}
			if f.HTTP.Status != 0 {
				last := fmt.Sprintf("http/hop %d/status", f.HTTP.Requests)
				if got := results[last]; !strings.HasPrefix(got, strconv.Itoa(f.HTTP.Status)+" ") {
					t.Errorf("%s %q, facts %d", last, got, f.HTTP.Status)
				}
			}
			for _, s := range j.Stages {
				for _, e := range s.Exchanges {
					if e.Transport != trace.TransportProcess && who(e.Peer) != safetext.Line(facts.Peer(e.Peer)) {
						t.Errorf("exchange list names %q, facts %q", who(e.Peer), facts.Peer(e.Peer))
					}
				}
			}
		})
	}
}

// flatten puts a field tree into a map of path to value.
func flatten(fs []trace.Field, prefix string, into map[string]string) {
	for _, f := range fs {
		into[prefix+f.Name] = f.Value
		flatten(f.Children, prefix+f.Name+"/", into)
	}
}

func loadFile(t *testing.T, path string) *trace.Journey {
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

// TestLongTargetShortenedInHeader: a 40 kB target is shortened in the
// header line (the address stage has it whole), so the header stays one
// line of the screen.
func TestLongTargetShortenedInHeader(t *testing.T) {
	j := loadJourney(t, "http")
	j.Target = "http://www.example.com/" + strings.Repeat("a", 40000)
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	first, _, _ := strings.Cut(ansi.Strip(m.View()), "\n")
	if !strings.Contains(first, "… (40023 bytes)") || strings.Contains(first, strings.Repeat("a", 100)) {
		t.Errorf("header %q, want the target shortened", first)
	}
}
