package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/explain"
	"journey/internal/safetext"
	"journey/internal/story"
	"journey/internal/trace"
	"journey/internal/waterfall"
)

// The tour is the TUI's default view: the journey as its story, one step
// at a time. On top the ladder (ladder.go), under it the current step's
// narration in full and a strip of its bytes with the lesson's field
// highlighted (narration.go); on the page step, the page.
//
// Where the tour stands follows a few rules, so that a person reading is
// never pulled away:
//   - a journey opens on its first step; steps that stream in are added
//     below without moving the current one;
//   - in step mode (a run with --step, or a paced replay) only the steps
//     reached so far are drawn, and space reveals the next; the packet
//     waiting to leave is the last step, and space on it sends it; once
//     sent, the tour moves to what came back (the reply) and stays there;
//   - r runs again and comes back to the same step (in step mode, the
//     packets before it leave without waiting).

// Tour is the tour component. Its parts, the ladder and the narration,
// read it; it reads Common.
type Tour struct {
	*Common
	stepMode bool // --step, or a paced replay

	story *story.Story
	pend  *story.Step // the packet waiting to leave, as a step (step mode)
	// gone marks pend as let go, kept until the journey's next event
	// records it (or what answers it): the step does not vanish between.
	gone    bool
	extra   []story.Party // its party, when the story has not met it yet
	cur     int           // the current step
	id      string        // the current step's ID (story.Step.ID), to find it again as steps stream in
	reached int           // step mode: the last step revealed
	want    int           // after r: the step to come back to, or -1
	sentAt  int           // step mode: the step that was sent and awaits what comes back, or -1
	// sentHeld: what was let go at sentAt was the server's wait, not a
	// packet of ours: the step that takes its place is what the class
	// has not seen yet (the gateway reading the request, the response).
	sentHeld bool
	zoom     bool // z: the ladder (or, on the page step, the page) fills the body

	// The tour's parts, components of their own.
	ladder    *Ladder
	narration *Narration
	strip     *Strip
}

func newTour(c *Common, stepMode bool) *Tour {
	return &Tour{Common: c, stepMode: stepMode, want: -1, sentAt: -1,
		ladder: &Ladder{Common: c}, narration: &Narration{Common: c}, strip: &Strip{Common: c}}
}

// count is how many steps the tour has now: the story's, and the packet
// waiting to leave.
func (t *Tour) count() int {
	n := 0
	if t.story != nil {
		n = len(t.story.Steps)
	}
	if t.pend != nil {
		n++
	}
	return n
}

// visible is how many steps are drawn: in step mode only those reached.
func (t *Tour) visible() int {
	n := t.count()
	if t.stepMode {
		n = min(n, t.reached+1)
	}
	return n
}

// stepAt is step i: the story's, or the pending packet after them.
func (t *Tour) stepAt(i int) *story.Step {
	if t.story != nil && i >= 0 && i < len(t.story.Steps) {
		return &t.story.Steps[i]
	}
	if t.pend != nil && t.story != nil && i == len(t.story.Steps) {
		return t.pend
	}
	return nil
}

// current is the current step (for the ladder).
func (t *Tour) current() int { return t.cur }

// storyOf is the story the tour shows (for the ladder).
func (t *Tour) storyOf() *story.Story { return t.story }

// waiting reports whether step i is the packet waiting to leave, or the
// one just let go whose record is not in yet.
func (t *Tour) waiting(i int) bool {
	return t.pend != nil && t.story != nil && i == len(t.story.Steps)
}

// isPending reports whether step i is the packet waiting to leave.
func (t *Tour) isPending(i int) bool {
	return t.pend != nil && !t.gone && t.story != nil && i == len(t.story.Steps)
}

// restart is called when r starts a new run: the tour comes back to the
// step it is on once the new run has got there (in step mode, the packets
// before it are let go without waiting: catchingUp).
func (t *Tour) restart() {
	if t.want < 0 {
		// A second r while the first run is still catching up keeps
		// the step the class was on, not where the catching up is.
		t.want = t.cur
	}
	t.sentAt = -1
}

