package waterfall_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"journey/internal/plain"
	"journey/internal/tracefile"
	"journey/internal/waterfall"
)

// question matches a DNS exchange's question in a trace file.
var question = regexp.MustCompile(`"question": "[^"]*"`)

// FuzzReplay: any file a replay accepts renders, through the waterfall and
// the plain report, without a panic. Seeds are the recorded lab journeys,
// and the same with each question blanked (a whitespace-only question once
// panicked the waterfall).
func FuzzReplay(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "journeys", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no recorded journeys to seed from (%v)", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(question.ReplaceAll(b, []byte(`"question": " \t "`)))
		f.Add(question.ReplaceAll(b, []byte(`"question": ""`)))
	}
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := tracefile.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		rows := waterfall.Rows(j)
		for _, r := range rows {
			if r.Duration < 0 || r.Depth < 0 {
				t.Errorf("row %+v: negative duration or depth", r)
			}
		}
		plain.Render(io.Discard, j, plain.Options{Bytes: true})
	})
}
