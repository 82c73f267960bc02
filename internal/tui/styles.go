package tui

import (
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is every look of the TUI, in one place. Colours adapt to light
// and dark terminals; with NoColor, meaning is kept with bold, underline
// and reverse alone.
type Styles struct {
	Title      lipgloss.Style // a pane's title
	FocusTitle lipgloss.Style // the focused pane's title
	Selected   lipgloss.Style // the selected row of a list
	Highlight  lipgloss.Style // the selected field's bytes
	Dim        lipgloss.Style // offsets, secondary facts
	Good       lipgloss.Style // done
	Bad        lipgloss.Style // failed
	Running    lipgloss.Style // running, pending packet
	Bar        lipgloss.Style // a waterfall bar
	Header     lipgloss.Style // the first line
}

// monochrome renders bold, underline and reverse but no colour. NO_COLOR
// makes lipgloss's default renderer drop every attribute, which would
// hide the selection; NO_COLOR asks for no colour, not for no emphasis.
var monochrome = func() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	return r
}()

// DefaultStyles returns the TUI's styles; noColor drops every colour.
func DefaultStyles(noColor bool) Styles {
	if noColor {
		r := monochrome
		return Styles{
			Title:      r.NewStyle().Bold(true),
			FocusTitle: r.NewStyle().Bold(true).Reverse(true),
			Selected:   r.NewStyle().Reverse(true),
			Highlight:  r.NewStyle().Underline(true).Bold(true),
			Dim:        r.NewStyle(),
			Good:       r.NewStyle(),
			Bad:        r.NewStyle().Bold(true).Underline(true),
			Running:    r.NewStyle().Bold(true),
			Bar:        r.NewStyle(),
			Header:     r.NewStyle().Bold(true),
		}
	}
	accent := lipgloss.AdaptiveColor{Light: "#005f87", Dark: "#5fafff"}
	return Styles{
		Title:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		FocusTitle: lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(accent),
		Selected:   lipgloss.NewStyle().Reverse(true),
		Highlight:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#000000", Dark: "#000000"}).Background(lipgloss.AdaptiveColor{Light: "#ffd75f", Dark: "#ffd75f"}),
		Dim:        lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#6c6c6c", Dark: "#8a8a8a"}),
		Good:       lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#008700", Dark: "#5fd75f"}),
		Bad:        lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#af0000", Dark: "#ff5f5f"}),
		Running:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#af5f00", Dark: "#ffaf00"}),
		Bar:        lipgloss.NewStyle().Foreground(accent),
		Header:     lipgloss.NewStyle().Bold(true),
	}
}

// paint is a style reduced to the escape sequences around its text, so
// the bytes pane can colour thousands of cells a frame without calling
// lipgloss for each.
type paint struct{ pre, post string }

func newPaint(s lipgloss.Style) paint {
	const mark = "\x00"
	out := s.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return paint{}
	}
	return paint{pre: out[:i], post: out[i+len(mark):]}
}

func (p paint) wrap(s string) string {
	if p.pre == "" {
		return s
	}
	return p.pre + s + p.post
}

// paints are the Styles the bytes pane uses, reduced once.
type paints struct {
	highlight, dim paint
}

func (s Styles) paints() paints {
	return paints{highlight: newPaint(s.Highlight), dim: newPaint(s.Dim)}
}

// helpStyles are the key help's styles: bubbles' own, or without colour.
func helpStyles(noColor bool) help.Styles {
	if !noColor {
		return help.New().Styles
	}
	r := monochrome
	key := r.NewStyle().Bold(true)
	plain := r.NewStyle()
	return help.Styles{
		Ellipsis: plain, ShortKey: key, ShortDesc: plain, ShortSeparator: plain,
		FullKey: key, FullDesc: plain, FullSeparator: plain,
	}
}
