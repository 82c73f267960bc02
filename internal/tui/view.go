package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"journey/internal/explain"
	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// View draws the inspector's panes in the body of the window: width
// cells and bodyH rows.
func (m *Inspector) View() string {
	l := m.layout()
	if l.small {
		return ""
	}
	if m.zoom {
		return strings.Join(m.zoomed(), "\n")
	}
	out := make([]string, 0, m.bodyH)
	if l.wide {
		sep := m.st.Dim.Render("│")
		right := joinColumns([][]string{m.fields.View(l.fieldsW, l.midH), m.bytes.View(l.bytesW, l.midH)}, l.midH, sep)
		right = append(right, m.explain.View(l.explW, l.explH)...)
		out = append(out, joinColumns([][]string{m.exchanges.timeline(l.itemsW, l.itemsH), right}, l.itemsH, sep)...)
		out = append(out, m.waterfall.View(l.waterW, l.waterH)...)
	} else {
		out = append(out, fit(m.strip(), m.width))
		out = append(out, m.exchanges.list(l.itemsW, l.itemsH)...)
		out = append(out, joinColumns([][]string{m.fields.View(l.fieldsW, l.midH), m.bytes.View(l.bytesW, l.midH)}, l.midH, m.st.Dim.Render("│"))...)
		if m.focus == focusWaterfall {
			out = append(out, m.waterfall.View(l.waterW, l.waterH)...)
		} else {
			out = append(out, m.explain.View(l.explW, l.explH)...)
		}
	}
	return strings.Join(out, "\n")
}

// zoomed is the focused pane alone, as large as the body (z).
func (m *Inspector) zoomed() []string {
	if m.focus == focusExchanges {
		return m.exchanges.timeline(m.width, m.bodyH)
	}
	return m.panes()[m.focus].View(m.width, m.bodyH)
}

