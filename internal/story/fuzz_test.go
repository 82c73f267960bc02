package story_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"journey/internal/story"
	"journey/internal/tracefile"
)

// FuzzBuild builds the story of any journey tracefile.Decode accepts: it
// must not panic, every step's parties must be lanes, every lesson field
// must lie inside its bytes, and every title, narration and page line must
// be safe to print. Seeded with testdata/journeys and hostile documents.
func FuzzBuild(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/journeys/*.json")
	// A journey with its second visit (--warm), told after the first.
	seeds = append(seeds, "testdata/warm.json")
	if len(seeds) == 0 {
		f.Fatal("no recorded journeys to seed the fuzz target with")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":"journey/1","mode":"lab","target":"x\u001b]0;pwned\u0007\u202e","error":"\u001b[2J","stages":[` +
		`{"kind":"address","status":"done"},{"kind":"dns","status":"failed","error":"\u009b31m",` +
		`"exchanges":[{"kind":"dns","label":"\u001b]8;;x\u0007","depth":3,"dns":{"kind":"cname","answers":["a. 1 IN CNAME b.","b. 1 IN CNAME a."],"question":"\u001b"},` +
		`"received":{"bytes":"G1sySg==","fields":[{"name":"Answer section","value":"\u007f","offset":2,"length":99}]}}]},` +
		`{"kind":"connect","status":"skipped"},{"kind":"http","status":"skipped"},{"kind":"gateway","status":"skipped"},{"kind":"router","status":"skipped"}]}`))
	f.Add([]byte(`{"format":"journey/1","mode":"lab","target":"x","stages":[{"kind":"http","status":"done","http":{"hops":[{"exchange":5},{"exchange":-1}]},` +
		`"exchanges":[{"kind":"tls","sent":{"bytes":"AAAA","fields":[{"name":"r","offset":3,"length":9}]}},{"kind":"http","received":{"bytes":"PGgxPng8L2gxPg==","fields":[{"name":"body","offset":-4,"length":3}]}}]},` +
		`{"kind":"gateway","status":"done","gateway":{"middleware":[{"middleware":"m","direction":"request","answered":true}]}},{"kind":"router","status":"done","router":{"match":{"route":"<int:x>","converters":[{"name":"x"}]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := tracefile.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		s := story.Build(j)
		for i, st := range s.Steps {
			if st.From < 0 || st.From >= len(s.Parties) || st.To < 0 || st.To >= len(s.Parties) {
				t.Fatalf("step %d: parties %d → %d of %d", i+1, st.From, st.To, len(s.Parties))
			}
			if st.Lesson != nil && (st.Lesson.Offset < 0 || st.Lesson.Length < 0 || st.Lesson.Offset+st.Lesson.Length > len(st.Bytes)) {
				t.Fatalf("step %d: lesson at %d+%d outside %d bytes", i+1, st.Lesson.Offset, st.Lesson.Length, len(st.Bytes))
			}
			checkSafe(t, i, st)
		}
	})
}

func checkSafe(t *testing.T, i int, st story.Step) {
	t.Helper()
	texts := []string{st.Title, st.Narration}
	if st.Page != nil {
		texts = append(texts, st.Page.Text...)
		texts = append(texts, st.Page.Links...)
	}
	for _, text := range texts {
		if !isSafe(text) {
			t.Fatalf("step %d (%s): unsafe text %q", i+1, st.Kind, text)
		}
	}
}
