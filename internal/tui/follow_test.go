package tui

import (
	"context"
	"errors"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/trace"
)

// script records a journey's events as the engine would send them: each
// stage started, given an exchange and finished in order, the server side
// handed over whole, up to fail (which fails) or to the end.
func script(t *testing.T, fail trace.StageKind) []trace.Event {
	t.Helper()
	var evs []trace.Event
	rec := trace.NewRecorder("www.example.com", trace.ModeLab, "test", func(ev trace.Event) { evs = append(evs, ev) }, nil)
	var err error
	for _, k := range trace.StageOrder {
		if err != nil {
			rec.SkipStage(k, "not reached")
			continue
		}
		if k == fail {
			err = errors.New("refused")
		}
		switch k {
		case trace.StageGateway, trace.StageRouter:
			if err != nil {
				rec.FinishStage(k, err, nil)
				continue
			}
			rec.SetStage(&trace.Stage{Kind: k, Status: trace.StatusDone, Exchanges: []*trace.Exchange{{Kind: string(k), Label: string(k)}}})
		default:
			rec.StartStage(k)
			rec.AddExchange(k, &trace.Exchange{Kind: string(k), Label: string(k) + " 1"})
			rec.AddExchange(k, &trace.Exchange{Kind: string(k), Label: string(k) + " 2"})
			rec.FinishStage(k, err, nil)
		}
	}
	rec.Finish(err)
	return evs
}

// TestFollow checks which stage the TUI shows as a journey streams and
// once it ends: the one where something happens, then the last followed
// (the router) or the failed one, unless the user moved; a replay opens on
// stage 0.
func TestFollow(t *testing.T) {
	stageOf := func(k trace.StageKind) int {
		for i, s := range trace.StageOrder {
			if s == k {
				return i
			}
		}
		return -1
	}
	tests := []struct {
		name   string
		fail   trace.StageKind
		moveAt int // press ← after this many events; -1: never
		want   int
	}{
		{"complete: the router", "", -1, stageOf(trace.StageRouter)},
		{"failed connect: connect", trace.StageConnect, -1, stageOf(trace.StageConnect)},
		{"failed gateway: gateway", trace.StageGateway, -1, stageOf(trace.StageGateway)},
		{"moved during DNS: stays", "", 6, stageOf(trace.StageDNS) - 1},
		{"moved, then failed: stays", trace.StageHTTP, 6, stageOf(trace.StageDNS) - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := script(t, tt.fail)
			m := New(context.Background(), Options{Start: func(context.Context, trace.Gate) <-chan trace.Event { return nil }, NoColor: true})
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			m.Init()
			m.Update(runes("i")) // the inspector
			var seen []trace.StageKind
			for n, ev := range evs {
				if n == tt.moveAt {
					m.Update(tea.KeyMsg{Type: tea.KeyLeft})
				}
				m.Update(eventMsg{id: m.runID, ev: ev})
				if s := m.insp.selected(); s != nil && (len(seen) == 0 || seen[len(seen)-1] != s.Kind) {
					seen = append(seen, s.Kind)
				}
			}
			m.Update(runEndedMsg{id: m.runID})
			if m.insp.stage != tt.want {
				t.Errorf("shows stage %d at the end, want %d (stages shown in turn: %v)", m.insp.stage, tt.want, seen)
			}
			if tt.moveAt < 0 && tt.fail == "" && len(seen) != len(trace.StageOrder) {
				t.Errorf("followed %v, want every stage in order", seen)
			}
			if tt.moveAt < 0 && m.insp.item != len(m.insp.items())-1 {
				t.Errorf("exchange %d of %d selected, want the newest", m.insp.item, len(m.insp.items()))
			}
		})
	}
	t.Run("replay opens on stage 0", func(t *testing.T) {
		for _, fail := range []trace.StageKind{"", trace.StageHTTP} {
			evs := script(t, fail)
			m := New(context.Background(), Options{Replay: evs[len(evs)-1].Journey})
			m.Init()
			if m.insp.stage != 0 || m.insp.item != 0 {
				t.Errorf("replay (failed at %q) opens on stage %d item %d", fail, m.insp.stage, m.insp.item)
			}
		}
	})
}
