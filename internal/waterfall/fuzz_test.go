package waterfall_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	// A small journey, for the fuzzer to change quickly: the recorded ones
	// are a hundred kilobytes and more.
	f.Add([]byte(small))
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

// small is a short journey that fails in the HTTP stage after a redirect.
const small = `{"format":"journey/1","mode":"lab","target":"x","stages":[
{"kind":"address","status":"done","duration_ns":5},
{"kind":"dns","status":"done","start_ns":5,"duration_ns":10,"exchanges":[{"kind":"dns","peer":{"name":"a"},"start_ns":5,"duration_ns":9,"depth":1,"dns":{"question":"x. A"}}]},
{"kind":"connect","status":"done","start_ns":15,"duration_ns":4,"connect":{"attempts":[{"addr":"a:80","start_ns":15,"duration_ns":4}],"tcp_ns":4}},
{"kind":"http","status":"failed","start_ns":19,"duration_ns":90,"error":"no answer","exchanges":[{"kind":"http","start_ns":20,"duration_ns":5},{"kind":"http","start_ns":40,"duration_ns":60,"error":"no answer"}],
 "http":{"hops":[{"exchange":0,"url":"http://x/a","method":"GET","timing":{"start_ns":15,"write_start_ns":20,"ttfb_ns":3,"first_byte_ns":23,"total_ns":10}},{"exchange":1,"url":"https://y/b?c","method":"GET","timing":{"start_ns":30,"write_start_ns":40,"total_ns":70}}]}},
{"kind":"gateway","status":"skipped"},
{"kind":"router","status":"skipped"}]}`

// TestSmallReplay: the small seed is a valid trace (so the fuzzer starts
// from one), and its failed redirect hop shows to its end.
func TestSmallReplay(t *testing.T) {
	j, err := tracefile.Decode(strings.NewReader(small))
	if err != nil {
		t.Fatalf("the small seed does not decode: %v", err)
	}
	var labels []string
	for _, r := range waterfall.Rows(j) {
		labels = append(labels, r.Label)
	}
	got := strings.Join(labels, "|")
	for _, want := range []string{"hop 1 GET /a", "hop 2 GET /b?c at https://y", "request failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("rows %q lack %q", labels, want)
		}
	}
}
