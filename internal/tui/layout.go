package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

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
	bodyH           int
	itemsW, itemsH  int // wide: the timeline column; narrow: the exchanges list
	fieldsW, midH   int // fields and bytes share a height
	bytesW          int
	explW, explH    int // wide: a column as high as the others
	waterW, waterH  int // narrow: the waterfall shares the explanation's place
	stripH, headerH int
}

func (m *Inspector) layout() layout {
	w, h := m.width, m.height
	l := layout{headerH: 1}
	if w < minWidth || h < minHeight {
		l.small = true
		return l
	}
	l.bodyH = m.bodyH
	if m.zoom {
		// z: every pane as large as the body; only the focused one is drawn.
		l.wide = true // the exchanges pane zoomed is the timeline
		l.itemsW, l.fieldsW, l.bytesW, l.explW, l.waterW = w, w, w, w, w
		l.itemsH, l.midH, l.explH, l.waterH = l.bodyH, l.bodyH, l.bodyH, l.bodyH
		return l
	}
	if w >= wideWidth && h >= wideHeight {
		l.wide = true
		rows := len(waterfall.Rows(m.journey)) + 1
		l.waterW = w
		l.waterH = clamp(rows, 4, l.bodyH/4)
		colH := l.bodyH - l.waterH
		// The timeline on the left; on the right the fields and the bytes,
		// and under them the explanation as wide as both: a column of its
		// own beside the bytes was a narrow strip beside an empty pane.
		l.itemsW, l.fieldsW = clamp(w/6, 34, 44), 34
		right := w - l.itemsW - 1
		l.bytesW = right - l.fieldsW - 1
		l.explW = right
		l.itemsH = colH
		// The fields and bytes get the rows they fill, the explanation the
		// rest; when both want more, each gets at least half.
		midNeed := max(len(m.tree()), m.bytesRowCount(l.bytesW)) + 1
		explNeed := len(m.explLines(l.explW)) + 1
		l.midH = min(midNeed, max(colH/2, colH-explNeed))
		l.midH = clamp(l.midH, min(4, colH), colH-min(minExplH, colH))
		l.explH = colH - l.midH
		return l
	}
	l.stripH = 1
	body := l.bodyH - l.stripH
	l.itemsH = clamp(len(m.items())+1, 2, max(2, body/5))
	l.itemsW, l.explW, l.waterW = w, w, w
	l.fieldsW = clamp(w*2/5, 16, 40)
	l.bytesW = w - l.fieldsW - 1
	l.explH = m.explShare(body-l.itemsH, max(minExplH, body/4), l.bytesW, w)
	l.midH = body - l.itemsH - l.explH
	l.waterH = l.explH
	return l
}

// minExplH is the fewest rows the explanation gets: its title and three
// lines, enough for the first sentence or two and the "more" hint.
const minExplH = 4

// explShare is the explanation's rows out of rest, which it shares with
// the fields and bytes: base rows, more when the explanation needs them
// and the fields and bytes leave rows empty, fewer (down to minExplH) when
// it needs fewer and they need more.
func (m *Inspector) explShare(rest, base, bytesW, explW int) int {
	midNeed := max(len(m.tree()), m.bytesRowCount(bytesW)) + 1
	explNeed := len(m.explLines(explW)) + 1
	h := base
	switch {
	case explNeed > base && rest-base > midNeed:
		h = min(explNeed, rest-midNeed)
	case explNeed < base && rest-base < midNeed:
		h = max(explNeed, minExplH)
	}
	return clamp(h, min(minExplH, rest), max(rest-minExplH, min(minExplH, rest)))
}

// clampScroll keeps every pane's scroll inside its content and the
// selected rows in view.
func (m *Inspector) clampScroll() {
	l := m.layout()
	if l.small {
		return
	}
	keep := func(f focus, sel, rows, total int) {
		t := *m.scroll(f)
		if sel >= 0 {
			if sel < t {
				t = sel
			}
			if sel >= t+rows {
				t = sel - rows + 1
			}
		}
		*m.scroll(f) = clamp(t, 0, max(0, total-rows))
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
func (m *Inspector) revealField() {
	_, off, n, _ := m.current()
	l := m.layout()
	if l.small {
		return
	}
	if n <= 0 {
		// A whole message (its heading), or none: from its start.
		*m.scroll(focusBytes) = 0
		return
	}
	rows := l.midH - 1
	r := m.rowOf(off, l.bytesW)
	if t := *m.scroll(focusBytes); r < t || r >= t+rows {
		*m.scroll(focusBytes) = max(0, r-rows/3)
	}
}

func (m *Inspector) journeyStages() []*trace.Stage {
	if m.journey == nil {
		return nil
	}
	return m.journey.Stages
}

// fit makes s exactly w cells: cut with a … mark, or padded. Invisible
// characters are made visible first (width.go), so the row is w cells on
// every terminal.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = terminalSafe(s)
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
	right = terminalSafe(right)
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
