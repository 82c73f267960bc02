// Package tui owns the terminal user interface: a bubbletea program that
// walks a person through a journey as it streams in.
//
// It is built of components, as charmbracelet/bubbles and soft-serve build
// theirs: the tour (the default view: a ladder diagram of the journey's
// steps, the current step's narration and a strip of its bytes) and the
// inspector (the exchanges, field tree, bytes, explanation and waterfall
// of a stage), each with its own Update and View, sharing one Common (the
// window's size, the styles, the keys, the journey and its story). The
// root Model only routes messages and lays the components out, with a
// header line above them and the key help below.
//
// The journey's events arrive as messages through a command that waits on
// the engine's channel (no I/O in Update); in step mode the TUI holds the
// engine's gate until the user presses a key.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// Options configure the TUI.
type Options struct {
	// Start runs a journey and streams its events; the channel closes when
	// it ends. gate, if not nil, is asked before each packet leaves. Nil when
	// replaying: Replay holds the journey then.
	Start func(ctx context.Context, gate trace.Gate) <-chan trace.Event
	// Target and Mode, when Start is set, head the first frame, drawn
	// before the journey's first event brings them (issue 15: the first
	// frame names what is being walked to at once).
	Target string
	Mode   trace.Mode
	Replay *trace.Journey
	// Step holds each packet until the user lets it go; with Replay, it
	// paces the recording: the tour opens on the first step and walks on
	// only when the user presses a key.
	Step    bool
	Mouse   bool
	NoColor bool
	// Background, when set, is the terminal to ask its background colour
	// once the program holds it (background.go): the first frame does not
	// wait, and the colours follow the answer. Nil draws for a dark
	// background, or as COLORFGBG already told lipgloss.
	Background io.Writer
}

// maxFPS is bubbletea v1's highest frame rate (standard_renderer.go caps
// WithFPS there).
const maxFPS = 120

// ErrInterrupted is returned by Run when the user pressed Ctrl+C: the
// command line exits 130 then, as a shell does for an interrupted program.
var ErrInterrupted = errors.New("interrupted")

// Run shows the journey until the user quits and returns the last trace
// seen, and ErrInterrupted after Ctrl+C.
func Run(ctx context.Context, opts Options) (*trace.Journey, error) {
	if opts.Start == nil && opts.Replay == nil {
		return nil, errors.New("tui: nothing to show (neither a journey to run nor one to replay)")
	}
	m := New(ctx, opts)
	// Signals are the caller's (cli.NotifyContext cancels ctx): bubbletea's
	// own handler, racing a cancelled ctx, can block its shutdown forever.
	// At bubbletea's highest rate (120 a second, against its default 60)
	// the first frame reaches the terminal 8 ms after the start, not 17:
	// frames are drawn on a ticker, and an unchanged frame costs a
	// comparison of two strings.
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithFPS(maxFPS)}
	if opts.Mouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	if opts.Background != nil {
		m.bg = &bgReader{until: time.Now().Add(bgAnswerWait)}
		popts = append(popts, tea.WithFilter(m.bg.filter))
	}
	final, err := tea.NewProgram(m, popts...).Run()
	m.stop()
	if fm, ok := final.(*Model); ok {
		m = fm
	}
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		// A signal (SIGINT, SIGTERM) ended the program: the journey so far
		// is still the answer.
		return m.journey, ErrInterrupted
	}
	if err == nil && m.interrupted {
		err = ErrInterrupted
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
	// sendMsg asks for the packet p, shown as waiting, to be let go. A
	// component sends it; the root holds the gate.
	sendMsg struct{ p *trace.Pending }
)

// send is the command a component returns to let the packet p go.
func send(p *trace.Pending) tea.Cmd {
	return func() tea.Msg { return sendMsg{p: p} }
}

// Model is the root of the TUI: it owns the run and the Common every
// component reads, routes messages, and lays out the header, the shown
// component and the key help.
type Model struct {
	*Common
	ctx  context.Context
	opts Options
	help help.Model

	tour       *Tour
	insp       *Inspector
	inspecting bool // the inspector is shown, not the tour

	runID   int
	cancel  context.CancelFunc
	ticking bool
	gate    *stepGate

	// quitting blanks the last frame: the terminal (tmux, after a resize)
	// may carry rows of the alternate screen back to the shell's screen,
	// so the last frame leaves nothing to carry and the cursor at the top.
	quitting    bool
	interrupted bool // ctrl+c: the command line exits 130
	// bg reads the terminal's answer about its background; leaving is set
	// while quitting waits for it (background.go).
	bg      *bgReader
	leaving bool
}

