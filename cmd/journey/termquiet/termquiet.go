// Package termquiet keeps the program from asking the terminal anything
// before main runs.
//
// bubbletea v1's init calls lipgloss.HasDarkBackground, which writes an
// OSC 11 query and a cursor-position request (DSR) to the terminal and
// waits up to termenv.OSCTimeout (5 seconds) for the answers. A terminal
// that answers neither (a serial console, some web terminals, a script's
// pty) then shows nothing for 5 seconds, even for --plain, which needs no
// answer at all. This package is initialised before bubbletea (its import
// path sorts first and it needs only lipgloss), and tells lipgloss the
// background is already known, so that init asks nothing. journey then
// asks, only when the answer changes what is drawn, and waits a bounded
// time (internal/cli, termbg.go).
package termquiet

import "github.com/charmbracelet/lipgloss"

func init() {
	// Dark until journey knows better: termenv's own default when a
	// terminal does not say.
	lipgloss.SetHasDarkBackground(true)
}
