package tui

import (
	"fmt"
	"strings"
	"time"

	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/waterfall"
)

// waterfallPane draws every timed step on one axis, DNS per hop.
func (p *WaterfallPane) View(w, h int) []string {
	m := p.in
	end := waterfall.End(waterfall.Rows(m.journey))
	lines := []string{m.title(focusWaterfall, "waterfall · "+trace.Dur(end), w)}
	lines = append(lines, waterfallLines(m.st, m.journey, p.top, w, h-1)...)
	return pad(lines, w, h)
}

// waterfallLines are j's timed steps on one axis, from row top, in at most
// h lines of width w: the inspector's pane and the tour's last step draw
// the same bars.
func waterfallLines(st Styles, j *trace.Journey, top, w, h int) []string {
	rows := waterfall.Rows(j)
	end := waterfall.End(rows)
	var lines []string
	labelW := clamp(w/4, 12, 40)
	const timeW = 10
	barW := w - labelW - timeW - 2
	for i := top; i < len(rows) && len(lines) < h; i++ {
		r := rows[i]
		label := fit(strings.Repeat(" ", min(r.Depth+boolInt(r.Kind == trace.StageDNS || r.Depth > 0), 4))+safetext.Line(r.Label), labelW)
		bar := ""
		if barW > 0 {
			a, n := min(scale(r.Start, end, barW), barW-1), scale(r.Duration, end, barW)
			n = clamp(n, 1, barW-a)
			glyph := "█"
			style := st.Bar
			if r.Failed {
				glyph, style = "▒", st.Bad
			}
			bar = strings.Repeat(" ", a) + style.Render(strings.Repeat(glyph, n)) + strings.Repeat(" ", max(0, barW-a-n))
		}
		lines = append(lines, fit(label+" "+bar+" "+fmt.Sprintf("%*s", timeW, trace.Dur(r.Duration)), w))
	}
	if len(rows) == 0 && h > 0 {
		lines = append(lines, fit(st.Dim.Render("no timings yet"), w))
	}
	return lines
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