// New returns the TUI's model for opts; Run wraps it in a program.
func New(ctx context.Context, opts Options) *Model {
	st := DefaultStyles(opts.NoColor)
	h := help.New()
	h.ShortSeparator = " · "
	h.FullSeparator = "   " // four columns in 80 cells
	h.Styles = helpStyles(opts.NoColor)
	c := &Common{
		st:      st,
		pt:      st.paints(),
		keys:    DefaultKeyMap(),
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:   80,
		height:  24,
		journey: opts.Replay,
		replay:  opts.Start == nil,
	}
	c.spin.Style = st.Running
	c.keys.Rerun.SetEnabled(opts.Start != nil)
	c.keys.Send.SetEnabled(false)
	m := &Model{Common: c, ctx: ctx, opts: opts, help: h}
	m.insp = newInspector(c)
	m.tour = newTour(c, opts.Step)
	m.resize()
	return m
}

// Init starts the journey, unless it is a replay.
func (m *Model) Init() tea.Cmd {
	var ask tea.Cmd
	if m.opts.Background != nil {
		ask = askBackground(m.opts.Background)
	}
	if m.opts.Start == nil {
		m.insp.selectStage(0)
		m.tour.journeyChanged(trace.Event{Kind: trace.EventJourneyDone, Journey: m.journey})
		return ask
	}
	return tea.Batch(ask, m.startRun())
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
	m.insp.follow = true
	m.tour.restart()
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

// Update routes one message: the run's own to the root, keys to the
// component shown (after the keys every view shares), the rest dropped.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
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
			m.setPending(nil)
		}
		return m, nil
	case sendMsg:
		m.Send(msg.p)
		return m, nil
	case bgMsg:
		// The terminal said: the adaptive colours resolve anew from the
		// next frame; the bytes pane's paints are reduced again.
		lipgloss.SetHasDarkBackground(msg.dark)
		m.pt = m.st.paints()
		if m.leaving {
			m.quitting = true
			return m, tea.Quit
		}
		return m, nil
	case leaveMsg:
		m.quitting = true
		return m, tea.Quit
	case spinner.TickMsg:
		if !m.running {
			m.ticking = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		return m, m.key(msg)
	case tea.MouseMsg:
		var cmd tea.Cmd
		if m.inspecting {
			_, cmd = m.insp.Update(msg)
		} else {
			_, cmd = m.tour.Update(msg)
		}
		return m, cmd
	}
	return m, nil
}

// event takes one engine event into Common, then tells each component.
func (m *Model) event(ev trace.Event) {
	if ev.Journey != nil {
		m.journey = ev.Journey
	}
	switch ev.Kind {
	case trace.EventPending:
		m.setPending(ev.Pending)
	case trace.EventJourneyDone:
		m.running = false
		m.setPending(nil)
	}
	m.tour.journeyChanged(ev)
	m.insp.journeyChanged(ev)
	if m.pending != nil && m.gate != nil && m.tour.catchingUp() {
		m.gate.open() // after r: on to the step the class was on
		m.setPending(nil)
		m.tour.pend, m.tour.extra = nil, nil
	}
}

func (m *Model) setPending(p *trace.Pending) {
	m.pending = p
	m.keys.Send.SetEnabled(p != nil)
	// Space does one thing at a time, and the help says which: on the
	// waiting step it lets the packet (or the server) go, else it walks.
	switch {
	case p != nil && serverWait(p):
		m.keys.Send.SetHelp("space", "let the server go on")
	default:
		m.keys.Send.SetHelp("space", "send packet")
	}
	if p != nil {
		m.keys.Next.SetHelp("→", "next step")
	} else {
		m.keys.Next.SetHelp("space/→", "next step")
	}
	m.resize() // the help line may change
}

// key handles the keys every view shares and hands the rest to the
// component shown.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		m.stop()
		m.interrupted = m.interrupted || msg.Type == tea.KeyCtrlC
		if d := m.bg.due(); d > 0 && !m.leaving {
			// The terminal's answer is still due: taken in now, it is
			// not echoed onto the shell's line after the program ends.
			m.leaving = true
			return tea.Tick(d, func(time.Time) tea.Msg { return leaveMsg{} })
		}
		m.quitting = true
		return tea.Quit
	case m.width < minWidth || m.height < minHeight:
		// Nothing is shown but the request for a larger window: a key
		// must not send a packet or move the tour unseen.
		return nil
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.resize()
		return nil
	case key.Matches(msg, k.Rerun):
		return m.startRun()
	case !m.inspecting && (key.Matches(msg, k.Inspect) || key.Matches(msg, k.Focus)):
		m.inspect()
		return nil
	case m.inspecting && (key.Matches(msg, k.Inspect) || msg.Type == tea.KeyEsc):
		m.backToTour()
		return nil
	}
	var cmd tea.Cmd
	if m.inspecting {
		_, cmd = m.insp.Update(msg)
	} else {
		_, cmd = m.tour.Update(msg)
	}
	return cmd
}

