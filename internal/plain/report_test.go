package plain

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
