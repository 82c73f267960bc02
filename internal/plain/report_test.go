package plain

import (
	"bytes"
	"os"
	"path/filepath"
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

// TestTimingLine: the report ends with one line of httpstat's phases.
func TestTimingLine(t *testing.T) {
	var b bytes.Buffer
	Render(&b, loadJourney(t, "https"), Options{})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	for _, w := range []string{"DNS ", " · connect ", " · TLS ", " · server ", " · transfer ", " · total ", " ms"} {
		if !strings.Contains(last, w) {
			t.Errorf("last line %q lacks %q", last, w)
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
