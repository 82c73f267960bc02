package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

// KeyMap is every key the TUI answers to. Help is generated from it, so
// the help line never disagrees with what the keys do.
type KeyMap struct {
	// The tour.
	Next  key.Binding
	Back  key.Binding
	First key.Binding
	Last  key.Binding
	Stage key.Binding // 0–5: the first step of that stage

	// The inspector.
	NextStage key.Binding
	PrevStage key.Binding
	Down      key.Binding
	Up        key.Binding
	PageDown  key.Binding
	PageUp    key.Binding
	Focus     key.Binding
	FocusBack key.Binding
	Expand    key.Binding
	Hex       key.Binding

	// Both.
	Inspect key.Binding // the tour ⇄ the inspector, on the same step
	Zoom    key.Binding
	Send    key.Binding
	Rerun   key.Binding
	Help    key.Binding
	Quit    key.Binding
}

// DefaultKeyMap returns the keys of the issue: space and the arrows (and
// vi keys) walk the tour, i or tab opens the inspector, tab moves between
// its panes, z zooms, x flips hex and text, r runs again, ? shows every
// key, q quits.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:  key.NewBinding(key.WithKeys(" ", "right", "l"), key.WithHelp("space/→", "next step")),
		Back:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "back")),
		First: key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first step")),
		Last:  key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last step")),
		Stage: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5"), key.WithHelp("0–5", "go to stage")),

		NextStage: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next stage")),
		PrevStage: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "prev stage")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn/f", "page down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev pane")),
		Expand:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "expand field")),
		Hex:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "hex/text")),

		Inspect: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inspect")),
		Zoom:    key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zoom")),
		Send:    key.NewBinding(key.WithKeys(" ", "enter"), key.WithHelp("space", "send packet")),
		Rerun:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run again")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// helpSet is the keys one view shows in its help: the one-line help in
// the order shown and by priority (what to drop first when the line is
// too narrow), and the full help in columns.
type helpSet struct {
	short, priority []key.Binding
	full            [][]key.Binding
}

// tourHelp is the tour's help. How to let a waiting packet go, how to
// leave and how to see every key are never dropped; then walking the
// steps and opening the inspector.
func (k KeyMap) tourHelp() helpSet {
	inspect := key.NewBinding(key.WithKeys("i", "tab"), key.WithHelp("i/tab", "inspect"))
	scroll := key.NewBinding(key.WithKeys("down", "up"), key.WithHelp("↓/↑", "scroll page"))
	closeHelp := key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "fewer keys"))
	send := key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "step: send packet"))
	return helpSet{
		short:    []key.Binding{k.Send, k.Next, k.Back, k.Stage, inspect, k.Rerun, k.Help, k.Quit},
		priority: []key.Binding{k.Send, k.Quit, k.Help, k.Next, k.Back, inspect, k.Stage, k.Rerun},
		full: [][]key.Binding{
			{k.Quit, closeHelp, k.Rerun},
			{k.Next, k.Back, k.First, k.Last},
			{k.Stage, inspect, k.Zoom, send},
			{scroll},
		},
	}
}

// inspectorHelp is the inspector's help: the same never-dropped keys,
// then the way back to the tour, moving between stages, rows and panes.
func (k KeyMap) inspectorHelp() helpSet {
	tour := key.NewBinding(key.WithKeys("i", "esc"), key.WithHelp("i", "tour"))
	closeHelp := key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "fewer keys"))
	send := key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "step: send packet"))
	return helpSet{
		short:    []key.Binding{k.Send, tour, k.NextStage, k.Down, k.Focus, k.Hex, k.Rerun, k.Help, k.Quit},
		priority: []key.Binding{k.Send, k.Quit, k.Help, tour, k.NextStage, k.Down, k.Focus, k.Hex, k.Rerun},
		full: [][]key.Binding{
			{k.Quit, closeHelp, tour, k.Rerun},
			{k.NextStage, k.PrevStage, k.Focus, k.FocusBack},
			{k.Down, k.Up, k.PageDown, k.PageUp},
			{k.Expand, send, k.Hex, k.Zoom},
		},
	}
}

// helpView is the key help for a window w cells wide: the full help after
// ?, else one line with the most important keys that fit, shown in the
// set's order.
func (m *Model) helpView(w int) string {
	set := m.keys.tourHelp()
	if m.inspecting {
		set = m.keys.inspectorHelp()
	}
	if m.help.ShowAll {
		return m.help.FullHelpView(set.full)
	}
	sep := ansi.StringWidth(m.help.ShortSeparator)
	keep := map[string]bool{} // by the key's name, unique in the line
	used := 0
	// In the tour, space sends the waiting packet only once the tour is on
	// it; before, space walks to it, and the line says only that.
	sendHere := m.inspecting || m.tour.isPending(m.tour.cur)
	for _, b := range set.priority {
		if !b.Enabled() || !sendHere && b.Help() == m.keys.Send.Help() {
			continue
		}
		n := ansi.StringWidth(b.Help().Key) + 1 + ansi.StringWidth(b.Help().Desc)
		if used > 0 {
			n += sep
		}
		if used+n > w {
			continue
		}
		used += n
		keep[b.Help().Key] = true
	}
	var line []key.Binding
	for _, b := range set.short {
		if keep[b.Help().Key] {
			line = append(line, b)
		}
	}
	return m.help.ShortHelpView(line)
}
