package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

// KeyMap is every key the TUI answers to. Help is generated from it, so
// the help line never disagrees with what the keys do.
type KeyMap struct {
	NextStage key.Binding
	PrevStage key.Binding
	Down      key.Binding
	Up        key.Binding
	PageDown  key.Binding
	PageUp    key.Binding
	Focus     key.Binding
	FocusBack key.Binding
	Expand    key.Binding
	Send      key.Binding
	Hex       key.Binding
	Rerun     key.Binding
	Help      key.Binding
	Quit      key.Binding
}

// DefaultKeyMap returns the keys of the issue: arrows and vi keys, tab for
// focus, x for hex/text, r to run again, ? for help, q to quit.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		NextStage: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next stage")),
		PrevStage: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "prev stage")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn/f", "page down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		FocusBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev pane")),
		Expand:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "expand field")),
		Send:      key.NewBinding(key.WithKeys(" ", "enter"), key.WithHelp("space", "send packet")),
		Hex:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "hex/text")),
		Rerun:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run again")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the one-line help with every key it can hold, in the
// order it is shown; shortHelp picks the ones that fit.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Send, k.NextStage, k.Down, k.Focus, k.Hex, k.Rerun, k.Help, k.Quit}
}

// shortPriority is the one-line help's keys, most important first: how to
// let a waiting packet go, how to leave and how to see every key are never
// dropped; then moving between stages, exchanges and panes.
func (k KeyMap) shortPriority() []key.Binding {
	return []key.Binding{k.Send, k.Quit, k.Help, k.NextStage, k.Down, k.Focus, k.Hex, k.Rerun}
}

// FullHelp is the help that ? shows, in columns, quitting first: a narrow
// window cuts the last columns. It names space even when no packet waits,
// so that step mode is found before it is needed.
func (k KeyMap) FullHelp() [][]key.Binding {
	send := key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "step: send packet"))
	closeHelp := key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "fewer keys"))
	return [][]key.Binding{
		{k.Quit, closeHelp, k.Rerun},
		{k.NextStage, k.PrevStage, k.Focus, k.FocusBack},
		{k.Down, k.Up, k.PageDown, k.PageUp},
		{k.Expand, send, k.Hex},
	}
}

// helpView is the key help for a window w cells wide: the full help after
// ?, else one line with the most important keys that fit, shown in
// ShortHelp's order.
func (m *Model) helpView(w int) string {
	if m.help.ShowAll {
		return m.help.FullHelpView(m.keys.FullHelp())
	}
	sep := ansi.StringWidth(m.help.ShortSeparator)
	keep := map[string]bool{} // by the key's name, unique in the line
	used := 0
	for _, b := range m.keys.shortPriority() {
		if !b.Enabled() {
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
	for _, b := range m.keys.ShortHelp() {
		if keep[b.Help().Key] {
			line = append(line, b)
		}
	}
	return m.help.ShortHelpView(line)
}
