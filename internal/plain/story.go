package plain

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/story"
	"journey/internal/trace"
)

// storyIndent is where a step's narration and page lines start: under the
// step's title, past its number.
const storyIndent = "    "

// maxStoryPageLines bounds the page printed at the end of the narrative:
// the story tells what the page is, and a long page is a scroll away in
// the report's body dump anyway.
const maxStoryPageLines = 60

// Story writes the journey as a numbered narrative: the report's header,
// then each step of its story (package story), who sent it to whom, when,
// and what it teaches; last, the page laid out as text, and the outcome.
func Story(w io.Writer, j *trace.Journey, opt Options) {
	p := New(w, opt)
	if j == nil {
		return
	}
	p.Header(j)
	s := story.Build(j)
	p.printf("\n%s\n", p.st.heading(fmt.Sprintf("The journey in %s", facts.Count(len(s.Steps), "step", "steps"))))
	stage := trace.StageKind("")
	seen := map[trace.StageKind]bool{}
	for i, st := range s.Steps {
		if st.Stage != stage && st.Kind != story.KindPage && st.Kind != story.KindStop {
			back := stage.Index() > st.Stage.Index()
			stage = st.Stage
			if k := stage.Index(); k >= 0 {
				// The response goes back up through the stages it came
				// down; a redirect's new host brings DNS again.
				name := fmt.Sprintf("%d %s", k, stage.Title())
				switch {
				case seen[stage] && back && (stage == trace.StageGateway || stage == trace.StageHTTP):
					name += ", on the way back"
				case seen[stage]:
					name += ", again"
				}
				seen[stage] = true
				p.printf("\n%s\n", p.st.dim("── "+name+" "+strings.Repeat("─", max(0, Width-4-utf8.RuneCountInString(name)))))
			}
		}
		p.step(s, i, st)
	}
	p.printf("\n")
	if j.Error != "" {
		p.printf("%s %s\n", p.st.bad("journey stopped:"), wrapLine(safetext.Line(j.Error), 17, "  "))
	} else {
		p.printf("%s in %s\n", p.st.good("journey complete"), trace.Dur(j.Duration))
	}
	// The same closing line as the report's, from the same facts, kept
	// within Width (with a redirect's segment it can run past it).
	timing := strings.ReplaceAll(timingLine(facts.TimingOf(j)), " ms", "\u00a0ms")
	for _, l := range story.Wrap(timing, Width) {
		p.printf("%s\n", p.st.dim(l))
	}
}

// step writes one numbered step: the title line, the narration, and for
// the page its text.
func (p *Printer) step(s *story.Story, i int, st story.Step) {
	from, to := s.Parties[st.From].Name, s.Parties[st.To].Name
	who := from + " → " + to
	if st.From == st.To {
		who = from
	}
	num := fmt.Sprintf("%2d.", i+1)
	head := num + " " + who + ": " + st.Title
	at := "+" + trace.Dur(st.Start)
	if room := Width - utf8.RuneCountInString(at) - 1; utf8.RuneCountInString(head) > room {
		head = string([]rune(head)[:room-1]) + "…"
	}
	pad := Width - utf8.RuneCountInString(head) - utf8.RuneCountInString(at)
	title := head
	if st.Failed {
		title = p.st.bad(head)
	} else {
		title = p.st.bold(head)
	}
	p.printf("\n%s%s%s\n", title, strings.Repeat(" ", max(pad, 1)), p.st.dim(at))
	// story.Wrap keeps a number with its unit (a no-break space joins
	// them), as the tour wraps the same narration.
	for _, l := range story.Wrap(st.Narration, Width-len(storyIndent)) {
		p.printf("%s%s\n", storyIndent, l)
	}
	if p.opt.Bytes {
		p.lessonBytes(st)
	}
	if st.Page != nil {
		p.page(st.Page)
	}
}

// maxLessonBytes bounds the hex dump of a step's lesson field (--bytes):
// eight lines of sixteen, enough for a question, a header or a status line.
const maxLessonBytes = 128

// lessonBytes dumps the bytes of the step's lesson field in hex (--bytes).
func (p *Printer) lessonBytes(st story.Step) {
	l := st.Lesson
	if l == nil || l.Offset < 0 || l.Length <= 0 || l.Offset+l.Length > len(st.Bytes) {
		return
	}
	b := st.Bytes[l.Offset : l.Offset+l.Length]
	p.printf("%s%s\n", storyIndent, p.st.dim(fmt.Sprintf("%s: %s at offset %d of %d", safetext.Line(l.Name), facts.Count(l.Length, "byte", "bytes"), l.Offset, len(st.Bytes))))
	more := 0
	if len(b) > maxLessonBytes {
		more = len(b) - maxLessonBytes
		b = b[:maxLessonBytes]
	}
	p.printf("%s", hexDump(b, storyIndent))
	if more > 0 {
		p.printf("%s%s\n", storyIndent, p.st.dim("… "+facts.Count(more, "more byte", "more bytes")))
	}
}

// page writes the laid-out page under its step, indented, bounded.
func (p *Printer) page(pg *story.Page) {
	bar := storyIndent + "│ "
	lines := pg.Lines(Width - utf8.RuneCountInString(bar))
	more := 0
	if len(lines) > maxStoryPageLines {
		more = len(lines) - maxStoryPageLines
		lines = lines[:maxStoryPageLines]
	}
	p.printf("\n")
	for _, l := range lines {
		// Page lines are already safe (package story) and laid out to fit.
		p.printf("%s\n", strings.TrimRight(bar+l, " "))
	}
	if more > 0 {
		p.printf("%s%s\n", storyIndent, p.st.dim(fmt.Sprintf("… %s more", facts.Count(more, "line", "lines"))))
	}
}
