package tui

import (
	"github.com/charmbracelet/bubbles/spinner"

	"journey/internal/trace"
)

// Common is what every component of the TUI shares, as soft-serve's
// components share theirs: the window's size, the styles and keys, the
// journey as it stands and, in step mode, the packet waiting to leave. The
// root model owns it and is the only one to change it; components read it.
type Common struct {
	width, height int // the whole window
	bodyH         int // the rows between the header and the key help

	st   Styles
	pt   paints
	keys KeyMap
	spin spinner.Model

	journey *trace.Journey
	pending *trace.Pending
	running bool
	replay  bool // a recording: nothing runs, r does nothing
}
