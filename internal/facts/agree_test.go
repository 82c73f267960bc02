package facts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"journey/internal/cli"
	"journey/internal/explain"
	"journey/internal/facts"
	"journey/internal/plain"
	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

var update = flag.Bool("update", false, "re-record testdata/*.json from the lab (go test ./internal/facts -run TestRecordTLSJourneys -update)")

// tlsJourneys are journeys recorded here, beside the shared ones, for the
// TLS verdicts those lack: each is a journey command line run through
// cli.Run as a user types it, and the verdict it must record.
var tlsJourneys = []struct {
	name string
	args []string
	want facts.TLSVerdict
}{
	{"k-verified", []string{"-k", "https://www.example.com/"}, facts.VerifiedWithK},
	{"k-unverified", []string{"-k", "--resolve", "wrong.test:443:203.0.113.10", "https://wrong.test/"}, facts.UnverifiedWithK},
	{"tls-failed", []string{"--resolve", "wrong.test:443:203.0.113.10", "https://wrong.test/"}, facts.Failed},
}

// TestRecordTLSJourneys re-records the TLS journeys with -update; without
// it, it checks each recording still holds the verdict it was made for.
func TestRecordTLSJourneys(t *testing.T) {
	for _, tj := range tlsJourneys {
		t.Run(tj.name, func(t *testing.T) {
			path := filepath.Join("testdata", tj.name+".json")
			if *update {
				var stdout, stderr bytes.Buffer
				argv := append([]string{"--lab", "--lab-latency", "0", "--plain", "--record", path}, tj.args...)
				status := cli.Run(context.Background(), argv, cli.IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
				if status != cli.ExitOK && status != cli.ExitFailed {
					t.Fatalf("journey %s: exit status %d: %s", strings.Join(argv, " "), status, stderr.String())
				}
			}
			if got := facts.TLSOf(load(t, path).Stage(trace.StageConnect)).Verdict; got != tj.want {
				t.Errorf("recorded verdict %v, want %v", got, tj.want)
			}
		})
	}
}

// recorded is every recorded journey: the shared ones and the TLS ones.
func recorded(t *testing.T) []string {
	t.Helper()
	shared, err := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	if err != nil || len(shared) == 0 {
		t.Fatalf("no recorded journeys in %s: %v", journeysDir, err)
	}
	own, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(own) < len(tlsJourneys) {
		t.Fatalf("the TLS journeys are missing from testdata (run with -update): %v", err)
	}
	return append(shared, own...)
}

// views are one journey as each renderer states it.
type views struct {
	plain, explain string
	json           map[string]any
}

func render(t *testing.T, j *trace.Journey) views {
	t.Helper()
	var v views
	var b bytes.Buffer
	plain.Render(&b, j, plain.Options{})
	v.plain = b.String()
	var e strings.Builder
	for _, s := range j.Stages {
		e.WriteString(explain.Stage(s) + "\n")
		for _, ex := range s.Exchanges {
			e.WriteString(explain.ExchangeIn(s, ex) + "\n")
		}
	}
	// explain keeps a number and its unit together with a no-break space.
	v.explain = strings.ReplaceAll(e.String(), "\u00a0", " ")
	b.Reset()
	if err := tracefile.Encode(&b, j); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &v.json); err != nil {
		t.Fatal(err)
	}
	return v
}

// verdictWords are how plain and explain state each TLS verdict: a
// renderer stating one verdict states none of the others' words.
var verdictWords = map[facts.TLSVerdict]struct{ plain, explain string }{
	facts.Verified:        {"verified the chain leads to a trusted root and names the host\n", "names this host, so it verified. "},
	facts.VerifiedWithK:   {"names the host (-k was not needed)", "so it verified: the -k given was not needed"},
	facts.UnverifiedWithK: {"NOT VERIFIED, -k WENT ON ANYWAY", "and -k went on anyway"},
	facts.Failed:          {"not verified:", "it did not verify:"},
}