// inspect opens the inspector on the tour's current step.
func (m *Model) inspect() {
	m.inspecting = true
	m.resize()
	k, e := m.tour.where()
	m.insp.setVisit(m.tour.onSecond())
	if k != "" {
		m.insp.show(k, e)
	}
}

// backToTour returns to the tour, on the step the inspector shows when
// the user moved there, else where the tour was.
func (m *Model) backToTour() {
	m.inspecting = false
	m.resize()
	if s := m.insp.selected(); s != nil {
		var e *trace.Exchange
		if it, ok := m.insp.selectedItem(); ok {
			e = it.ex
		}
		m.tour.showExchange(s.Kind, e, m.insp.second)
	}
}

// Send opens the gate for the packet p when it is the one waiting.
func (m *Model) Send(p *trace.Pending) {
	if p == nil || p != m.pending || m.gate == nil {
		return
	}
	m.gate.open()
	m.tour.sent()
	m.setPending(nil)
}

// resize recomputes the body's height (the window less the header and the
// key help) and keeps every pane's scroll in range.
func (m *Model) resize() {
	m.help.Width = m.width
	helpH := strings.Count(m.helpView(max(m.width, 1)), "\n") + 1
	m.bodyH = max(0, m.height-1-helpH)
	m.insp.clampScroll()
	m.tour.clamp()
}

// View draws the screen; blank once the user quits.
func (m *Model) View() string {
	if m.quitting {
		return ""
	}
	return m.frame()
}

// frame is the screen as it is drawn while the TUI runs: the header, the
// component shown, the key help. Every row is cut to the window.
func (m *Model) frame() string {
	if m.width < minWidth || m.height < minHeight {
		return m.tooSmall()
	}
	body := m.tour.View()
	if m.inspecting {
		body = m.insp.View()
	}
	out := make([]string, 0, m.height)
	out = append(out, fit(m.header(), m.width))
	lines := strings.Split(body, "\n")
	for i := 0; i < m.bodyH; i++ {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out = append(out, fit(l, m.width))
	}
	for _, h := range strings.Split(m.helpView(m.width), "\n") {
		out = append(out, fit(h, m.width))
	}
	return strings.Join(out, "\n")
}

// serverWait reports whether p is the lab's server waiting for the class
// (step mode), not a packet of ours.
func serverWait(p *trace.Pending) bool {
	return p != nil && (p.Stage == trace.StageGateway || p.Stage == trace.StageRouter)
}

// waiting says what waits for the class: a packet of ours, or the server.
func waiting(p *trace.Pending) string {
	if serverWait(p) {
		return "the server waits"
	}
	return "a packet is waiting"
}

// tooSmall asks for a larger window, in whatever room there is.
func (m *Model) tooSmall() string {
	w, h := max(m.width, 1), max(m.height, 1)
	msg := fmt.Sprintf("The window is %dx%d: make the window larger (at least %dx%d). q quits.", m.width, m.height, minWidth, minHeight)
	lines := strings.Split(ansi.Wrap(msg, w, ""), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return strings.Join(lines, "\n")
}

// header is the first line: target, mode, state and total time.
func (m *Model) header() string {
	j := m.journey
	mode, target := "", ""
	switch {
	case j != nil:
		mode, target = safetext.Line(string(j.Mode)), safetext.Line(facts.Shorten(j.Target, facts.MaxHeaderTarget))
	case m.opts.Target != "":
		mode, target = safetext.Line(string(m.opts.Mode)), safetext.Line(facts.Shorten(m.opts.Target, facts.MaxHeaderTarget))
	}
	if m.replay {
		mode = "replay"
		if m.opts.Step {
			mode = "replay, step by step"
		}
	}
	left := m.st.Header.Render("journey") + " · " + mode + " · " + target
	var state string
	switch {
	case m.pending != nil && !m.inspecting && !m.tour.isPending(m.tour.cur):
		state = m.st.Running.Render("⏸ " + waiting(m.pending) + " · space walks to it")
	case m.pending != nil && serverWait(m.pending):
		state = m.st.Running.Render("⏸ step: the server waits · space lets it go on")
	case m.pending != nil:
		state = m.st.Running.Render("⏸ step: a packet is waiting · space sends it")
	case m.running:
		state = m.spin.View() + " running"
	case j == nil:
		state = "starting"
	case j.Error != "":
		state = m.st.Bad.Render("✗ failed") + " after " + trace.Dur(j.Duration)
	default:
		state = m.st.Good.Render("✓ complete") + " in " + trace.Dur(j.Duration)
	}
	// The state and the time matter more than the end of a long target.
	return spread(left, state, m.width)
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
