package story_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"journey/internal/safetext"
	"journey/internal/story"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// recorded decodes every journey in testdata/journeys, by file name.
func recorded(t testing.TB) map[string]*trace.Journey {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/journeys/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no recorded journeys: %v", err)
	}
	out := map[string]*trace.Journey{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		j, err := tracefile.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = j
	}
	return out
}

// TestRecordedStepsFit holds every step of every recording to the tour's
// bounds.
func TestRecordedStepsFit(t *testing.T) {
	for name, j := range recorded(t) {
		t.Run(name, func(t *testing.T) { checkFits(t, story.Build(j)) })
	}
}

const (
	narrationWidth = story.NarrationWidth
	narrationLines = story.NarrationLines
)

// checkFits checks each step: parties in range, a title, a narration that
// wraps into the tour's six lines of 78 columns, all of it safe to print.
func checkFits(t *testing.T, s *story.Story) {
	t.Helper()
	if len(s.Steps) == 0 {
		t.Fatal("no steps")
	}
	for i, st := range s.Steps {
		if st.From < 0 || st.From >= len(s.Parties) || st.To < 0 || st.To >= len(s.Parties) {
			t.Errorf("step %d: parties %d → %d out of range (%d parties)", i+1, st.From, st.To, len(s.Parties))
		}
		if st.Title == "" || st.Narration == "" {
			t.Errorf("step %d (%s): title %q, narration %q", i+1, st.Kind, st.Title, st.Narration)
		}
		if n := len([]rune(st.Narration)); n > story.MaxNarration {
			t.Errorf("step %d (%s): narration of %d characters, over %d", i+1, st.Kind, n, story.MaxNarration)
		}
		if ls := story.Wrap(st.Narration, narrationWidth); len(ls) > narrationLines {
			t.Errorf("step %d (%s): narration wraps into %d lines at %d columns, over %d:\n%s", i+1, st.Kind, len(ls), narrationWidth, narrationLines, strings.Join(ls, "\n"))
		}
		for _, text := range []string{st.Title, st.Narration} {
			if !safetext.IsSafe(text) {
				t.Errorf("step %d (%s): unsafe text %q", i+1, st.Kind, text)
			}
		}
	}
}

func isSafe(s string) bool { return safetext.IsSafe(s) }

// maxLabSteps bounds a lab lesson's story: a class walks it with space.
// The longest today is 40 (a lookup inside the lookup, then eight
// middleware each way); 60 leaves room for a lesson, not for a runaway.
const maxLabSteps = 60

// TestLabStepCounts counts each lab lesson's steps and lanes (printed with
// -v, as a Markdown table for the notes) and holds them to what a class can
// walk: a journey that reaches the web server takes at least the address,
// one question and its answer, the connection, the request, the server's
// side and the response.
func TestLabStepCounts(t *testing.T) {
	js := labRuns(t)
	for _, tc := range labTargets {
		s := story.Build(js[tc.name])
		t.Logf("| %s | `%s` | %d | %d |", tc.name, tc.target, len(s.Steps), len(s.Parties))
		// Each visit is a lesson of its own (--warm makes two).
		visit := 0
		for _, st := range s.Steps {
			visit++
			if st.Kind == story.KindVisit {
				visit = 1
			}
			if visit > maxLabSteps {
				t.Errorf("%s: a visit of over %d steps", tc.name, maxLabSteps)
				break
			}
		}
		if j := js[tc.name]; j.Error == "" && len(s.Steps) < 10 {
			t.Errorf("%s: a whole journey in %d steps", tc.name, len(s.Steps))
		}
	}
}
