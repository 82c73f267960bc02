package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"journey/internal/explain"
	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/waterfall"
)

// Screen sizes. 80x24 is the classic terminal and must stay usable; below
// the minimum a message asks for a larger window; from wideWidth x
// wideHeight every pane is side by side.
const (
	minWidth   = 50
	minHeight  = 14
	wideWidth  = 140
	wideHeight = 36
)

// layout is the size of each pane for the current window; every height
// includes the pane's title row.
type layout struct {
	small, wide     bool
	help            string
	bodyH           int
	itemsW, itemsH  int // wide: the timeline column; narrow: the exchanges list
	fieldsW, midH   int // fields and bytes share a height
	bytesW          int
	explW, explH    int // wide: a column as high as the others
	waterW, waterH  int // narrow: the waterfall shares the explanation's place
	stripH, headerH int
}

func (m *Model) layout() layout {
	w, h := m.width, m.height
	l := layout{headerH: 1}
	if w < minWidth || h < minHeight {
		l.small = true
		return l
	}
	l.help = m.help.View(m.keys)
	helpH := strings.Count(l.help, "\n") + 1
	l.bodyH = h - l.headerH - helpH
	if w >= wideWidth && h >= wideHeight {
		l.wide = true
		rows := len(waterfall.Rows(m.journey)) + 1
		l.waterW = w
		l.waterH = clamp(rows, 4, l.bodyH/4)
		colH := l.bodyH - l.waterH
		l.itemsW, l.fieldsW = clamp(w/6, 34, 44), 34
		rest := w - l.itemsW - l.fieldsW - 3
		l.explW = clamp(rest-75, 36, rest-40)
		l.bytesW = rest - l.explW
		l.itemsH, l.midH, l.explH = colH, colH, colH
		return l
	}
	l.stripH = 1
	body := l.bodyH - l.stripH
	l.explH = max(4, body/4)
	l.itemsH = clamp(len(m.items())+1, 2, max(2, body/5))
	l.midH = body - l.itemsH - l.explH
	l.itemsW, l.explW, l.waterW, l.waterH = w, w, w, l.explH
	l.fieldsW = clamp(w*2/5, 16, 40)
	l.bytesW = w - l.fieldsW - 1
	return l
}

// clampScroll keeps every pane's scroll inside its content and the
// selected rows in view.
func (m *Model) clampScroll() {
	l := m.layout()
	if l.small {
		return
	}
	keep := func(f focus, sel, rows, total int) {
		t := m.top[f]
		if sel >= 0 {
			if sel < t {
				t = sel
			}
			if sel >= t+rows {
				t = sel - rows + 1
			}
		}
		m.top[f] = clamp(t, 0, max(0, total-rows))
	}
	if l.wide {
		keep(focusExchanges, m.stage+1+m.item, l.itemsH-1, len(m.journeyStages())+len(m.items()))
	} else {
		keep(focusExchanges, m.item, l.itemsH-1, len(m.items()))
	}
	keep(focusFields, m.node, l.midH-1, len(m.tree()))
	keep(focusBytes, -1, l.midH-1, m.bytesRowCount(l.bytesW))
	keep(focusExplain, -1, l.explH-1, len(m.explLines(l.explW)))
	keep(focusWaterfall, -1, l.waterH-1, len(waterfall.Rows(m.journey)))
}

// revealField scrolls the bytes pane to the selected field.
func (m *Model) revealField() {
	_, off, n, _ := m.current()
	l := m.layout()
	if l.small || n <= 0 {
		return
	}
	rows := l.midH - 1
	r := m.rowOf(off, l.bytesW)
	if t := m.top[focusBytes]; r < t || r >= t+rows {
		m.top[focusBytes] = max(0, r-rows/3)
	}
}

func (m *Model) journeyStages() []*trace.Stage {
	if m.journey == nil {
		return nil
	}
	return m.journey.Stages
}