// mark is a stage's status as one symbol; the symbol alone carries the
// meaning, colour only repeats it.
func (m *Inspector) mark(s *trace.Stage) string {
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
func (m *Inspector) strip() string {
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

func (m *Inspector) stripOf(short bool) string {
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
	if m.second {
		parts = append([]string{m.st.Selected.Render("2nd visit")}, parts...)
	}
	return strings.Join(parts, "  ")
}

// title is a pane's first row.
func (m *Inspector) title(f focus, text string, w int) string {
	st := m.st.Title
	if m.focus == f {
		st = m.st.FocusTitle
	}
	return fit(st.Render(" "+text+" "), w)
}

// maxNest bounds the indentation of nested lookups: past a few levels the
// labels would be pushed out of an 80-column list.
const maxNest = 4

// itemRow is one exchange as a row of a list; prev is the row above, to
// tell where a nested lookup begins.
func (m *Inspector) itemRow(it, prev item, selected bool, w, indent int) string {
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
		label = nestLead(it.ex, prev.ex) + label
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

// itemBefore is the item above its[i], or none.
func itemBefore(its []item, i int) item {
	if i <= 0 || i > len(its) {
		return item{}
	}
	return its[i-1]
}

// nestLead is what goes before a nested lookup's label: its indentation
// and an arrow and, on the first row of the lookup, the name it looks up,
// so that the list says why the lookup leaves the main question.
func nestLead(e, prev *trace.Exchange) string {
	if e == nil || e.Depth <= 0 {
		return ""
	}
	lead := strings.Repeat("  ", min(e.Depth, maxNest)-1) + "↳ "
	if e.DNS != nil && e.DNS.Question != "" && (prev == nil || prev.Depth < e.Depth) {
		lead += "looking up " + safetext.Line(e.DNS.Question) + ": "
	}
	return lead
}

// itemsPane is the narrow layout's list of the selected stage's exchanges.
func (p *ExchangesPane) list(w, h int) []string {
	m := p.in
	s := m.selected()
	head := "exchanges"
	if s != nil {
		head = fmt.Sprintf("%d · %s · %s · exchanges", m.stage, stageTitle(s.Kind), orDash(took(s)))
	}
	its := m.items()
	top := p.top
	// A list cut to its rows says which part it shows: at 80x24 a DNS
	// stage has more exchanges than rows.
	if rows := h - 1; rows > 0 && len(its) > rows {
		head += fmt.Sprintf(" %d–%d of %d", top+1, min(top+rows, len(its)), len(its))
		if m.focus != focusExchanges {
			head += " · ↓ after tab"
		}
	}
	lines := []string{m.title(focusExchanges, head, w)}
	if len(its) == 0 {
		lines = append(lines, fit(m.st.Dim.Render(noExchanges(s)), w))
	}
	for i := top; i < len(its) && len(lines) < h; i++ {
		lines = append(lines, fit(m.itemRow(its[i], itemBefore(its, i), i == m.item, w, 1), w))
	}
	return pad(lines, w, h)
}

// timelinePane is the wide layout's left column: every stage with its
// mark and time, the selected one opened to its exchanges.
func (p *ExchangesPane) timeline(w, h int) []string {
	m := p.in
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
				rows = append(rows, fit(m.itemRow(it, itemBefore(its, k), k == m.item, w, 3), w))
			}
		}
	}
	top := min(p.top, len(rows))
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
func (p *FieldsPane) View(w, h int) []string {
	m := p.in
	lines := []string{m.title(focusFields, "fields · enter opens", w)}
	rows := m.tree()
	if len(rows) == 0 {
		lines = append(lines, fit(m.st.Dim.Render("no exchange selected"), w))
	}
	for i := p.top; i < len(rows) && len(lines) < h; i++ {
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
func (p *BytesPane) View(w, h int) []string {
	m := p.in
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
	for _, r := range m.bytesLines(w, h-1, p.top) {
		lines = append(lines, fit(r, w))
	}
	return pad(lines, w, h)
}

// explanation is the plain-words text for what is selected.
func (m *Inspector) explanation() string {
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
		parts = append(parts, explain.ExchangeIn(s, it.ex))
	}
	parts = append(parts, explain.Stage(s))
	if s.Status != trace.StatusSkipped { // a skipped stage's note is its reason, said above
		for _, n := range facts.Notes(s) {
			parts = append(parts, "Note: "+safetext.Line(n))
		}
	}
	return strings.Join(parts, "\n\n")
}

// explLines is the explanation wrapped to w, cached until it changes.
func (m *Inspector) explLines(w int) []string {
	text := m.explanation()
	c := &m.cache
	if c.explText != text || c.explW != w {
		c.explText, c.explW = text, w
		c.explLines = strings.Split(ansi.Wrap(safetext.Text(text), max(w, 1), ""), "\n")
	}
	return c.explLines
}

func (p *ExplainPane) View(w, h int) []string {
	m := p.in
	head := "explanation"
	if !m.layout().wide {
		head += " · tab → waterfall"
	}
	el := m.explLines(w)
	top := p.top
	if top > 0 {
		head += " · ↑ more above"
	}
	lines := []string{m.title(focusExplain, head, w)}
	for i := top; i < len(el) && len(lines) < h; i++ {
		lines = append(lines, fit(el[i], w))
	}
	// A cut says so, on the last row: the text goes on below.
	if below := len(el) - top - (h - 1); below > 0 && h > 1 {
		hint := "… %d more lines: tab to the explanation, then ↓"
		if m.focus == focusExplain {
			hint = "… %d more lines: ↓ scrolls"
		}
		lines[h-1] = fit(m.st.Dim.Render(fmt.Sprintf(hint, below+1)), w)
	}
	return pad(lines, w, h)
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

// who names a peer on one line, the way every renderer does, made safe.
func who(p trace.Peer) string { return safetext.Line(facts.Peer(p)) }

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
