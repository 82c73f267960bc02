package tui

import (
	"bytes"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/story"
	"journey/internal/trace"
	"journey/internal/waterfall"
)

// The bytes strip is the tour's view of a step's bytes: a few rows around
// the field that carries the step's lesson, highlighted, hex for binary
// protocols (DNS, TLS) and text for HTTP. Only the rows shown are laid
// out, so a 1 MiB body costs what a 100-byte packet does.

// Strip sizes, in rows (its title included).
const (
	minStripRows = 3  // the title and two rows: a field and what follows it
	maxStripRows = 13 // past a dozen rows the strip is the inspector's job
)

// textual reports whether a step's bytes read as text: HTTP and the
// server's side, not DNS or TLS records.
func textual(st *story.Step) bool {
	switch st.Kind {
	case story.KindTLS, story.KindQuery, story.KindReply, story.KindLoss:
		return false
	}
	switch st.Stage {
	case trace.StageHTTP, trace.StageGateway, trace.StageRouter:
		return true
	}
	return false
}

// lessonRange is the lesson field's bytes [off, end), or -1s.
func lessonRange(st *story.Step) [2]int {
	if st.Lesson == nil || st.Lesson.Length <= 0 || st.Lesson.Offset < 0 || st.Lesson.Offset >= len(st.Bytes) {
		return [2]int{-1, -1}
	}
	return [2]int{st.Lesson.Offset, min(len(st.Bytes), st.Lesson.Offset+st.Lesson.Length)}
}

// Strip is the tour's part under the narration: the step's bytes, or on
// the page step the page, which ↑/↓ scroll.
type Strip struct {
	*Common
	scroll int // the page's first line shown
}

// Update scrolls the page.
func (s *Strip) Update(msg tea.Msg) (*Strip, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	k := s.keys
	switch {
	case key.Matches(km, k.Down):
		s.scroll++
	case key.Matches(km, k.Up):
		s.scroll--
	case key.Matches(km, k.PageDown):
		s.scroll += max(1, s.bodyH/2)
	case key.Matches(km, k.PageUp):
		s.scroll -= max(1, s.bodyH/2)
	}
	s.scroll = max(0, s.scroll)
	return s, nil
}

// View is the strip of st in h rows: the page, or the bytes.
func (s *Strip) View(st *story.Step, w, h int, zoomed bool) []string {
	if st == nil {
		return nil
	}
	if st.Page != nil {
		return s.pageView(st, w, h, zoomed)
	}
	if st.Kind == story.KindTiming {
		return s.timingView(visitOf(s.journey, st), w, h)
	}
	return s.bytesView(st, w, h)
}

// fills reports whether st's strip is what the step shows, taking the
// rows the ladder can spare: the page, the waterfall of where the time
// went.
func fills(st *story.Step) bool {
	return st != nil && (st.Page != nil || st.Kind == story.KindTiming)
}

// visitOf is the visit st tells: the journey, or with --warm its second
// visit.
func visitOf(j *trace.Journey, st *story.Step) *trace.Journey {
	if st != nil && st.Second && j != nil && j.Warm != nil {
		return j.Warm
	}
	return j
}

// timingView is j's waterfall, from s.scroll, under a title.
func (s *Strip) timingView(j *trace.Journey, w, h int) []string {
	rows := len(waterfall.Rows(j))
	head := "waterfall · every timed step on one axis"
	if rest := rows - s.scroll - (h - 1); rest > 0 {
		head += fmt.Sprintf(" · %d more %s: ↓ scrolls", rest, facts.Plural(rest, "row", "rows"))
	}
	out := []string{s.st.Title.Render(fit(" "+head+" ", w))}
	return append(out, waterfallLines(s.st, j, s.scroll, w, h-1)...)
}

// Want is how many rows the strip would like for st: enough for the
// lesson's field, within the bounds above; 0 when the step has no bytes.
func (s *Strip) Want(st *story.Step, w int) int {
	if st == nil || len(st.Bytes) == 0 || st.Page != nil {
		return 0
	}
	hl := lessonRange(st)
	need := 2
	if textual(st) {
		if hl[0] >= 0 {
			need = 1 + (hl[1]-hl[0])/max(1, w-1)
		}
	} else {
		per := hexPerRow(w, offDigits(len(st.Bytes)))
		rows := (len(st.Bytes) + per - 1) / per
		need = rows
		if hl[0] >= 0 {
			need = hl[1]/per - hl[0]/per + 2
		}
		need = min(need, rows)
	}
	return clamp(need+1, minStripRows, maxStripRows)
}

