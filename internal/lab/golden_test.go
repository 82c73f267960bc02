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

// dnsSection is a report's DNS stage, with what varies masked.
func dnsSection(t *testing.T, j *trace.Journey) string {
	t.Helper()
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
