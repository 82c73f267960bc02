package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
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
		{"l next stage", []tea.KeyMsg{runes("l")}, func(m *Model) bool { return m.stage == 1 }},
		{"right next stage", []tea.KeyMsg{{Type: tea.KeyRight}, {Type: tea.KeyRight}}, func(m *Model) bool { return m.stage == 2 }},
		{"h stops at the first", []tea.KeyMsg{runes("h")}, func(m *Model) bool { return m.stage == 0 }},
		{"left back", []tea.KeyMsg{runes("l"), runes("l"), {Type: tea.KeyLeft}}, func(m *Model) bool { return m.stage == 1 }},
		{"past the last", []tea.KeyMsg{runes("l"), runes("l"), runes("l"), runes("l"), runes("l"), runes("l"), runes("l")}, func(m *Model) bool { return m.stage == len(m.journey.Stages)-1 }},
		{"tab cycles", []tea.KeyMsg{keyTab, keyTab}, func(m *Model) bool { return m.focus == focusBytes }},
		{"tab wraps", []tea.KeyMsg{keyTab, keyTab, keyTab, keyTab, keyTab}, func(m *Model) bool { return m.focus == focusExchanges }},
		{"shift+tab back", []tea.KeyMsg{{Type: tea.KeyShiftTab}}, func(m *Model) bool { return m.focus == focusWaterfall }},
		{"j next exchange", []tea.KeyMsg{runes("l"), runes("j")}, func(m *Model) bool { return m.item == 1 }},
		{"k previous exchange", []tea.KeyMsg{runes("l"), runes("j"), runes("j"), runes("k")}, func(m *Model) bool { return m.item == 1 }},
		{"j in fields", []tea.KeyMsg{runes("l"), keyTab, runes("j")}, func(m *Model) bool { return m.node == 1 }},
		{"enter opens", []tea.KeyMsg{runes("l"), keyTab, runes("j"), keyEnter}, func(m *Model) bool { return m.isOpen(m.tree()[1]) }},
		{"x flips", []tea.KeyMsg{runes("x")}, func(m *Model) bool { return m.flip }},
		{"? full help", []tea.KeyMsg{runes("?")}, func(m *Model) bool { return m.help.ShowAll }},
		{"r does nothing in a replay", []tea.KeyMsg{runes("r")}, func(m *Model) bool { return m.runID == 0 }},
		{"space without a packet", []tea.KeyMsg{runes(" ")}, func(m *Model) bool { return m.pending == nil }},
		{"wheel scrolls", []tea.KeyMsg{runes("l"), keyTab, keyTab}, func(m *Model) bool {
			m.Update(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
			return m.top[focusBytes] > 0
		}},
	}
	j := loadJourney(t, "http")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(context.Background(), Options{Replay: j})
			m.Init()
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 14})
			for _, k := range tt.keys {
				m.Update(k)
			}
			if !tt.check(m) {
				t.Errorf("after %v: stage %d item %d node %d focus %v", tt.keys, m.stage, m.item, m.node, m.focus)
			}
		})
	}
	for _, q := range []tea.KeyMsg{runes("q"), {Type: tea.KeyCtrlC}} {
		m := New(context.Background(), Options{Replay: j})
		m.Init()
		if _, cmd := m.Update(q); cmd == nil {
			t.Errorf("%v does not quit", q)
		} else if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%v does not quit", q)
		}
	}
}
