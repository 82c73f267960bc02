package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"journey/internal/story"
	"journey/internal/trace"
)

// The ladder is the tour's diagram of the journey, as a teacher draws it
// on the board and Wireshark's flow graph shows it: one vertical lane per
// party, one row per step, an arrow from the sender's lane to the
// receiver's, the step's time on the left and its label on the right.

// Ladder sizes, in cells.
const (
	timeW       = 10 // the current step's mark and "1234.5 ms"
	minGap      = 6  // between two lanes: room for an arrow ├────▶│
	maxGap      = 20 // wider lanes only spread the diagram out
	ladderShare = 2  // the ladder takes half the width on a narrow screen, the labels the rest
	maxLabelW   = 60 // on a wide one, labels get this much and the ladder the rest
	minLabelW   = 12 // a label keeps at least a few words
	laneNameGap = 1  // cells between two lane names on one row
)

// lane is one vertical line of the ladder.
type lane struct {
	name  string // safe to print
	short string // the lane's role, when its name does not fit: "DNS", "server"
	x     int    // column within the ladder area
}

// board is the ladder's geometry for one window width: the lanes, where
// each party of the story is drawn, and the label column.
type board struct {
	lanes   []lane
	of      []int // story party index → lane index
	ladderW int
	labelW  int
	merged  bool // every DNS server shares one lane: labels name the server
	names   int  // rows of lane names: 1, or 2 when they alternate
}

// fixedParties are the lanes the ladder always has, so the board does not
// shift as the journey streams in: you, the web server, and inside it the
// gateway, the router and the view. DNS servers go between you and the
// web server.
func newBoard(s *story.Story, extra []story.Party, w int, hasDNS bool) board {
	parties := append(append([]story.Party{}, s.Parties...), extra...)
	var dns []int
	for i, p := range parties {
		if p.Kind == story.PartyDNS {
			dns = append(dns, i)
		}
	}
	hasDNS = hasDNS || len(dns) > 0
	var shorts []string
	// Which lanes: you, then the DNS servers (each, or one for all), then
	// the server's four.
	build := func(merged bool) ([]string, []int) {
		names := []string{"you"}
		shorts = []string{"you"}
		of := make([]int, len(parties))
		dnsLane := -1
		if hasDNS && (merged || len(dns) == 0) {
			names = append(names, "DNS servers")
			shorts = append(shorts, "DNS")
			dnsLane = len(names) - 1
		}
		for _, i := range dns {
			if merged {
				of[i] = dnsLane
				continue
			}
			names = append(names, parties[i].Name)
			shorts = append(shorts, "DNS")
			of[i] = len(names) - 1
		}
		server := "web server"
		for _, p := range parties {
			if p.Kind == story.PartyServer && p.Name != "" {
				server = p.Name
				break
			}
		}
		base := len(names)
		names = append(names, server, "gateway", "router", "view")
		shorts = append(shorts, "server", "gateway", "router", "view")
		for i, p := range parties {
			switch p.Kind {
			case story.PartyServer:
				of[i] = base
			case story.PartyGateway:
				of[i] = base + 1
			case story.PartyRouter:
				of[i] = base + 2
			case story.PartyView:
				of[i] = base + 3
			case story.PartyDNS:
			default:
				of[i] = 0
			}
		}
		return names, of
	}
	room := max(w/ladderShare, w-maxLabelW) - timeW - 2
	names, of := build(false)
	merged := false
	if len(dns) > 1 && (len(names)-1)*minGap+1 > room {
		names, of = build(true)
		merged = true
	}
	b := board{of: of, merged: merged}
	n := len(names)
	gap := clamp((room-1)/max(n-1, 1), 3, maxGap)
	// On a narrow window the lanes keep at least the room their roles
	// need on two alternating rows ("gateway" whole, not "ga…ay"), as long
	// as the labels keep a few words.
	longest := 0
	for _, sh := range shorts {
		longest = max(longest, ansi.StringWidth(sh))
	}
	if need := (longest + laneNameGap + 1) / 2; gap < need && w-timeW-2-((n-1)*need+1) >= minLabelW {
		gap = need
	}
	b.ladderW = (n-1)*gap + 1
	b.labelW = max(0, w-timeW-2-b.ladderW)
	for i, name := range names {
		b.lanes = append(b.lanes, lane{name: name, short: shorts[i], x: i * gap})
	}
	// One row of names when every name fits between its lane and the
	// next; else two, where each name has twice the room.
	b.names = 1
	for _, l := range b.lanes {
		if ansi.StringWidth(l.name) > gap-laneNameGap {
			b.names = 2
		}
	}
	return b
}

