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

func TestDump(t *testing.T) {
	if os.Getenv("STORY_DUMP") == "" {
		t.Skip("set STORY_DUMP=1 to print every recorded story")
	}
	for name, j := range recorded(t) {
		s := story.Build(j)
		t.Logf("== %s: %d parties, %d steps", name, len(s.Parties), len(s.Steps))
		for i, st := range s.Steps {
			t.Logf("%2d %-8s %-14s %s → %s  %s\n      %s", i+1, st.Stage, st.Kind, s.Parties[st.From].Name, s.Parties[st.To].Name, st.Title, st.Narration)
		}
	}
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

func TestDumpOne(t *testing.T) {
	name := os.Getenv("STORY_LAB")
	if name == "" {
		t.Skip("set STORY_LAB=<lab case> to print one lab story")
	}
	s := story.Build(labRuns(t)[name])
	for i, st := range s.Steps {
		t.Logf("%2d %-8s %-14s %s → %s  %s\n      %s", i+1, st.Stage, st.Kind, s.Parties[st.From].Name, s.Parties[st.To].Name, st.Title, st.Narration)
		if st.Page != nil {
			t.Logf("page:\n%s", strings.Join(st.Page.Text, "\n"))
		}
	}
}

func isSafe(s string) bool { return safetext.IsSafe(s) }

func TestCountLab(t *testing.T) {
	if os.Getenv("STORY_COUNT") == "" {
		t.Skip("set STORY_COUNT=1 to count each lab lesson's steps")
	}
	js := labRuns(t)
	for _, tc := range labTargets {
		s := story.Build(js[tc.name])
		t.Logf("| %s | `%s` | %d | %d |", tc.name, tc.target, len(s.Steps), len(s.Parties))
	}
}

func TestLongestNarrations(t *testing.T) {
	if os.Getenv("STORY_LONG") == "" {
		t.Skip("set STORY_LONG=1 to list the narrations of six lines")
	}
	js := labRuns(t)
	for _, tc := range labTargets {
		for _, st := range story.Build(js[tc.name]).Steps {
			if n := len(story.Wrap(st.Narration, story.NarrationWidth)); n >= 6 {
				t.Logf("%s %s %q: %d lines\n%s", tc.name, st.Kind, st.Title, n, st.Narration)
			}
		}
	}
}
