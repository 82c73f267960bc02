package engine

import (
	"journey/internal/dial"
	"journey/internal/trace"
)

// observeLinks starts the lab's link model afresh for this journey (so a
// seed repeats it exactly, run after run) and notes each packet it loses
// on purpose in the stage running when it was lost, so the report can say
// why that stage took longer. It returns the function that stops it.
func observeLinks(cfg Config, rec *trace.Recorder) func() {
	r, ok := cfg.Dialer.(*dial.Router)
	if !ok || r.Net == nil {
		return func() {}
	}
	r.Net.Begin(func(ev dial.Event) { rec.Note(runningStage(rec), ev.String()) })
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