// catchingUp reports whether the packet waiting should leave at once: in
// step mode after r, while the new run has not reached the step the class
// was on.
func (t *Tour) catchingUp() bool {
	return t.stepMode && t.want >= 0 && t.pend != nil && !t.gone && t.story != nil && len(t.story.Steps) < t.want
}

// sent is called when the packet shown as pending was let go.
func (t *Tour) sent() {
	t.sentAt = t.cur
	t.sentHeld = serverWait(t.pending)
	if t.pend != nil && t.pending != nil && t.story != nil {
		// Shown as gone until the next event brings its record.
		t.pend, t.extra = pendingStep(t.story, t.pending, true)
		t.gone = true
	}
}

// journeyChanged rebuilds the story from the journey in Common and puts
// the tour back on the step it was on.
func (t *Tour) journeyChanged(ev trace.Event) {
	if t.journey == nil {
		return
	}
	t.story = story.Build(t.journey)
	// The packet let go stays shown until the story holds its record (an
	// event that says something else, a note, does not drop it).
	keep := t.gone && t.pend != nil && t.pending == nil && t.sentAt >= len(t.story.Steps)
	if !keep {
		t.pend, t.extra, t.gone = nil, nil, false
	}
	if t.pending != nil {
		t.pend, t.extra = pendingStep(t.story, t.pending, false)
	}
	n := len(t.story.Steps)
	// Find the current step again: the story may have gained a step
	// before it. Not while a packet just sent awaits what comes back (the
	// current step was the packet, which has no ID; sentAt says where).
	if t.id != "" && t.want < 0 && t.sentAt < 0 {
		if i := t.story.Find(t.id); i >= 0 {
			if t.stepMode && t.reached >= t.cur {
				t.reached += i - t.cur
			}
			t.cur = i
		}
	}
	switch {
	case t.want >= 0:
		// Coming back after r: as close as the new run has got.
		t.cur = min(t.want, max(t.count()-1, 0))
		if t.want < t.count() {
			t.want = -1
		}
		t.reached = max(t.reached, t.cur)
	case t.sentAt >= 0 && (ev.Kind == trace.EventPending || ev.Kind == trace.EventJourneyDone):
		// The journey waits again (or has ended): everything the packet
		// just sent brought back is in the story. The tour shows the
		// first step after the packet, what came back, and stays there
		// until space; when nothing came back as a step of its own (a TCP
		// connect), the packet sent. After the server's wait, the step in
		// its place is the news: the gateway reading, the response.
		t.cur = min(t.sentAt, max(t.count()-1, 0))
		if n > t.sentAt+1 && !t.sentHeld {
			t.cur = t.sentAt + 1
		}
		t.reached = max(t.reached, t.cur)
		t.sentAt = -1
	case t.sentAt >= 0:
		// In between: stay on the packet sent, now in the story.
		t.cur = min(t.sentAt, max(t.count()-1, 0))
	}
	t.setCur(t.cur)
}

// setCur moves to step i (clamped) and keeps it in view.
func (t *Tour) setCur(i int) {
	n := t.count()
	if n == 0 {
		t.cur = 0
		return
	}
	if t.stepMode {
		// reached is not lowered when the story is shorter for a moment
		// (a packet sent, not yet recorded): the steps come back.
		t.reached = max(t.reached, 0)
		i = min(i, t.reached)
	}
	i = clamp(i, 0, n-1)
	if i != t.cur {
		t.strip.scroll = 0
		t.ladder.free = false
	}
	t.cur = i
	if st := t.stepAt(i); st != nil && !t.waiting(i) {
		t.id = st.ID
	}
	t.clamp()
}

