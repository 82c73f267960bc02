package tui

import "github.com/charmbracelet/bubbles/key"

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

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Send, k.NextStage, k.Down, k.Focus, k.Hex, k.Rerun, k.Help, k.Quit}
}

// FullHelp is the help that ? shows, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.NextStage, k.PrevStage, k.Focus, k.FocusBack},
		{k.Down, k.Up, k.PageDown, k.PageUp},
		{k.Expand, k.Send, k.Hex},
		{k.Rerun, k.Help, k.Quit},
	}
}
