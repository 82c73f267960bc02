package story_test

import (
	"context"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/story"
	"journey/internal/trace"
)

// TestStreamedSnapshots builds the story of every snapshot a real journey
// streams (as the tour does while it runs): each fits, and each step keeps
// its ID, kind and stage in the finished story, so a reader keeps its
// place as steps arrive.
func TestStreamedSnapshots(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the lab")
	}
	for _, target := range []string{"https://www.example.com/articles/2024/", "www.example.org", "www.example.com/old-blog/"} {
		t.Run(target, func(t *testing.T) {
			l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			a, err := address.Parse(target)
			if err != nil {
				t.Fatal(err)
			}
			d := l.Dialer()
			d.Refuse = dialtest.Loopback(t).Refuse
			cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
				RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: time.Second, FollowRedirects: true}
			var snaps []*trace.Journey
			rec := trace.NewRecorder(target, cfg.Mode, "test", func(ev trace.Event) { snaps = append(snaps, ev.Journey) }, nil)
			final := story.Build(rec.Finish(engine.Run(context.Background(), cfg, rec)))
			if len(snaps) < 5 {
				t.Fatalf("only %d snapshots streamed", len(snaps))
			}
			for n, j := range snaps {
				s := story.Build(j)
				if len(s.Steps) == 0 {
					continue
				}
				checkFits(t, s)
				for _, st := range s.Steps {
					k := final.Find(st.ID)
					if k < 0 {
						t.Errorf("snapshot %d: step %s (%q) is not in the finished story", n, st.ID, st.Title)
						continue
					}
					// Lanes may be added before a step's lanes as the
					// journey goes on, so From and To are indices of
					// their own story; kind and stage stay.
					if w := final.Steps[k]; w.Kind != st.Kind || w.Stage != st.Stage {
						t.Errorf("snapshot %d: %s changed from %s %q to %s %q", n, st.ID, st.Kind, st.Title, w.Kind, w.Title)
					}
				}
			}
		})
	}
}
