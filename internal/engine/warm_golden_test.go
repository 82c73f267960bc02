package engine

import (
	"bytes"
	"context"
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

// What differs from run to run in the warm visit's report: times, ports,
// the Date header, the rules' width (they follow the time's width).
var (
	goldenDurations = regexp.MustCompile(`\d+(\.\d+)? ?(ms|µs|ns|s)\b`)
	goldenPorts     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	goldenDates     = regexp.MustCompile(`Date: [^\n]+`)
	goldenRules     = regexp.MustCompile(`━+`)
	goldenBars      = regexp.MustCompile(`[█ ]{20,}`)
	goldenDecimals  = regexp.MustCompile(`\d+\.\d+`)
	goldenSockets   = regexp.MustCompile(`(_PORT +)\d+`)
	goldenSpaces    = regexp.MustCompile(`  +`) // columns sized to the times
)

// TestWarmReportGolden: the plain report's second visit (--warm), from
// its heading to the two visits' times, through the lab over https.
func TestWarmReportGolden(t *testing.T) {
	const target = "https://www.example.com/"
	cfg, _ := labConfig(t, target)
	cfg.Warm = &Warm{}
	rec := trace.NewRecorder(target, cfg.Mode, "test", nil, nil)
	j := rec.Finish(Run(context.Background(), cfg, rec))
	j.Warm = cfg.Warm.Journey()
	if j.Error != "" || j.Warm == nil || j.Warm.Error != "" {
		t.Fatalf("the journey failed: %q, warm %+v", j.Error, j.Warm)
	}
	var b bytes.Buffer
	plain.Render(&b, j, plain.Options{})
	out := b.String()
	at := strings.Index(out, "second visit (--warm)")
	if at < 0 {
		t.Fatalf("no second visit in the report:\n%s", out)
	}
	out = out[at:]
	for _, m := range []struct {
		re   *regexp.Regexp
		with string
	}{{goldenDates, "Date: D"}, {goldenDurations, "T"}, {goldenPorts, "127.0.0.1:PORT"}, {goldenRules, "━━"}, {goldenBars, " BARS "},
		{goldenDecimals, "N"}, {goldenSockets, "${1}PORT"}, {goldenSpaces, " "}} {
		out = m.re.ReplaceAllString(out, m.with)
	}
	path := filepath.Join("testdata", "warm.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if out != string(want) {
		t.Errorf("the warm report differs from %s (-update rewrites it, then read the diff):\n%s", path, out)
	}
}
