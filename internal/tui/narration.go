package tui

import (
	"strings"

	"journey/internal/safetext"
	"journey/internal/story"
)

// Narration is the tour's text under the ladder: a heading (which step,
// its stage, who sends to whom, how long) and the step's narration in
// full, wrapped as story.Wrap wraps it for the plain report, never cut.
// It has no keys: the tour gives it room for every line.
type Narration struct {
	*Common
}

// View is the heading and the narration of st, wrapped to w.
func (n *Narration) View(head string, st *story.Step, w int) []string {
	if st == nil {
		return nil
	}
	out := []string{n.st.Header.Render(fit(head, w))}
	text := terminalSafe(safetext.Text(st.Narration))
	for _, para := range strings.Split(text, "\n") {
		out = append(out, story.Wrap(para, w)...)
	}
	return out
}