// View draws the screen.
func (m *Model) View() string {
	l := m.layout()
	if l.small {
		return m.tooSmall()
	}
	out := make([]string, 0, m.height)
	out = append(out, fit(m.header(), m.width))
	if l.wide {
		cols := [][]string{
			m.timelinePane(l.itemsW, l.itemsH),
			m.fieldsPane(l.fieldsW, l.midH),
			m.bytesPane(l.bytesW, l.midH),
			m.explainPane(l.explW, l.explH),
		}
		out = append(out, joinColumns(cols, l.midH, m.st.Dim.Render("│"))...)
		out = append(out, m.waterfallPane(l.waterW, l.waterH)...)
	} else {
		out = append(out, fit(m.strip(), m.width))
		out = append(out, m.itemsPane(l.itemsW, l.itemsH)...)
		out = append(out, joinColumns([][]string{m.fieldsPane(l.fieldsW, l.midH), m.bytesPane(l.bytesW, l.midH)}, l.midH, m.st.Dim.Render("│"))...)
		if m.focus == focusWaterfall {
			out = append(out, m.waterfallPane(l.waterW, l.waterH)...)
		} else {
			out = append(out, m.explainPane(l.explW, l.explH)...)
		}
	}
	for _, h := range strings.Split(l.help, "\n") {
		out = append(out, fit(h, m.width))
	}
	return strings.Join(out, "\n")
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
	if j != nil {
		mode, target = safetext.Line(string(j.Mode)), safetext.Line(j.Target)
	}
	if m.opts.Start == nil {
		mode = "replay"
	}
	left := m.st.Header.Render("journey") + " · " + mode + " · " + target
	var state string
	switch {
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

// mark is a stage's status as one symbol; the symbol alone carries the
// meaning, colour only repeats it.
func (m *Model) mark(s *trace.Stage) string {
	switch s.Status {
	case trace.StatusDone:
		return m.st.Good.Render("✓")
	case trace.StatusFailed:
		return m.st.Bad.Render("✗")
	case trace.StatusSkipped:
		return m.st.Dim.Render("–")
	case trace.StatusRunning:
		return m.spin.View()
	}
	return m.st.Dim.Render("·")
}

// took is a stage's time as the timeline shows it.
func took(s *trace.Stage) string {
	switch s.Status {
	case trace.StatusDone, trace.StatusFailed:
		return trace.Dur(s.Duration)
	case trace.StatusSkipped:
		return "skipped"
	case trace.StatusRunning:
		return "…"
	}
	return ""
}

// strip is the narrow layout's timeline: every stage on one line.
func (m *Model) strip() string {
	full := m.stripOf(false)
	if ansi.StringWidth(full) <= m.width {
		return full
	}
	return m.stripOf(true)
}

// shortTitles name the stages where the strip has no room for titles.
var shortTitles = map[trace.StageKind]string{
	trace.StageAddress: "addr", trace.StageDNS: "DNS", trace.StageConnect: "conn",
	trace.StageHTTP: "HTTP", trace.StageGateway: "gw", trace.StageRouter: "router",
}

func (m *Model) stripOf(short bool) string {
	var parts []string
	for i, s := range m.journeyStages() {
		name := stageTitle(s.Kind)
		if short && shortTitles[s.Kind] != "" {
			name = shortTitles[s.Kind]
		}
		t := fmt.Sprintf("%d %s", i, name)
		if i == m.stage {
			t = m.st.Selected.Render(t)
		}
		parts = append(parts, m.mark(s)+" "+t)
	}
	if len(parts) == 0 {
		return m.st.Dim.Render("waiting for the journey to start…")
	}
	return strings.Join(parts, "  ")
}

// title is a pane's first row.
func (m *Model) title(f focus, text string, w int) string {
	st := m.st.Title
	if m.focus == f {
		st = m.st.FocusTitle
	}
	return fit(st.Render(" "+text+" "), w)
}

// itemRow is one exchange as a row of a list.
func (m *Model) itemRow(it item, selected bool, w, indent int) string {
	var label, t string
	switch {
	case it.pend != nil:
		label = m.st.Running.Render("▶ about to send") + " to " + who(it.pend.Peer)
	case it.ex != nil:
		label = safetext.Line(it.ex.Label)
		if label == "" {
			label = safetext.Line(it.ex.Kind) + " " + who(it.ex.Peer)
		}
		if it.ex.Failed() {
			label = m.st.Bad.Render("✗") + " " + label
		}
		label = strings.Repeat("  ", min(it.ex.Depth, 4)) + label
		t = trace.Dur(it.ex.Duration)
	}
	pre := strings.Repeat(" ", indent)
	row := spread(pre+label, t, w)
	if selected {
		st := m.st.Selected
		if m.focus != focusExchanges {
			st = m.st.Highlight
		}
		row = st.Render(ansi.Strip(row))
	}
	return row
}

// itemsPane is the narrow layout's list of the selected stage's exchanges.
func (m *Model) itemsPane(w, h int) []string {
	s := m.selected()
	head := "exchanges"
	if s != nil {
		head = fmt.Sprintf("%d · %s · %s · exchanges", m.stage, stageTitle(s.Kind), orDash(took(s)))
	}
	lines := []string{m.title(focusExchanges, head, w)}
	its := m.items()
	if len(its) == 0 {
		lines = append(lines, fit(m.st.Dim.Render(noExchanges(s)), w))
	}
	top := m.top[focusExchanges]
	for i := top; i < len(its) && len(lines) < h; i++ {
		lines = append(lines, fit(m.itemRow(its[i], i == m.item, w, 1), w))
	}
	return pad(lines, w, h)
}

// timelinePane is the wide layout's left column: every stage with its
// mark and time, the selected one opened to its exchanges.
func (m *Model) timelinePane(w, h int) []string {
	var rows []string
	its := m.items()
	for i, s := range m.journeyStages() {
		t := fmt.Sprintf("%s %d %s", m.mark(s), i, stageTitle(s.Kind))
		if i == m.stage {
			t = m.mark(s) + " " + m.st.Title.Render(fmt.Sprintf("%d %s", i, stageTitle(s.Kind)))
		}
		rows = append(rows, fit(spread(t, took(s), w), w))
		if i == m.stage {
			for k, it := range its {
				rows = append(rows, fit(m.itemRow(it, k == m.item, w, 3), w))
			}
		}
	}
	top := min(m.top[focusExchanges], len(rows))
	lines := []string{m.title(focusExchanges, "stages and exchanges", w)}
	for _, r := range rows[top:] {
		if len(lines) == h {
			break
		}
		lines = append(lines, r)
	}
	return pad(lines, w, h)
}

// fieldsPane is the selected exchange's field tree.
func (m *Model) fieldsPane(w, h int) []string {
	lines := []string{m.title(focusFields, "fields · enter opens", w)}
	rows := m.tree()
	if len(rows) == 0 {
		lines = append(lines, fit(m.st.Dim.Render("no exchange selected"), w))
	}
	for i := m.top[focusFields]; i < len(rows) && len(lines) < h; i++ {
		r := rows[i]
		sym := "  "
		if r.kids {
			sym = "▸ "
			if m.isOpen(r) {
				sym = "▾ "
			}
		}
		text := strings.Repeat("  ", min(r.depth, 6)) + sym + r.label
		if r.field != nil && r.n > 0 {
			text = spread(text, m.st.Dim.Render(fmt.Sprintf("%d+%d", r.off, r.n)), w)
		}
		text = fit(text, w)
		if i == m.node {
			st := m.st.Selected
			if m.focus != focusFields {
				st = m.st.Highlight
			}
			text = st.Render(ansi.Strip(text))
		}
		lines = append(lines, text)
	}
	return pad(lines, w, h)
}

// bytesPane is the selected message's bytes, in hex or as text.
func (m *Model) bytesPane(w, h int) []string {
	form := "hex"
	if m.textual() {
		form = "text"
	}
	msg, _, n, f := m.current()
	head := "bytes · " + form + " · x switches"
	if msg != nil && f != nil && n > 0 {
		head = fmt.Sprintf("bytes · %s · %s: %d bytes", form, safetext.Line(f.Name), n)
	}
	lines := []string{m.title(focusBytes, head, w)}
	for _, r := range m.bytesLines(w, h-1, m.top[focusBytes]) {
		lines = append(lines, fit(r, w))
	}
	return pad(lines, w, h)
}

// explanation is the plain-words text for what is selected.
func (m *Model) explanation() string {
	var parts []string
	if m.pending != nil {
		parts = append(parts, explain.Pending(m.pending))
	}
	s := m.selected()
	if s == nil {
		return strings.Join(append(parts, "The journey is starting."), "\n\n")
	}
	// The most specific first: on a small screen only the top is seen.
	if _, _, _, f := m.current(); f != nil {
		if t := explain.Field(*f); t != "" {
			parts = append(parts, t)
		}
	}
	if it, ok := m.selectedItem(); ok && it.ex != nil {
		parts = append(parts, explain.Exchange(it.ex))
	}
	parts = append(parts, explain.Stage(s))
	for _, n := range s.Notes {
		parts = append(parts, "Note: "+safetext.Line(n))
	}
	return strings.Join(parts, "\n\n")
}

// explLines is the explanation wrapped to w, cached until it changes.
func (m *Model) explLines(w int) []string {
	text := m.explanation()
	c := &m.cache
	if c.explText != text || c.explW != w {
		c.explText, c.explW = text, w
		c.explLines = strings.Split(ansi.Wrap(safetext.Text(text), max(w, 1), ""), "\n")
	}
	return c.explLines
}

func (m *Model) explainPane(w, h int) []string {
	head := "explanation"
	if !m.layout().wide {
		head += " · tab → waterfall"
	}
	lines := []string{m.title(focusExplain, head, w)}
	el := m.explLines(w)
	for i := m.top[focusExplain]; i < len(el) && len(lines) < h; i++ {
		lines = append(lines, fit(el[i], w))
	}
	return pad(lines, w, h)
}

// waterfallPane draws every timed step on one axis, DNS per hop.
func (m *Model) waterfallPane(w, h int) []string {
	rows := waterfall.Rows(m.journey)
	end := waterfall.End(rows)
	lines := []string{m.title(focusWaterfall, "waterfall · "+trace.Dur(end), w)}
	labelW := clamp(w/4, 12, 40)
	const timeW = 10
	barW := w - labelW - timeW - 2
	for i := m.top[focusWaterfall]; i < len(rows) && len(lines) < h; i++ {
		r := rows[i]
		label := fit(strings.Repeat(" ", min(r.Depth+boolInt(r.Kind == trace.StageDNS || r.Depth > 0), 4))+safetext.Line(r.Label), labelW)
		bar := ""
		if barW > 0 {
			a, n := min(scale(r.Start, end, barW), barW-1), scale(r.Duration, end, barW)
			n = clamp(n, 1, barW-a)
			glyph := "█"
			st := m.st.Bar
			if r.Failed {
				glyph, st = "▒", m.st.Bad
			}
			bar = strings.Repeat(" ", a) + st.Render(strings.Repeat(glyph, n)) + strings.Repeat(" ", max(0, barW-a-n))
		}
		lines = append(lines, fit(label+" "+bar+" "+fmt.Sprintf("%*s", timeW, trace.Dur(r.Duration)), w))
	}
	if len(rows) == 0 {
		lines = append(lines, fit(m.st.Dim.Render("no timings yet"), w))
	}
	return pad(lines, w, h)
}

// scale is d's share of end in cells out of width.
func scale(d, end time.Duration, width int) int {
	if end <= 0 || d <= 0 {
		return 0
	}
	return clamp(int(int64(d)*int64(width)/int64(end)), 0, width)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func noExchanges(s *trace.Stage) string {
	if s == nil {
		return "nothing yet"
	}
	switch s.Status {
	case trace.StatusPending:
		return "not started yet"
	case trace.StatusRunning:
		return "waiting for the first exchange…"
	case trace.StatusSkipped:
		return "skipped: nothing went on the wire"
	}
	return "no packets in this stage: see the explanation"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// who names a peer on one line, made safe.
func who(p trace.Peer) string {
	switch {
	case p.Name != "" && p.Addr != "":
		return safetext.Line(p.Name) + " (" + safetext.Line(p.Addr) + ")"
	case p.Name != "":
		return safetext.Line(p.Name)
	}
	return safetext.Line(p.Addr)
}

// fit makes s exactly w cells: cut with a … mark, or padded.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// spread puts left and right at the two ends of w cells, cutting left.
func spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw == 0 {
		return left
	}
	lw := w - rw - 1
	if lw < 1 {
		return fit(left, w)
	}
	return fit(left, lw) + " " + right
}

// pad fills lines to h rows of w cells.
func pad(lines []string, w, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	blank := strings.Repeat(" ", max(w, 0))
	for len(lines) < h {
		lines = append(lines, blank)
	}
	return lines
}

// joinColumns puts panes side by side, h rows, with sep between them.
func joinColumns(cols [][]string, h int, sep string) []string {
	out := make([]string, h)
	var b strings.Builder
	for r := 0; r < h; r++ {
		b.Reset()
		for i, c := range cols {
			if i > 0 {
				b.WriteString(sep)
			}
			if r < len(c) {
				b.WriteString(c[r])
			}
		}
		out[r] = b.String()
	}
	return out
}

// cache holds what View computes once and reuses across frames.
type cache struct {
	tree      []node
	treeStage *trace.Stage // the snapshot's stage: a new event brings a new one
	treeItem  item
	treeOK    bool
	text      textRows
	explText  string
	explW     int
	explLines []string
}

// stageTitle is a stage's name, made safe: a replayed file may name a
// stage this program does not know, and its Title is then the raw kind.
func stageTitle(k trace.StageKind) string { return safetext.Line(k.Title()) }