// TestRenderersAgree renders every recorded journey through plain,
// explain and JSON and checks that each states the facts the facts
// package reads: the TLS verdict, every peer's name, the DNS outcome, the
// HTTP status, and counts worded for one and many. (The TUI's result tree
// is checked the same way in its own package.)
var requestSent = regexp.MustCompile(`We sent \d+[ \x{a0}]bytes? of request`)

func TestRenderersAgree(t *testing.T) {
	for _, path := range recorded(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			j := load(t, path)
			f := facts.Read(j)
			v := render(t, j)
			agreeTLS(t, j, f, v)
			agreePeers(t, j, v)
			agreeDNS(t, f, v)
			agreeHTTP(t, f, v)
			dnsExchanges := 0
			if s := j.Stage(trace.StageDNS); s != nil {
				dnsExchanges = len(s.Exchanges)
			}
			if n := len(hopLine.FindAllString(v.plain, -1)); n != dnsExchanges {
				t.Errorf("plain shows %d DNS exchanges, the trace has %d", n, dnsExchanges)
			}
			for name, text := range map[string]string{"plain": v.plain, "explain": v.explain} {
				if strings.Contains(text, "(s)") {
					t.Errorf("%s words a count as (s): %q", name, around(text, "(s)"))
				}
				if strings.Contains(text, "..") && !strings.Contains(text, "...") {
					t.Errorf("%s has a double dot: %q", name, around(text, ".."))
				}
			}
		})
	}
}

func agreeTLS(t *testing.T, j *trace.Journey, f facts.Journey, v views) {
	t.Helper()
	for verdict, words := range verdictWords {
		said := strings.Contains(v.plain, words.plain)
		if said != (verdict == f.TLS.Verdict) {
			t.Errorf("TLS verdict %v; plain says %q: %v", f.TLS.Verdict, words.plain, said)
		}
		if c := j.Stage(trace.StageConnect); c == nil || c.Connect == nil || c.Connect.TLS == nil || len(c.Connect.TLS.Chain) == 0 {
			continue // explain states a verdict of a certificate it saw
		}
		said = strings.Contains(v.explain, words.explain)
		if said != (verdict == f.TLS.Verdict) {
			t.Errorf("TLS verdict %v; explain says %q: %v", f.TLS.Verdict, words.explain, said)
		}
	}
	tls, _ := dig(v.json, "stages", 2, "connect", "tls").(map[string]any)
	if (tls != nil) != (f.TLS.Verdict != facts.NotTLS) {
		t.Fatalf("JSON tls %v, verdict %v", tls, f.TLS.Verdict)
	}
	if tls != nil {
		insecure, _ := tls["insecure"].(bool)
		if tls["verified"] != f.TLS.Verdict.Secure() || insecure != (f.TLS.Verdict == facts.VerifiedWithK || f.TLS.Verdict == facts.UnverifiedWithK) {
			t.Errorf("JSON verified %v insecure %v, verdict %v", tls["verified"], insecure, f.TLS.Verdict)
		}
	}
}

// agreePeers: every exchange's peer is named the one way in plain and in
// explain.
func agreePeers(t *testing.T, j *trace.Journey, v views) {
	t.Helper()
	for _, s := range j.Stages {
		for _, e := range s.Exchanges {
			if e.Transport == trace.TransportProcess || e.Peer == (trace.Peer{}) {
				continue // the server's own steps: no peer on a wire
			}
			name := safetext.Line(facts.Peer(e.Peer))
			if !strings.Contains(v.plain, name) {
				t.Errorf("plain does not name the %s peer %q", e.Kind, name)
			}
			if got := explain.ExchangeIn(s, e); !strings.Contains(got, name) {
				t.Errorf("explain does not name the %s peer %q: %q", e.Kind, name, got)
			}
		}
	}
}

