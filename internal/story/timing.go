package story

import (
	"journey/internal/explain"
	"journey/internal/facts"
	"journey/internal/trace"
)

// timing ends a finished journey with where its time went: httpstat's
// split of it, the figures the plain report's last line gives, in words.
// A journey still running has no such step: its time is not all in.
func (b *builder) timing() {
	if b.j.Timing == nil {
		return
	}
	why := explain.Timing(b.j)
	if why == "" {
		return
	}
	t := facts.TimingOf(b.j)
	title := "where the time went: " + trace.Dur(t.Total)
	if b.second {
		title = "the second visit: " + trace.Dur(t.Total)
	}
	b.add(Step{Kind: KindTiming, From: you, To: you, Start: t.Total, ExchangeIndex: -1,
		Title: title, Narration: why})
}
