// Package tui owns the terminal user interface: a bubbletea program that
// walks a person through a journey as it streams in. The journey's events
// arrive as messages through a command that waits on the engine's channel
// (no I/O in Update); in step mode the TUI holds the engine's gate until
// the user presses a key. Panes: a header, the stages as a timeline, the
// exchanges of the selected stage, the field tree and the bytes of the
// selected message (the selected field highlighted), the explanation from
// package explain, a waterfall and the key help.
package tui

import (
	"context"
	"errors"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

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
	if opts.Start == nil && opts.Replay == nil {
		return nil, errors.New("tui: nothing to show (neither a journey to run nor one to replay)")
	}
	m := New(ctx, opts)
	// Signals are the caller's (cli.NotifyContext cancels ctx): bubbletea's
	// own handler, racing a cancelled ctx, can block its shutdown forever.
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithoutSignalHandler()}
	if opts.Mouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	final, err := tea.NewProgram(m, popts...).Run()
	m.stop()
	if fm, ok := final.(*Model); ok {
		m = fm
	}
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil // the user's interrupt: the journey so far is still the answer
	}
	return m.journey, err
}

// Messages of one run carry the run's ID, so that after r the events of
// the run it replaced are dropped.
type (
	runStartedMsg struct {
		id int
		ch <-chan trace.Event
	}
	eventMsg struct {
		id int
		ch <-chan trace.Event
		ev trace.Event
	}
	runEndedMsg struct{ id int }
)

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

// Model is the TUI's state. It is a pointer so View can keep caches.
type Model struct {
	ctx    context.Context
	opts   Options
	keys   KeyMap
	st     Styles
	pt     paints
	help   help.Model
	spin   spinner.Model
	width  int
	height int

	journey *trace.Journey
	runID   int
	cancel  context.CancelFunc
	running bool
	ticking bool
	gate    *stepGate
	pending *trace.Pending

	// quitting blanks the last frame: the terminal (tmux, after a resize)
	// may carry rows of the alternate screen back to the shell's screen,
	// so the last frame leaves nothing to carry and the cursor at the top.
	quitting bool

	follow bool // select what arrives, until the user moves
	stage  int  // index into journey.Stages
	item   int  // index into the selected stage's items
	node   int  // index into the field tree's visible rows
	open   map[string]bool
	focus  focus
	flip   bool // x: the other of hex and text
	top    [focusCount]int

	cache cache
}

// New returns the TUI's model for opts; Run wraps it in a program.
func New(ctx context.Context, opts Options) *Model {
	st := DefaultStyles(opts.NoColor)
	h := help.New()
	h.ShortSeparator = " · "
	h.FullSeparator = "   " // four columns in 80 cells
	h.Styles = helpStyles(opts.NoColor)
	m := &Model{
		ctx:     ctx,
		opts:    opts,
		keys:    DefaultKeyMap(),
		st:      st,
		pt:      st.paints(),
		help:    h,
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:   80,
		height:  24,
		follow:  true,
		item:    -1,
		open:    map[string]bool{},
		journey: opts.Replay,
	}
	m.spin.Style = st.Running
	m.keys.Rerun.SetEnabled(opts.Start != nil)
	m.keys.Send.SetEnabled(false)
	return m
}

// Init starts the journey, unless it is a replay.
func (m *Model) Init() tea.Cmd {
	if m.opts.Start == nil {
		m.selectStage(0)
		return nil
	}
	return m.startRun()
}

// startRun begins a fresh run, cancelling the one before.
func (m *Model) startRun() tea.Cmd {
	m.stop()
	m.runID++
	id := m.runID
	ctx, cancel := context.WithCancel(m.ctx)
	m.cancel = cancel
	var gate trace.Gate
	m.gate = nil
	if m.opts.Step {
		m.gate = newStepGate()
		gate = m.gate.wait
	}
	m.pending = nil
	m.keys.Send.SetEnabled(false)
	m.running = true
	m.follow = true
	start := m.opts.Start
	cmds := []tea.Cmd{func() tea.Msg { return runStartedMsg{id: id, ch: start(ctx, gate)} }}
	if !m.ticking {
		m.ticking = true
		cmds = append(cmds, m.spin.Tick)
	}
	return tea.Batch(cmds...)
}