func agreeDNS(t *testing.T, f facts.Journey, v views) {
	t.Helper()
	d := f.DNS
	dnsJSON, _ := dig(v.json, "stages", 1, "dns").(map[string]any)
	switch d.Result {
	case facts.DNSAnswer:
		line := strings.Join(d.Chain, " → ") + " → " + strings.Join(d.Addresses, ", ")
		if !strings.Contains(v.plain, line) {
			t.Errorf("plain does not give the answer %q", line)
		}
		if !strings.Contains(v.explain, "The answer: "+strings.Join(d.Addresses, ", ")) {
			t.Errorf("explain does not give the answer %v", d.Addresses)
		}
		var addrs []string
		for _, a := range dnsJSON["addresses"].([]any) {
			addrs = append(addrs, a.(string))
		}
		if strings.Join(addrs, ",") != strings.Join(d.Addresses, ",") {
			t.Errorf("JSON addresses %v, facts %v", addrs, d.Addresses)
		}
	case facts.DNSNXDomain:
		if !strings.Contains(v.plain, "NXDOMAIN") || !strings.Contains(v.explain, "NXDOMAIN") || dnsJSON["rcode"] != "NXDOMAIN" {
			t.Errorf("NXDOMAIN not said everywhere (JSON rcode %v)", dnsJSON["rcode"])
		}
	}
	if d.Aliased() && !strings.Contains(v.explain, "alias (CNAME): "+strings.Join(d.Chain, " → ")+".") {
		t.Errorf("explain does not give the chain %v", d.Chain)
	}
	if d.Method == trace.MethodIterative || d.Method == trace.MethodResolver {
		sent := facts.Count(d.Queries, "query", "queries") + " sent"
		if !strings.Contains(v.plain, sent) {
			t.Errorf("plain does not say %q", sent)
		}
		if d.Method == trace.MethodIterative && !strings.Contains(v.explain, "That took "+facts.Count(d.Queries, "query", "queries")) {
			t.Errorf("explain does not count %d queries", d.Queries)
		}
		if q, _ := dnsJSON["queries"].(float64); int(q) != d.Queries {
			t.Errorf("JSON queries %v, facts %d", dnsJSON["queries"], d.Queries)
		}
	}
}

func agreeHTTP(t *testing.T, f facts.Journey, v views) {
	t.Helper()
	h := f.HTTP
	if h.Status == 0 {
		return
	}
	status := strings.TrimSpace(strings.Join([]string{itoa(h.Status), h.Reason}, " "))
	if !strings.Contains(v.plain, "< HTTP/1.1 "+status) {
		t.Errorf("plain does not show the status line %q", status)
	}
	if !strings.Contains(v.explain, "answered "+status) {
		t.Errorf("explain does not say the server answered %q", status)
	}
	if got, _ := dig(v.json, "stages", 3, "http", "status").(float64); int(got) != h.Status {
		t.Errorf("JSON status %v, facts %d", got, h.Status)
	}
	// Every request is told once in each view.
	if n := strings.Count(v.plain, "\n  sent to "); n != h.Requests {
		t.Errorf("plain shows %d requests, facts %d", n, h.Requests)
	}
	// "We sent N bytes of request": TLS fields' explanations say "we sent"
	// of handshake messages too.
	if n := len(requestSent.FindAllString(v.explain, -1)); n != h.Requests {
		t.Errorf("explain tells %d requests, facts %d", n, h.Requests)
	}
	if hops, _ := dig(v.json, "stages", 3, "http", "hops").([]any); len(hops) != h.Requests {
		t.Errorf("JSON has %d hops, facts %d", len(hops), h.Requests)
	}
}

// hopLine is a DNS exchange's first line in the plain report: "  #3 ".
var hopLine = regexp.MustCompile(`(?m)^ +#\d+ `)

// dig walks a decoded JSON document by keys and indexes; nil when absent.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// around is text near the first match, for a readable failure.
func around(text, match string) string {
	i := strings.Index(text, match)
	return text[max(0, i-60):min(len(text), i+60)]
}
