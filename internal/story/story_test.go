package story_test

import (
	"os"
	"path/filepath"
	"testing"

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
// bounds: parties in range, a title, a narration of at most MaxNarration.
func TestRecordedStepsFit(t *testing.T) {
	for name, j := range recorded(t) {
		t.Run(name, func(t *testing.T) {
			s := story.Build(j)
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
			}
		})
	}
}