// Update handles a key: walking the steps, zooming, sending.
func (t *Tour) Update(msg tea.Msg) (*Tour, tea.Cmd) {
	if mm, ok := msg.(tea.MouseMsg); ok {
		// Only with --mouse: the wheel walks the steps, never sends.
		switch mm.Button {
		case tea.MouseButtonWheelDown:
			t.Next()
		case tea.MouseButtonWheelUp:
			t.setCur(t.cur - 1)
		}
		return t, nil
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return t, nil
	}
	k := t.keys
	switch {
	case key.Matches(km, k.Next):
		if t.isPending(t.cur) && km.String() == " " {
			return t, send(t.pending)
		}
		t.Next()
	case key.Matches(km, k.Send) && t.isPending(t.cur):
		return t, send(t.pending)
	case key.Matches(km, k.Back):
		t.setCur(t.cur - 1)
	case key.Matches(km, k.First):
		t.setCur(0)
	case key.Matches(km, k.Last):
		t.setCur(t.visible() - 1)
	case key.Matches(km, k.Stage):
		t.toStage(int(km.Runes[0] - '0'))
	case key.Matches(km, k.Zoom):
		t.zoom = !t.zoom
		t.strip.scroll = 0
		t.ladder.free = false
	case key.Matches(km, k.Down, k.Up, k.PageDown, k.PageUp):
		// Scrolling: the page (the waterfall) on its step, else the ladder.
		if st := t.stepAt(t.cur); fills(st) {
			t.strip.Update(km)
		} else {
			t.ladder.Update(km)
		}
	}
	t.clamp()
	return t, nil
}

// Next moves to the next step, revealing it in step mode.
func (t *Tour) Next() {
	if t.stepMode && t.cur == t.reached && t.reached+1 < t.count() {
		t.reached++
	}
	t.setCur(t.cur + 1)
}

// toStage moves to the first step of stage d (0–5), revealing the steps
// up to it in step mode.
func (t *Tour) toStage(d int) {
	if t.story == nil || d < 0 || d >= len(trace.StageOrder) {
		return
	}
	i := t.story.FirstOf(trace.StageOrder[d])
	if i < 0 {
		return
	}
	if t.stepMode {
		t.reached = max(t.reached, i)
	}
	t.setCur(i)
}

// where is the current step's stage and exchange, for the inspector.
func (t *Tour) where() (trace.StageKind, *trace.Exchange) {
	if t.isPending(t.cur) {
		return t.pending.Stage, nil
	}
	st := t.stepAt(t.cur)
	if st == nil {
		return "", nil
	}
	if st.Exchange != nil && st.ExchangeStage != "" {
		return st.ExchangeStage, st.Exchange // the response written is the router stage's exchange
	}
	return st.Stage, st.Exchange
}

// onSecond reports whether the current step is the second visit's (--warm).
func (t *Tour) onSecond() bool {
	st := t.stepAt(t.cur)
	return st != nil && st.Second
}

// showExchange moves to the first step of exchange e of stage k (back from
// the inspector), unless the current step already shows it.
func (t *Tour) showExchange(k trace.StageKind, e *trace.Exchange, second bool) {
	if t.story == nil {
		return
	}
	if sk, se := t.where(); sk == k && se == e && t.onSecond() == second {
		return
	}
	for i := range t.story.Steps {
		if st := &t.story.Steps[i]; e != nil && st.Exchange == e {
			t.revealTo(i)
			return
		}
	}
	// The stage's first step, in the visit the inspector showed (--warm):
	// its second visit's steps follow the first visit's.
	first := -1
	for i, st := range t.story.Steps {
		if st.Second == second && (st.Stage == k || st.ExchangeStage == k) {
			first = i
			break
		}
	}
	if first < 0 && second {
		for i, st := range t.story.Steps {
			if st.Second {
				first = i // the second visit's start: its stage has no step
				break
			}
		}
	}
	if first < 0 {
		first = t.story.FirstOf(k)
	}
	if first >= 0 {
		t.revealTo(first)
	}
}

func (t *Tour) revealTo(i int) {
	if t.stepMode {
		t.reached = max(t.reached, i)
	}
	t.setCur(i)
}

