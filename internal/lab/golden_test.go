package lab

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"journey/internal/plain"
	"journey/internal/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Times, ports and rules of a report differ from run to run; the golden
// files keep everything else.
var (
	durations = regexp.MustCompile(`\d+(\.\d+)? ?(ms|µs|ns|s)\b`)
	ports     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	rules     = regexp.MustCompile(`━+`)
)

// steady sets what differs from run to run (times, ports) to one value in
// the trace itself, before it is rendered: masked after, a time of another
// width would wrap a line elsewhere.
func steady(j *trace.Journey) {
	text := func(s string) string {
		return ports.ReplaceAllString(durations.ReplaceAllString(s, "1 ms"), "127.0.0.1:1")
	}
	texts := func(ss []string) {
		for i := range ss {
			ss[i] = text(ss[i])
		}
	}
	j.Duration = 0
	for _, st := range j.Stages {
		st.Start, st.Duration = 0, 0
		texts(st.Notes)
		for _, ex := range st.Exchanges {
			ex.Start, ex.Duration = 0, 0
			ex.Local, ex.Peer.Via = text(ex.Local), text(ex.Peer.Via)
			ex.Label, ex.Outcome, ex.Error = text(ex.Label), text(ex.Outcome), text(ex.Error)
			texts(ex.Notes)
		}
	}
}

// dnsSection is a report's DNS stage, with what varies made steady.
func dnsSection(t *testing.T, j *trace.Journey) string {
	t.Helper()
	steady(j)
	var b bytes.Buffer
	plain.Render(&b, j, plain.Options{})
	out := b.String()
	start := strings.Index(out, "━━ 1 · DNS")
	end := strings.Index(out, "━━ 2 ·")
	if start < 0 || end < start {
		t.Fatalf("no DNS stage in the report:\n%s", out)
	}
	out = out[start:end]
	out = durations.ReplaceAllString(out, "T")
	out = ports.ReplaceAllString(out, "127.0.0.1:PORT")
	return rules.ReplaceAllString(out, "━━")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (-update rewrites it, then read the diff):\n%s", name, path, got)
	}
}

// TestResolverReportGolden: the plain report of a journey through the
// lab's resolver, cold then warm: the stub's one question with the walk
// nested under it, then the question answered from the cache.
func TestResolverReportGolden(t *testing.T) {
	l := startLab(t, Options{})
	for _, name := range []string{"resolver-cold", "resolver-warm"} {
		t.Run(name, func(t *testing.T) {
			golden(t, name, dnsSection(t, stubJourney(t, l, "www.example.org")))
		})
	}
}