// laneOf is the lane of party p of the story (or of the extra parties
// after them), you when unknown.
func (b board) laneOf(p int) int {
	if p < 0 || p >= len(b.of) {
		return 0
	}
	return b.of[p]
}

// nameRows are the lane names over the lanes: one row when every name
// fits between its lane and the next, else two rows where the names
// alternate, each with twice the room. A name still too long is cut in
// the middle, so both ends stay recognisable (a.root…ers.net).
func (b board) nameRows(w int) []string {
	rows := make([][]rune, b.names)
	for r := range rows {
		rows[r] = []rune(strings.Repeat(" ", w))
	}
	room := w - timeW - 1
	for i, l := range b.lanes {
		row := i % b.names
		span := b.span(i)
		name := l.name
		if ansi.StringWidth(name) > span {
			name = l.short
		}
		name = middleCut(name, span)
		nw := ansi.StringWidth(name)
		// Centred on the lane, kept inside the row.
		start := timeW + 1 + l.x - nw/2
		start = clamp(start, timeW+1, timeW+1+room-nw)
		if i == 0 {
			start = timeW + 1 + l.x
		}
		col := 0
		for _, r := range name {
			if p := start + col; p >= 0 && p < len(rows[row]) {
				rows[row][p] = r
			}
			col++
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = string(r)
	}
	return out
}

// span is how many cells lane i's name may take: up to the next name on
// its row, less a space.
func (b board) span(i int) int {
	step := b.names
	left, right := -1<<30, 1<<30
	if i-step >= 0 {
		left = b.lanes[i-step].x
	}
	if i+step < len(b.lanes) {
		right = b.lanes[i+step].x
	}
	x := b.lanes[i].x
	gap := min(x-left, right-x)
	if gap >= 1<<29 {
		gap = maxGap * 2
	}
	return max(3, gap-laneNameGap)
}

// middleCut shortens s to w cells by cutting its middle: a.root…ers.net
// says more than a.root-serv… about which server it is. Names here are
// plain (no escapes), and one cell per rune but for wide ones.
func middleCut(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	rs := []rune(s)
	if w < 3 || len(rs) < 3 {
		return ansi.Truncate(s, w, "")
	}
	head := (w - 1 + 1) / 2
	tail := w - 1 - head
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// Glyphs of the ladder.
const (
	glyphLane   = '│'
	glyphLine   = '─'
	glyphLost   = '╌'
	glyphRight  = '▶'
	glyphLeft   = '◀'
	glyphSelf   = '●'
	glyphFailed = '✗'
	glyphCross  = '┼'
	glyphFrom   = '├'
	glyphFromL  = '┤'
)

// arrowRow is the ladder area of one step: the lanes, and an arrow from
// lane a to lane b (a dot when they are the same). lost draws the line
// dashed and ends it with ✗: a packet that got no reply.
func (b board) arrowRow(a, c int, lost bool) string {
	row := []rune(strings.Repeat(" ", b.ladderW))
	for _, l := range b.lanes {
		row[l.x] = glyphLane
	}
	if a < 0 || a >= len(b.lanes) || c < 0 || c >= len(b.lanes) {
		return string(row)
	}
	xa, xc := b.lanes[a].x, b.lanes[c].x
	line := glyphLine
	if lost {
		line = glyphLost
	}
	switch {
	case xa == xc:
		row[xa] = glyphSelf
	case xa < xc:
		row[xa] = glyphFrom
		for x := xa + 1; x < xc; x++ {
			if row[x] == glyphLane {
				row[x] = glyphCross
			} else {
				row[x] = line
			}
		}
		row[xc-1] = glyphRight
		if lost {
			row[xc-1] = glyphFailed
		}
	default:
		row[xa] = glyphFromL
		for x := xc + 1; x < xa; x++ {
			if row[x] == glyphLane {
				row[x] = glyphCross
			} else {
				row[x] = line
			}
		}
		row[xc+1] = glyphLeft
		if lost {
			row[xc+1] = glyphFailed
		}
	}
	return string(row)
}

// stepLabel is the arrow's label: the step's title, with the server's name
// when every DNS server shares a lane, and ↳ for a lookup inside the
// lookup.
func (b board) stepLabel(s *story.Story, st *story.Step) string {
	label := strings.TrimPrefix(st.Title, "↳ ") // the story marks nested steps itself; here the mark goes before the server's name
	if b.merged {
		// The server asked, or the one answering: a query's To, a reply's
		// From (the resolver's own walk is between two DNS parties).
		order := []int{st.From, st.To}
		if st.Kind == story.KindQuery || st.Kind == story.KindLoss {
			order = []int{st.To, st.From}
		}
		for _, p := range order {
			if p >= 0 && p < len(s.Parties) && s.Parties[p].Kind == story.PartyDNS {
				label = s.Parties[p].Name + ": " + label
				break
			}
		}
	}
	if st.Depth > 0 {
		label = strings.Repeat("  ", min(st.Depth, maxNest)-1) + "↳ " + label
	}
	return label
}

// stepTime is the time column: when the step happened.
func stepTime(st *story.Step) string {
	if st.Kind == story.KindAddress {
		return "0 ms"
	}
	return trace.Dur(st.Start)
}

// Ladder is the tour's diagram as a component: it draws the lane names and
// one row per step, and keeps the current step in view; ↑/↓ scroll it
// while it fills the window (z), until the current step changes.
type Ladder struct {
	*Common
	top  int  // the first step shown
	free bool // the user scrolled: the current step is not pulled back into view
}

// ladderSteps is what the ladder draws: the tour's steps, which of them are
// drawn, which is current and which is the packet waiting to leave.
type ladderSteps interface {
	visible() int
	stepAt(i int) *story.Step
	isPending(i int) bool
	waiting(i int) bool // the packet waiting, or let go and not recorded yet
	current() int
	storyOf() *story.Story
}

// Update scrolls the ladder.
func (l *Ladder) Update(msg tea.Msg) (*Ladder, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return l, nil
	}
	k := l.keys
	switch {
	case key.Matches(km, k.Down):
		l.top++
	case key.Matches(km, k.Up):
		l.top--
	case key.Matches(km, k.PageDown):
		l.top += max(1, l.bodyH/2)
	case key.Matches(km, k.PageUp):
		l.top -= max(1, l.bodyH/2)
	default:
		return l, nil
	}
	l.top = max(0, l.top)
	l.free = true
	return l, nil
}

// keepInView keeps step cur of n in the rows shown, with a row of context
// above and below where there is room, unless the user scrolled away.
func (l *Ladder) keepInView(cur, n, rows int) {
	if rows <= 0 {
		l.top = 0
		return
	}
	if !l.free {
		margin := min(1, (rows-1)/2)
		if cur-margin < l.top {
			l.top = cur - margin
		}
		if cur+margin >= l.top+rows {
			l.top = cur + margin - rows + 1
		}
	}
	l.top = clamp(l.top, 0, max(0, n-rows))
}

// View is the lane names and, under them, the rows of steps from l.top:
// h rows of w cells in all.
func (l *Ladder) View(s ladderSteps, b board, w, h int) []string {
	out := make([]string, 0, h)
	for _, r := range b.nameRows(w) {
		out = append(out, l.st.Title.Render(fit(r, w)))
	}
	n := s.visible()
	for i := l.top; i < n && len(out) < h; i++ {
		out = append(out, l.row(s, b, i, w))
	}
	return out
}

// row is step i's row: its time (the current step marked ▸), the lanes
// with its arrow, and its label.
func (l *Ladder) row(s ladderSteps, b board, i, w int) string {
	st := s.stepAt(i)
	a, c := b.laneOf(st.From), b.laneOf(st.To)
	tm := stepTime(st)
	if s.waiting(i) {
		tm = "…"
	}
	label := b.stepLabel(s.storyOf(), st)
	lost := st.Failed && (st.Kind == story.KindLoss || st.Kind == story.KindQuery)
	mark := " "
	if i == s.current() {
		mark = "▸" // the current step, also without colour
	}
	row := mark + fmt.Sprintf("%*s ", timeW-1, tm) + b.arrowRow(a, c, lost) + " " + fit(label, b.labelW)
	row = fit(row, w)
	switch {
	case i == s.current():
		return l.st.Selected.Render(row)
	case s.waiting(i):
		return l.st.Running.Render(row)
	case st.Failed:
		return l.st.Bad.Render(row)
	}
	return row
}