// pendingStep is the packet waiting to leave as a step of the story, and
// the party it goes to when the story has not met it yet.
func pendingStep(s *story.Story, p *trace.Pending, gone bool) (*story.Step, []story.Party) {
	name, addr := safetext.Line(p.Peer.Name), safetext.Line(p.Peer.Addr)
	var extra []story.Party
	find := func(kind story.PartyKind, match func(story.Party) bool) int {
		for i, q := range s.Parties {
			if q.Kind == kind && match(q) {
				return i
			}
		}
		n := name
		switch kind {
		case story.PartyGateway, story.PartyRouter, story.PartyView:
			n = string(kind) // inside the server: named by its role, as the story names them
		case story.PartyServer:
			if n == "" {
				n = "web server"
			}
		}
		extra = append(extra, story.Party{Kind: kind, Name: orDash(n), Addr: addr})
		return len(s.Parties) + len(extra) - 1
	}
	any := func(story.Party) bool { return true }
	from, to := 0, 0
	switch p.Stage {
	case trace.StageDNS:
		to = find(story.PartyDNS, func(q story.Party) bool { return (addr != "" && q.Addr == addr) || (addr == "" && q.Name == name) })
	case trace.StageGateway:
		from, to = find(story.PartyServer, any), find(story.PartyGateway, any)
	case trace.StageRouter:
		from, to = find(story.PartyGateway, any), find(story.PartyServer, any)
	default:
		to = find(story.PartyServer, any)
	}
	title := "about to send"
	narration := explain.Pending(p)
	if serverWait(p) {
		// The server waits for the class: nothing is sent by us.
		title = "the server waits"
		narration = p.Why + " The server waits for the class: press space to go on."
	}
	if gone {
		title = "sent"
		if serverWait(p) {
			title = "the server goes on"
		}
	}
	if p.Why != "" {
		title += ": " + safetext.Line(p.Why)
	}
	stage := p.Stage
	if stage == trace.StageRouter {
		// The response about to leave the server is the gateway's to
		// send, as the step before it, the response written, is.
		stage = trace.StageGateway
	}
	st := &story.Step{
		Stage: stage, From: from, To: to, ExchangeIndex: -1,
		Bytes: p.Bytes, Fields: p.Fields, Title: "▶ " + title,
		Narration: safetext.Text(narration),
	}
	st.Lesson = pendingLesson(p.Fields)
	return st, extra
}

// clamp keeps the current step in the ladder's view and every scroll in
// range.
func (t *Tour) clamp() {
	l := t.layout()
	t.ladder.keepInView(t.cur, t.visible(), l.arrows)
	t.strip.scroll = clamp(t.strip.scroll, 0, max(0, l.scrollMax))
}

// tourLayout is how the body's rows are shared: the ladder (its lane
// names and arrows), the narration, and the bytes strip or the page.
type tourLayout struct {
	board     board
	names     int
	arrows    int
	narration []string // wrapped, the step's title first
	strip     int      // rows of the bytes strip or the page, its title included
	scrollMax int
}

// layout shares the body among the parts: the narration first, in full;
// then the ladder, as many rows as it has up to what leaves the strip
// its rows; then the strip.
func (t *Tour) layout() tourLayout {
	var l tourLayout
	w, h := t.width, t.bodyH
	if t.story == nil || w < minWidth || h <= 0 {
		return l
	}
	l.board = newBoard(t.story, t.extra, w, t.hasDNS())
	l.names = l.board.names
	st := t.stepAt(t.cur)
	l.narration = t.narration.View(t.heading(st), st, w)
	if t.zoom {
		if fills(st) {
			l.strip = h
			l.scrollMax = t.stripLines(st) - (h - 1)
		} else {
			l.arrows = h - l.names
			l.scrollMax = 0
		}
		return l
	}
	rest := h - len(l.narration) - 1 // a blank row between ladder and narration
	want := t.visible()
	stripWant := t.strip.Want(st, w)
	switch {
	case fills(st):
		// The page (or the waterfall) is what the step shows: the ladder
		// keeps a few rows, and the rows the strip does not need.
		ladder := min(want+l.names, max(l.names+3, rest/4))
		l.strip = min(max(0, rest-ladder), t.stripLines(st)+1)
		l.scrollMax = t.stripLines(st) - (l.strip - 1)
	case stripWant > 0:
		l.strip = min(stripWant, max(3, rest-(want+l.names)))
		if rest-l.strip < l.names+3 { // the ladder needs a few rows too
			l.strip = max(0, min(l.strip, rest-(l.names+3)))
		}
		if l.strip < 2 {
			l.strip = 0
		}
	}
	l.arrows = max(0, rest-l.strip-l.names)
	return l
}