// stop cancels the current run, if any.
func (m *Model) stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// waitEvent waits for the run's next event: the only place the TUI blocks,
// and it runs outside Update.
func waitEvent(id int, ch <-chan trace.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return runEndedMsg{id: id}
		}
		return eventMsg{id: id, ch: ch, ev: ev}
	}
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.clampScroll()
		return m, nil
	case runStartedMsg:
		if msg.id != m.runID {
			return m, nil
		}
		return m, waitEvent(msg.id, msg.ch)
	case eventMsg:
		if msg.id != m.runID {
			return m, nil
		}
		m.event(msg.ev)
		return m, waitEvent(msg.id, msg.ch)
	case runEndedMsg:
		if msg.id == m.runID {
			m.running = false
			m.pending = nil
			m.keys.Send.SetEnabled(false)
		}
		return m, nil
	case spinner.TickMsg:
		if !m.running {
			m.ticking = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		return m.key(msg)
	case tea.MouseMsg:
		// Only with --mouse: the wheel scrolls the focused pane.
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			m.move(mouseStep)
		case tea.MouseButtonWheelUp:
			m.move(-mouseStep)
		}
		m.clampScroll()
		return m, nil
	}
	return m, nil
}

// event takes one engine event into the model.
//
// Which stage is shown follows one rule, so that where the TUI opens is
// predictable: while the journey streams, the stage where something is
// happening (until the user moves); when it ends, the last stage followed
// (the router, for a complete journey) or, on failure, the failed one. A
// replay opens on stage 0 (Init).
func (m *Model) event(ev trace.Event) {
	if ev.Journey != nil {
		m.journey = ev.Journey
	}
	switch ev.Kind {
	case trace.EventPending:
		m.pending = ev.Pending
		m.keys.Send.SetEnabled(true)
	case trace.EventJourneyDone:
		m.running = false
		m.pending = nil
		m.keys.Send.SetEnabled(false)
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
func (m *Model) followEvent(ev trace.Event) {
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
func (m *Model) failedStage() int {
	for i, s := range m.journeyStages() {
		if s.Status == trace.StatusFailed {
			return i
		}
	}
	return -1
}

func (m *Model) stageIndex(k trace.StageKind) int {
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

// key handles one key press.
func (m *Model) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		m.stop()
		m.quitting = true
		return m, tea.Quit
	case key.Matches(msg, k.Send) && m.pending != nil:
		m.Send()
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
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
		m.top[focusBytes] = 0
		m.revealField()
	case key.Matches(msg, k.Rerun):
		return m, m.startRun()
	}
	m.clampScroll()
	return m, nil
}

// Send opens the gate for the packet waiting in step mode.
func (m *Model) Send() {
	if m.pending == nil || m.gate == nil {
		return
	}
	m.gate.open()
	m.pending = nil
	m.keys.Send.SetEnabled(false)
}

// move moves by n rows in the focused pane.
func (m *Model) move(n int) {
	switch m.focus {
	case focusExchanges:
		m.follow = false
		m.selectItem(clamp(m.item+n, 0, len(m.items())-1))
	case focusFields:
		m.selectNode(clamp(m.node+n, 0, len(m.tree())-1))
	default:
		m.top[m.focus] += n
	}
}

// page is how far page up and down move: most of a pane's height.
func (m *Model) page() int {
	return max(1, m.height/3)
}

func (m *Model) selectStage(i int) {
	if m.journey == nil || len(m.journey.Stages) == 0 {
		return
	}
	i = clamp(i, 0, len(m.journey.Stages)-1)
	if i != m.stage || m.item < 0 {
		m.stage = i
		m.top[focusExplain] = 0
		m.selectItem(0)
	}
}

func (m *Model) selectItem(i int) {
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
	m.top[focusBytes] = 0
	m.top[focusFields] = 0
	m.top[focusExplain] = 0
}

func (m *Model) selectNode(i int) {
	m.node = i
	m.top[focusExplain] = 0
	m.revealField()
}

// Expand opens or closes the selected field.
func (m *Model) Expand() {
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

// stepGate holds each packet of a step-mode run until the user lets it go.
type stepGate struct{ ch chan struct{} }

func newStepGate() *stepGate { return &stepGate{ch: make(chan struct{}, 1)} }

// wait is the trace.Gate: it returns when the user sends the packet or the
// run is cancelled.
func (g *stepGate) wait(ctx context.Context, _ trace.Pending) error {
	select {
	case <-g.ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// open lets one packet go. Update calls it only while a packet is shown as
// pending, so no token is ever left for a packet not yet shown.
func (g *stepGate) open() {
	select {
	case g.ch <- struct{}{}:
	default:
	}
}
