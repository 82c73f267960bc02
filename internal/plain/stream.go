package plain

import (
	"io"

	"journey/internal/trace"
)

// Stream prints a journey as it runs: each stage once it is finished and
// can no longer change, in order, so that the report is byte for byte the
// one Render prints of the finished journey (and of its replay).
type Stream struct {
	p      *Printer
	header bool
	titled bool // the header's first line is out (Title)
	next   int  // index in trace.StageOrder of the next stage to print
	// holdForHTTP: following redirects can add lookups and connections to
	// the DNS and connect stages until the HTTP stage ends.
	holdForHTTP bool
}

// NewStream returns a Stream writing to w. With followsRedirects, the DNS
// and connect stages are printed once the HTTP stage has ended.
func NewStream(w io.Writer, opt Options, followsRedirects bool) *Stream {
	return &Stream{p: New(w, opt), holdForHTTP: followsRedirects}
}

// Title prints the header's first line now, before the journey's first
// snapshot (the lab may still be starting); version, mode and target must
// be the journey's own, as Header would print them.
func (s *Stream) Title(version string, mode trace.Mode, target string) {
	if !s.header && !s.titled {
		s.p.Title(version, mode, target)
		s.titled = true
	}
}

// Update prints whatever the snapshot j has settled.
func (s *Stream) Update(j *trace.Journey) {
	if !s.header {
		if s.titled {
			s.p.headerRest(j)
		} else {
			s.p.Header(j)
		}
		s.header = true
	}
	for s.next < len(trace.StageOrder) {
		st := j.Stage(trace.StageOrder[s.next])
		if st == nil || !finished(st) || s.holdForHTTP && (st.Kind == trace.StageDNS || st.Kind == trace.StageConnect) && !finished(j.Stage(trace.StageHTTP)) {
			return
		}
		s.p.Stage(j, st)
		s.next++
	}
}

// Finish prints the rest of the finished journey j and the summary.
func (s *Stream) Finish(j *trace.Journey) {
	s.holdForHTTP = false
	s.Update(j)
	// A journey cut short (a view closed, a signal) stops with stages
	// never finished: what they got to is still told.
	for ; s.next < len(trace.StageOrder); s.next++ {
		if st := j.Stage(trace.StageOrder[s.next]); st != nil {
			s.p.Stage(j, st)
		}
	}
	s.p.Summary(j)
	if j.Warm != nil {
		s.p.warm(j, j.Warm)
	}
}

func finished(st *trace.Stage) bool {
	return st != nil && st.Status != trace.StatusPending && st.Status != trace.StatusRunning
}
