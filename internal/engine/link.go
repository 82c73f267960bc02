package engine

import (
	"fmt"
	"sync/atomic"

	"journey/internal/dial"
	"journey/internal/trace"
)

// maxLossNotes bounds the losses noted one by one: a large body at a high
// --lab-loss loses hundreds of segments, and a report of a dozen already
// shows what loss does.
const maxLossNotes = 12

// observeLinks starts the lab's link model afresh for this journey (so a
// seed repeats it exactly, run after run) and notes each packet it loses
// on purpose in the stage running when it was lost, so the report can say
// why that stage took longer. It returns the function that stops it.
func observeLinks(cfg Config, rec *trace.Recorder) func() {
	r, ok := cfg.Dialer.(*dial.Router)
	if !ok || r.Net == nil {
		return func() {}
	}
	var noted atomic.Int32
	r.Net.Begin(func(ev dial.Event) {
		switch n := noted.Add(1); {
		case n <= maxLossNotes:
			rec.Note(runningStage(rec), ev.String())
		case n == maxLossNotes+1:
			rec.Note(runningStage(rec), fmt.Sprintf("More packets were lost on purpose from here on; they are not listed one by one (journey lists the first %d).", maxLossNotes))
		}
	})
	return r.Net.End
}

// runningStage is the stage now running; DNS before any has started.
func runningStage(rec *trace.Recorder) trace.StageKind {
	kind := trace.StageDNS
	for _, s := range rec.Snapshot().Stages {
		if s.Status == trace.StatusRunning {
			kind = s.Kind
		}
	}
	return kind
}
