package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/trace"
)

// Tour is the default view (placeholder until the story lands).
type Tour struct {
	*Common
	step bool
}

func newTour(c *Common, step bool) *Tour { return &Tour{Common: c, step: step} }

func (t *Tour) restart()                                          {}
func (t *Tour) journeyChanged(ev trace.Event)                     {}
func (t *Tour) clamp()                                            {}
func (t *Tour) sent()                                             {}
func (t *Tour) where() (trace.StageKind, *trace.Exchange)         { return "", nil }
func (t *Tour) showExchange(k trace.StageKind, e *trace.Exchange) {}
func (t *Tour) View() string                                      { return "" }
func (t *Tour) Update(msg tea.Msg) (*Tour, tea.Cmd)               { return t, nil }
