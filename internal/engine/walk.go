package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"journey/internal/trace"
)

// ResolverWalk is what a recursive resolver did for one stub question: its
// own walk of the tree (on its own clock, Start counting from At), or an
// answer from its cache. The lab's resolver tells it; a real one cannot.
type ResolverWalk struct {
	At        time.Time
	Exchanges []*trace.Exchange
	Cached    bool
	Age       time.Duration // how long the cached answer had been kept
	Who       string        // which resolver this is, in a sentence
}

// walkFor says why the resolver's walk is nested under the stub's question.
const walkFor = "the resolver's own walk down the tree, from the root, because its cache held no answer"

// nestWalks adds, under each question the stub asked the resolver, the
// resolver's own walk (one level deeper, on the journey's time axis), or
// says the answer came from its cache.
func nestWalks(cfg Config, rec *trace.Recorder) {
	st := rec.Snapshot().Stage(trace.StageDNS)
	if st == nil || cfg.ResolverWalk == nil {
		return
	}
	saidWho := false
	for _, ex := range st.Exchanges {
		if ex.Kind != "dns" || ex.Depth != 0 || ex.DNS == nil || ex.Local == "" || ex.Failed() {
			continue
		}
		w, ok := cfg.ResolverWalk(ex.Local, ex.DNS.ID)
		if !ok {
			continue
		}
		if w.Who != "" && !saidWho && !slices.Contains(st.Notes, w.Who+".") {
			rec.Note(trace.StageDNS, w.Who+".")
			saidWho = true
		}
		if w.Cached {
			rec.Note(trace.StageDNS, fmt.Sprintf("The resolver answered %s from its cache: it had walked the tree for it %s before, so no query left it; each TTL in its answer is what was left of it (they count down by the seconds kept).",
				strings.TrimSuffix(ex.DNS.Question, " "), trace.Dur(w.Age)))
			continue
		}
		for _, we := range w.Exchanges {
			nested := *we
			nested.Depth = we.Depth + 1
			nested.Start = rec.Offset(w.At.Add(we.Start))
			if we.DNS != nil {
				d := *we.DNS
				if d.For == "" {
					d.For = walkFor
				}
				nested.DNS = &d
			}
			rec.AddExchange(trace.StageDNS, &nested)
		}
	}
}