// stripLines is how many lines a filling strip has to scroll through.
func (t *Tour) stripLines(st *story.Step) int {
	if st.Page != nil {
		return len(pageLines(st.Page))
	}
	return len(waterfall.Rows(visitOf(t.journey, st)))
}

// hasDNS reports whether the journey has a DNS stage that ran: the ladder
// then has a lane for the DNS servers from the start.
func (t *Tour) hasDNS() bool {
	if t.journey == nil {
		return false
	}
	s := t.journey.Stage(trace.StageDNS)
	return s != nil && s.Status != trace.StatusSkipped
}

// View draws the tour: the ladder, a blank row, the narration, the strip.
func (t *Tour) View() string {
	w, h := t.width, t.bodyH
	if t.story == nil || t.count() == 0 {
		return t.st.Dim.Render(" waiting for the journey to start…")
	}
	l := t.layout()
	st := t.stepAt(t.cur)
	if t.zoom {
		if fills(st) {
			return strings.Join(t.strip.View(st, w, h, true), "\n")
		}
		return strings.Join(t.ladder.View(t, l.board, w, h), "\n")
	}
	out := make([]string, 0, h)
	out = append(out, t.ladder.View(t, l.board, w, l.names+l.arrows)...)
	out = append(out, "")
	out = append(out, l.narration...)
	if l.strip > 0 {
		out = append(out, t.strip.View(st, w, l.strip, false)...)
	}
	return strings.Join(out, "\n")
}

// heading is the narration's first line: which step of how many, its
// stage, who sends to whom, how long.
func (t *Tour) heading(st *story.Step) string {
	if st == nil {
		return ""
	}
	head := fmt.Sprintf("step %d of %d", t.cur+1, t.visible())
	if t.running || t.stepMode && t.visible() < t.count() {
		head = fmt.Sprintf("step %d of %d so far", t.cur+1, t.visible())
	}
	if i := st.Stage.Index(); i >= 0 {
		head += fmt.Sprintf(" · %d %s", i, stageTitle(st.Stage))
	}
	if p := t.parties(st); p != "" {
		head += " · " + p
	}
	if d := trace.Dur(st.Duration); st.Duration > 0 && d != trace.Dur(0) {
		head += " · " + d
	}
	if t.isPending(t.cur) && serverWait(t.pending) {
		head += " · space lets it go on"
	} else if t.isPending(t.cur) {
		head += " · space sends it"
	}
	return head
}

// parties names who sends and who receives: "you → a.root-servers.net".
func (t *Tour) parties(st *story.Step) string {
	ps := append(append([]story.Party{}, t.story.Parties...), t.extra...)
	name := func(i int) string {
		if i < 0 || i >= len(ps) {
			return "?"
		}
		return ps[i].Name
	}
	if st.From == st.To {
		return name(st.From)
	}
	return name(st.From) + " → " + name(st.To)
}

// pendingLesson is the field of a packet waiting to leave that says what
// it asks: a DNS question, an HTTP request line; else its first field.
func pendingLesson(fs []trace.Field) *trace.Field {
	for i := range fs {
		n := strings.ToLower(fs[i].Name)
		if strings.HasPrefix(n, "question") || strings.HasPrefix(n, "request line") {
			return &fs[i]
		}
	}
	if len(fs) > 0 {
		return &fs[0]
	}
	return nil
}
