package story

import (
	"fmt"
	"strings"

	"journey/internal/trace"
)

// warm tells the second visit (--warm) after the first: what the first
// left behind (the name in the cache, the connection kept open, a copy of
// the page) and what that saves, then its steps as the first visit's are
// told. They count from the first visit's start: the two visits happened
// one after the other.
func (b *builder) warm() {
	w := b.j.Warm
	if w == nil || len(w.Stages) == 0 {
		return
	}
	at := w.Started.Sub(b.j.Started)
	if b.j.Started.IsZero() || w.Started.IsZero() || at < 0 {
		at = b.j.Duration
	}
	first, told, from := b.j, b.told, len(b.steps)
	// The second visit's own trace: the first's indices mean nothing in it.
	b.j, b.told, b.second = w, false, true
	b.late, b.lateTold, b.serverRequest = nil, false, nil
	b.add(Step{Kind: KindVisit, From: you, To: you, Title: "the second visit", Narration: visitNarration(w)})
	b.visit()
	b.j, b.told, b.second = first, told || b.told, false
	for i := from; i < len(b.steps); i++ {
		st := &b.steps[i]
		st.Start += at
		st.Second, st.ExchangeIndex = true, -1
	}
}

// visitNarration says what the second visit is spared, from its trace.
func visitNarration(w *trace.Journey) string {
	var n strings.Builder
	n.WriteString("A second visit to the same address, as a browser makes at the next click (--warm).")
	if d := w.Stage(trace.StageDNS); d != nil && d.DNS != nil && d.DNS.Method == trace.MethodCache {
		n.WriteString(" The address is still in the cache, within the answer's TTL: no DNS question.")
	}
	if c := w.Stage(trace.StageConnect); c != nil && c.Status == trace.StatusDone && len(c.Exchanges) == 0 {
		n.WriteString(" The connection is still open (keep-alive): no TCP handshake, no TLS handshake.")
	}
	if h := w.Stage(trace.StageHTTP); h != nil {
		for _, e := range h.Exchanges {
			if e == nil || e.Kind != "http" {
				continue
			}
			for _, name := range []string{"If-None-Match", "If-Modified-Since"} {
				if f := findField(e.Sent.Fields, name); f != nil {
					fmt.Fprintf(&n, " The request asks for the page only if it changed since the copy kept (%s: %s).", name, line(f.Value))
					return n.String()
				}
			}
		}
	}
	return n.String()
}