// bytesView is the strip in h rows: a title saying which field is
// highlighted, then the rows around it.
func (s *Strip) bytesView(st *story.Step, w, h int) []string {
	hl := lessonRange(st)
	head := fmt.Sprintf("bytes · %d", len(st.Bytes))
	if hl[0] >= 0 {
		head += fmt.Sprintf(" · %s: %s at offset %d", safetext.Line(st.Lesson.Name), facts.Count(int64(hl[1]-hl[0]), "byte", "bytes"), hl[0])
	}
	out := []string{s.st.Title.Render(fit(" "+head+" ", w))}
	rows := h - 1
	if textual(st) {
		for _, r := range textStrip(s.pt, st.Bytes, hl, w-1, rows) {
			out = append(out, fit(r, w))
		}
		return out
	}
	per := hexPerRow(w, offDigits(len(st.Bytes)))
	total := (len(st.Bytes) + per - 1) / per
	first := 0
	if hl[0] >= 0 {
		first = hl[0] / per
		// The field's first row, and the row before it when the field
		// leaves room: a field is read with what precedes it.
		if hl[1]/per-first+1 < rows && first > 0 {
			first--
		}
	}
	first = clamp(first, 0, max(0, total-rows))
	for r := first; r < total && len(out) < h; r++ {
		out = append(out, fit(hexRowOf(s.pt, st.Bytes, r, w, hl), w))
	}
	return out
}

// stripBack bounds how far back the text strip looks for the start of the
// line holding the lesson: an HTTP head line is rarely longer, and a body
// with no newline is then shown from just before the field.
const stripBack = 2048

// textStrip lays out up to rows rows of b, w cells wide, from the start of
// the line holding hl (or from the start), highlighting hl.
func textStrip(pt paints, b []byte, hl [2]int, w, rows int) []string {
	from := 0
	if hl[0] > 0 {
		lo := max(0, hl[0]-stripBack)
		if i := bytes.LastIndexByte(b[lo:hl[0]], '\n'); i >= 0 {
			from = lo + i + 1
		} else {
			from = lo
		}
	}
	// A row of w cells holds at most 2w bytes (a 4-byte rune is two
	// cells), so this window holds every row shown.
	end := min(len(b), from+rows*2*max(w, 1)+4)
	win := b[from:end]
	tr := buildTextRows(win, max(w, 1))
	shift := [2]int{hl[0] - from, hl[1] - from}
	if hl[0] < 0 {
		shift = hl
	}
	var out []string
	for r := 0; r < len(tr.start) && len(out) < rows; r++ {
		out = append(out, textRowOf(pt, tr.start, win, r, shift))
	}
	return out
}

// pageLines are the page's text and its links.
func pageLines(p *story.Page) []string {
	out := append([]string{}, p.Text...)
	if len(p.Links) > 0 {
		out = append(out, "", "Links:")
		for i, l := range p.Links {
			out = append(out, fmt.Sprintf("[%d] %s", i+1, l))
		}
	}
	return out
}

// pageView is the page step's text in h rows from s.scroll, with a title
// that says what it is and how to see the rest.
func (s *Strip) pageView(st *story.Step, w, h int, zoomed bool) []string {
	lines := pageLines(st.Page)
	head := fmt.Sprintf("the page · %s · %d bytes", orDash(st.Page.ContentType), st.Page.Size)
	if rest := len(lines) - s.scroll - (h - 1); rest > 0 {
		if zoomed {
			head += fmt.Sprintf(" · %d more %s: ↓ scrolls", rest, facts.Plural(rest, "line", "lines"))
		} else {
			head += fmt.Sprintf(" · %d more %s: z shows the whole page, ↓ scrolls", rest, facts.Plural(rest, "line", "lines"))
		}
	}
	out := []string{s.st.Title.Render(fit(" "+head+" ", w))}
	for i := s.scroll; i < len(lines) && len(out) < h; i++ {
		out = append(out, fit(lines[i], w))
	}
	return out
}
