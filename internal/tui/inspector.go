package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/trace"
)

// The inspector is the TUI's second view, one key away from the tour:
// the exchanges of a stage, the selected message's field tree and bytes
// (the selected field highlighted, as Wireshark links them), the
// explanation and the waterfall. Its panes are drawn in view.go,
// layout.go, bytes.go and waterfall.go.

// mouseStep is how many rows one wheel notch scrolls, as most terminals
// scroll their own history.
const mouseStep = 3

// focus is the pane that ↑/↓ move in.
type focus int

const (
	focusExchanges focus = iota
	focusFields
	focusBytes
	focusExplain
	focusWaterfall
	focusCount
)

func (f focus) String() string {
	return [...]string{"exchanges", "fields", "bytes", "explanation", "waterfall"}[f]
}

// Inspector is the inspector's state: what is selected in each pane and
// how far each pane is scrolled. It is a pointer so View can keep caches.
type Inspector struct {
	*Common
	// journey is the visit shown, shadowing Common's for every pane: the
	// journey, or with --warm its second visit when the inspector was
	// opened on one of its steps (second).
	journey *trace.Journey
	second  bool

	follow bool // select what arrives, until the user moves
	stage  int  // index into journey.Stages
	item   int  // index into the selected stage's items
	node   int  // index into the field tree's visible rows
	open   map[string]bool
	focus  focus
	flip   bool // x: the other of hex and text
	zoom   bool // z: the focused pane fills the window

	// The panes, components of their own (panes.go).
	exchanges *ExchangesPane
	fields    *FieldsPane
	bytes     *BytesPane
	explain   *ExplainPane
	waterfall *WaterfallPane

	cache cache
}

func newInspector(c *Common) *Inspector {
	m := &Inspector{Common: c, journey: c.journey, follow: true, item: -1, open: map[string]bool{}}
	m.exchanges, m.fields, m.bytes = &ExchangesPane{in: m}, &FieldsPane{in: m}, &BytesPane{in: m}
	m.explain, m.waterfall = &ExplainPane{in: m}, &WaterfallPane{in: m}
	return m
}

// Update handles a key or the mouse; the root model routes them here
// while the inspector is shown.
func (m *Inspector) Update(msg tea.Msg) (*Inspector, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		cmd = m.key(msg)
	case tea.MouseMsg:
		// Only with --mouse: the wheel scrolls the focused pane.
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			m.move(mouseStep)
		case tea.MouseButtonWheelUp:
			m.move(-mouseStep)
		}
	}
	m.clampScroll()
	return m, cmd
}

// key handles one key press.
func (m *Inspector) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Send) && m.pending != nil:
		return send(m.pending)
	case key.Matches(msg, k.NextStage):
		m.follow = false
		m.selectStage(m.stage + 1)
	case key.Matches(msg, k.PrevStage):
		m.follow = false
		m.selectStage(m.stage - 1)
	case key.Matches(msg, k.Focus):
		m.focus = (m.focus + 1) % focusCount
	case key.Matches(msg, k.FocusBack):
		m.focus = (m.focus + focusCount - 1) % focusCount
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.PageDown):
		m.move(m.page())
	case key.Matches(msg, k.PageUp):
		m.move(-m.page())
	case key.Matches(msg, k.Expand):
		m.Expand()
	case key.Matches(msg, k.Hex):
		m.flip = !m.flip
		*m.scroll(focusBytes) = 0
		m.revealField()
	case key.Matches(msg, k.Zoom):
		m.zoom = !m.zoom
	}
	return nil
}

// journeyChanged takes one engine event into the inspector, after the
// root model has put its journey into Common.
//
// Which stage is shown follows one rule, so that where the inspector
// opens is predictable: while the journey streams, the stage where
// something is happening (until the user moves); when it ends, the last
// stage followed (the router, for a complete journey) or, on failure, the
// failed one.
func (m *Inspector) journeyChanged(ev trace.Event) {
	m.setVisit(m.second)
	if ev.Kind == trace.EventJourneyDone {
		if i := m.failedStage(); m.follow && i >= 0 {
			m.selectStage(i) // show where it went wrong
		}
	}
	if m.follow && m.journey != nil {
		m.followEvent(ev)
	}
	m.clampScroll()
}

