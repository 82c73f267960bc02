// Package tui owns the terminal user interface: a bubbletea program that
// walks a person through a journey as it streams in.
package tui

import (
	"context"
	"errors"

	"journey/internal/trace"
)

// Options configure the TUI.
type Options struct {
	// Start runs a journey and streams its events; the channel closes when
	// it ends. gate, if not nil, is asked before each packet leaves. Nil when
	// replaying: Replay holds the journey then.
	Start   func(ctx context.Context, gate trace.Gate) <-chan trace.Event
	Replay  *trace.Journey
	Step    bool
	Mouse   bool
	NoColor bool
}

// Run shows the journey until the user quits and returns the last trace seen.
func Run(ctx context.Context, opts Options) (*trace.Journey, error) {
	return nil, errors.New("the TUI is not built yet: use --plain")
}
