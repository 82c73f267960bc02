package tui

import tea "github.com/charmbracelet/bubbletea"

// The inspector's panes are components: each has its own scroll, Update
// and View, and reads the selection (the stage, the exchange, the field)
// the Inspector shares among them, as the tour's parts read the tour. The
// Inspector routes ↑/↓ and the wheel to the focused pane as a moveMsg, and
// lays the panes out (layout.go). Their drawing is in view.go,
// waterfall.go and bytes.go.

// moveMsg asks the focused pane to move by n rows: ↑/↓, page up and down,
// the mouse wheel.
type moveMsg int

// pane is one of the inspector's panes.
type pane interface {
	Update(msg tea.Msg) tea.Cmd
	View(w, h int) []string
	scrollTop() *int
}

type (
	// ExchangesPane lists the stage's exchanges (narrow), or every stage
	// with the selected one's exchanges (wide); ↑/↓ select an exchange.
	ExchangesPane struct {
		in  *Inspector
		top int
	}
	// FieldsPane is the selected exchange's field tree; ↑/↓ select a field.
	FieldsPane struct {
		in  *Inspector
		top int
	}
	// BytesPane is the selected message's bytes, the field highlighted.
	BytesPane struct {
		in  *Inspector
		top int
	}
	// ExplainPane is the explanation of what is selected.
	ExplainPane struct {
		in  *Inspector
		top int
	}
	// WaterfallPane is every timing on one axis.
	WaterfallPane struct {
		in  *Inspector
		top int
	}
)

func (p *ExchangesPane) scrollTop() *int { return &p.top }
func (p *FieldsPane) scrollTop() *int    { return &p.top }
func (p *BytesPane) scrollTop() *int     { return &p.top }
func (p *ExplainPane) scrollTop() *int   { return &p.top }
func (p *WaterfallPane) scrollTop() *int { return &p.top }

// Update selects another exchange.
func (p *ExchangesPane) Update(msg tea.Msg) tea.Cmd {
	if n, ok := msg.(moveMsg); ok {
		p.in.follow = false
		p.in.selectItem(clamp(p.in.item+int(n), 0, len(p.in.items())-1))
	}
	return nil
}

// View draws the pane as the layout has it: the timeline of every stage
// when wide (or zoomed), else the stage's exchanges.
func (p *ExchangesPane) View(w, h int) []string {
	if p.in.layout().wide {
		return p.timeline(w, h)
	}
	return p.list(w, h)
}

// Update selects another field.
func (p *FieldsPane) Update(msg tea.Msg) tea.Cmd {
	if n, ok := msg.(moveMsg); ok {
		p.in.selectNode(clamp(p.in.node+int(n), 0, len(p.in.tree())-1))
	}
	return nil
}

// Update scrolls the bytes.
func (p *BytesPane) Update(msg tea.Msg) tea.Cmd { p.top = scrolled(p.top, msg); return nil }

// Update scrolls the explanation.
func (p *ExplainPane) Update(msg tea.Msg) tea.Cmd { p.top = scrolled(p.top, msg); return nil }

// Update scrolls the waterfall.
func (p *WaterfallPane) Update(msg tea.Msg) tea.Cmd { p.top = scrolled(p.top, msg); return nil }

// scrolled is top moved by a moveMsg; the Inspector keeps it in range.
func scrolled(top int, msg tea.Msg) int {
	if n, ok := msg.(moveMsg); ok {
		return top + int(n)
	}
	return top
}

// panes are the inspector's panes in focus order.
func (m *Inspector) panes() [focusCount]pane {
	return [focusCount]pane{m.exchanges, m.fields, m.bytes, m.explain, m.waterfall}
}

// scroll is pane f's first row shown.
func (m *Inspector) scroll(f focus) *int { return m.panes()[f].scrollTop() }