// followEvent selects the stage ev happened in, and its newest exchange,
// when that is news: a stage starting, a packet arriving or waiting, or a
// stage that arrives finished further on (the server side is recorded by
// the server and handed over whole). Skips, and the end of a stage already
// passed, are not news worth jumping to.
func (m *Inspector) followEvent(ev trace.Event) {
	kind := ev.Stage
	if m.pending != nil {
		kind = m.pending.Stage
	}
	i := m.stageIndex(kind)
	if i < 0 {
		return
	}
	switch ev.Kind {
	case trace.EventStageStarted, trace.EventExchange, trace.EventPending:
	case trace.EventStageFinished:
		if st := m.journey.Stages[i].Status; i <= m.stage || st == trace.StatusSkipped || st == trace.StatusPending {
			return
		}
	default:
		return
	}
	if i != m.stage {
		m.selectStage(i)
	}
	if n := len(m.items()); n > 0 && m.item != n-1 {
		m.selectItem(n - 1)
	}
}

// failedStage is the index of the stage that failed, or -1.
func (m *Inspector) failedStage() int {
	for i, s := range m.journeyStages() {
		if s.Status == trace.StatusFailed {
			return i
		}
	}
	return -1
}

func (m *Inspector) stageIndex(k trace.StageKind) int {
	if m.journey == nil {
		return -1
	}
	for i, s := range m.journey.Stages {
		if s.Kind == k {
			return i
		}
	}
	return -1
}

// setVisit shows the second visit (--warm), when there is one and second
// is set, else the journey.
func (m *Inspector) setVisit(second bool) {
	j := m.Common.journey
	second = second && j != nil && j.Warm != nil
	if second {
		j = j.Warm
	}
	if second != m.second {
		m.stage, m.item = 0, -1 // another trace: its own stages
	}
	m.journey, m.second = j, second
}

// show selects the exchange e of stage k (the tour's current step), or
// the stage alone when e is nil or not found. The inspector then stays
// there: it no longer follows the journey.
func (m *Inspector) show(k trace.StageKind, e *trace.Exchange) {
	m.follow = false
	i := m.stageIndex(k)
	if i < 0 {
		return
	}
	m.selectStage(i)
	if e != nil {
		for n, it := range m.items() {
			if it.ex == e {
				m.selectItem(n)
				break
			}
		}
	}
	m.clampScroll()
}

// move moves by n rows in the focused pane: the pane decides what that
// means (another exchange, another field, a scroll).
func (m *Inspector) move(n int) {
	m.panes()[m.focus].Update(moveMsg(n))
}

// page is how far page up and down move: most of a pane's height.
func (m *Inspector) page() int {
	return max(1, m.height/3)
}

func (m *Inspector) selectStage(i int) {
	if m.journey == nil || len(m.journey.Stages) == 0 {
		return
	}
	i = clamp(i, 0, len(m.journey.Stages)-1)
	if i != m.stage || m.item < 0 {
		m.stage = i
		*m.scroll(focusExplain) = 0
		m.selectItem(0)
	}
}

func (m *Inspector) selectItem(i int) {
	if n := len(m.items()); n == 0 {
		i = -1
	} else {
		i = clamp(i, 0, n-1)
	}
	m.item = i
	m.node = 0
	// Start on the first message that has bytes: a server-side step may
	// have nothing in one direction.
	for k, r := range m.tree() {
		if r.field == nil {
			if msg, _, _, _ := m.nodeMessage(r); msg != nil && len(msg.Bytes) > 0 {
				m.node = k
				break
			}
		}
	}
	*m.scroll(focusBytes) = 0
	*m.scroll(focusFields) = 0
	*m.scroll(focusExplain) = 0
}

func (m *Inspector) selectNode(i int) {
	m.node = i
	*m.scroll(focusExplain) = 0
	m.revealField()
}

// Expand opens or closes the selected field.
func (m *Inspector) Expand() {
	rows := m.tree()
	if m.node < 0 || m.node >= len(rows) || !rows[m.node].kids {
		return
	}
	key := rows[m.node].key
	m.open[key] = !m.isOpen(rows[m.node])
	m.cache.treeOK = false
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return min(max(v, lo), hi)
}
