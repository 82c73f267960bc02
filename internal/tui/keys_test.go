package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestKeys presses each key of the KeyMap on a replayed journey and checks
// what it changed.
func TestKeys(t *testing.T) {
	tests := []struct {
		name  string
		keys  []tea.KeyMsg
		check func(m *Model) bool
	}{
		{"l next stage", []tea.KeyMsg{runes("l")}, func(m *Model) bool { return m.insp.stage == 1 }},
		{"right next stage", []tea.KeyMsg{{Type: tea.KeyRight}, {Type: tea.KeyRight}}, func(m *Model) bool { return m.insp.stage == 2 }},
		{"h stops at the first", []tea.KeyMsg{runes("h")}, func(m *Model) bool { return m.insp.stage == 0 }},
		{"left back", []tea.KeyMsg{runes("l"), runes("l"), {Type: tea.KeyLeft}}, func(m *Model) bool { return m.insp.stage == 1 }},
		{"past the last", []tea.KeyMsg{runes("l"), runes("l"), runes("l"), runes("l"), runes("l"), runes("l"), runes("l")}, func(m *Model) bool { return m.insp.stage == len(m.journey.Stages)-1 }},
		{"tab cycles", []tea.KeyMsg{keyTab, keyTab}, func(m *Model) bool { return m.insp.focus == focusBytes }},
		{"tab wraps", []tea.KeyMsg{keyTab, keyTab, keyTab, keyTab, keyTab}, func(m *Model) bool { return m.insp.focus == focusExchanges }},
		{"shift+tab back", []tea.KeyMsg{{Type: tea.KeyShiftTab}}, func(m *Model) bool { return m.insp.focus == focusWaterfall }},
		{"j next exchange", []tea.KeyMsg{runes("l"), runes("j")}, func(m *Model) bool { return m.insp.item == 1 }},
		{"k previous exchange", []tea.KeyMsg{runes("l"), runes("j"), runes("j"), runes("k")}, func(m *Model) bool { return m.insp.item == 1 }},
		{"j in fields", []tea.KeyMsg{runes("l"), keyTab, runes("j")}, func(m *Model) bool { return m.insp.node == 1 }},
		{"enter opens", []tea.KeyMsg{runes("l"), keyTab, runes("j"), keyEnter}, func(m *Model) bool { return m.insp.isOpen(m.insp.tree()[1]) }},
		{"x flips", []tea.KeyMsg{runes("x")}, func(m *Model) bool { return m.insp.flip }},
		{"? full help", []tea.KeyMsg{runes("?")}, func(m *Model) bool { return m.help.ShowAll }},
		{"r does nothing in a replay", []tea.KeyMsg{runes("r")}, func(m *Model) bool { return m.runID == 0 }},
		{"space without a packet", []tea.KeyMsg{runes(" ")}, func(m *Model) bool { return m.pending == nil }},
		{"wheel scrolls", []tea.KeyMsg{runes("l"), keyTab, keyTab}, func(m *Model) bool {
			m.Update(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
			return *m.insp.scroll(focusBytes) > 0
		}},
	}
	j := loadJourney(t, "http")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(context.Background(), Options{Replay: j})
			m.Init()
			m.Update(runes("i")) // the inspector
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 14})
			for _, k := range tt.keys {
				m.Update(k)
			}
			if !tt.check(m) {
				t.Errorf("after %v: stage %d item %d node %d focus %v", tt.keys, m.insp.stage, m.insp.item, m.insp.node, m.insp.focus)
			}
		})
	}
	for _, q := range []tea.KeyMsg{runes("q"), {Type: tea.KeyCtrlC}} {
		m := New(context.Background(), Options{Replay: j})
		m.Init()
		m.Update(runes("i")) // the inspector
		if _, cmd := m.Update(q); cmd == nil {
			t.Errorf("%v does not quit", q)
		} else if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%v does not quit", q)
		}
	}
}

// TestHelpLine checks the key help at each width: the one-line help keeps
// q, ? (and space while a packet waits) and drops what does not fit; the
// full help names space and does not offer itself again.
func TestHelpLine(t *testing.T) {
	j := loadJourney(t, "http")
	for _, w := range []int{minWidth, 60, 80, 160} {
		for _, pending := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/pending=%v", w, pending), func(t *testing.T) {
				m := New(context.Background(), Options{Replay: j, NoColor: true})
				m.Init()
				m.Update(runes("i")) // the inspector
				m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
				m.keys.Send.SetEnabled(pending)
				short := ansi.Strip(m.helpView(w))
				want := []string{"q quit", "? more keys"}
				if pending {
					want = append(want, "space send packet")
				}
				for _, s := range want {
					if !strings.Contains(short, s) {
						t.Errorf("one-line help %q lacks %q", short, s)
					}
				}
				if n := ansi.StringWidth(short); n > w || strings.Contains(short, "…") {
					t.Errorf("one-line help is %d cells or cut in %d: %q", n, w, short)
				}
				if w >= 80 && !strings.Contains(short, "next stage") {
					t.Errorf("one-line help at %d lacks the stage keys: %q", w, short)
				}
				m.Update(runes("?"))
				full := ansi.Strip(m.helpView(w))
				for _, s := range []string{"q quit", "? fewer keys"} {
					if !strings.Contains(full, s) {
						t.Errorf("full help lacks %q:\n%s", s, full)
					}
				}
				if strings.Contains(full, "more keys") {
					t.Errorf("full help offers more keys:\n%s", full)
				}
				if w >= 80 && !strings.Contains(full, "space step: send packet") {
					t.Errorf("full help at %d lacks space:\n%s", w, full)
				}
				for _, l := range strings.Split(full, "\n") {
					if ansi.StringWidth(l) > w {
						t.Errorf("full help line wider than %d: %q", w, l)
					}
				}
			})
		}
	}
}
