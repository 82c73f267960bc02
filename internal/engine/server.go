package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"journey/internal/gateway"
	"journey/internal/router"
	"journey/internal/trace"
)

// serverStagesWait bounds how long the engine waits for the lab's web
// server to hand over its trace after the response arrived: the server
// records it before the last byte leaves, so this only covers scheduling.
const serverStagesWait = 2 * time.Second

// runServerSide records the gateway and router stages: in the lab, those the
// lab's web server really ran; live, a re-enactment on the sent bytes.
func runServerSide(ctx context.Context, cfg Config, rec *trace.Recorder, got *fetched) error {
	if got == nil || len(got.Request) == 0 {
		skipServer(rec, "not reached: no request reached a server")
		return nil
	}
	var err error
	if cfg.ServerStages != nil {
		err = labServerSide(ctx, cfg, rec, got)
	} else {
		err = reenact(cfg, rec, got)
	}
	if err != nil {
		// Failed, with the reason, not left pending for the engine to call
		// skipped: the router is then skipped as not reached.
		rec.FinishStage(trace.StageGateway, err, nil)
		rec.SkipStage(trace.StageRouter, "not reached: the "+trace.StageGateway.Title()+" stage failed")
	}
	return err
}

func skipServer(rec *trace.Recorder, why string) {
	rec.SkipStage(trace.StageGateway, why)
	rec.SkipStage(trace.StageRouter, why)
}

// labServerSide asks the lab's web server for the stages it recorded while
// serving this very request (or takes those already shown while step mode
// held the response), and puts them on the journey's time axis.
func labServerSide(ctx context.Context, cfg Config, rec *trace.Recorder, got *fetched) error {
	stages := cfg.held.take(got.Local)
	if stages == nil {
		var err error
		if stages, err = labStages(ctx, cfg, rec, got.Local); err != nil {
			return err
		}
	}
	setServerStages(rec, stages)
	return nil
}

// labStages takes from the lab's web server the stages it recorded for the
// connection from client, rebased onto the journey's axis.
func labStages(ctx context.Context, cfg Config, rec *trace.Recorder, client string) ([]*trace.Stage, error) {
	ctx, cancel := context.WithTimeout(ctx, serverStagesWait)
	defer cancel()
	stages, err := cfg.ServerStages(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("the lab's web server kept no trace for the connection from %s: %w", client, err)
	}
	stages = slices.DeleteFunc(stages, func(st *trace.Stage) bool { return st == nil })
	if len(stages) == 0 {
		return nil, fmt.Errorf("the lab's web server kept no trace for the connection from %s", client)
	}
	for _, st := range stages {
		rebase(rec, st, cfg.held)
	}
	return stages, nil
}

// setServerStages records the lab server's stages, the gateway's saying
// where they come from. Each is copied: the same stages may be set twice
// (while step mode holds the response, then once it has arrived).
func setServerStages(rec *trace.Recorder, stages []*trace.Stage) {
	for _, st := range stages {
		cp := *st
		if cp.Kind == trace.StageGateway {
			notes := append([]string{"recorded by the lab's web server while it served this very request (in-process, on its own clock, placed on this journey's time axis)"}, lastOfMany(rec)...)
			cp.Notes = append(notes, st.Notes...)
		}
		rec.SetStage(&cp)
	}
}

// reenact runs the gateway here on the request bytes that were sent. The
// real site runs its own software: the stages say so.
func reenact(cfg Config, rec *trace.Recorder, got *fetched) error {
	conf, err := router.Load(cfg.URLs)
	if err != nil {
		return fmt.Errorf("loading the URL configuration for the re-enactment: %w", err)
	}
	scheme := got.Scheme
	if scheme == "" {
		scheme = "http"
	}
	served := gateway.NewSite(conf).Handle(bytes.NewReader(got.Request), io.Discard, gateway.ConnInfo{Client: got.Local, Server: got.Remote, Scheme: scheme, Reenacted: true})
	why := fmt.Sprintf("re-enacted: %s runs its own server software, unseen from here; this is what a Django-style server would do with the exact bytes sent, run on this machine", remoteName(got))
	notes := []string{why}
	if real := realStatus(rec); real != 0 && real != served.Status {
		notes = append(notes, fmt.Sprintf("the real site answered %d %s; this re-enactment answers %d %s: the real site runs its own software and its own URL patterns (not journey's %s), so its answer can differ; the stages here show what a Django project with those patterns would do",
			real, http.StatusText(real), served.Status, http.StatusText(served.Status), conf.Name))
	}
	many := lastOfMany(rec)
	for _, st := range []*trace.Stage{served.Gateway, served.Router} {
		rebase(rec, st, nil)
		n := append([]string(nil), notes...)
		if st.Kind == trace.StageGateway {
			n = append(n, many...)
		}
		st.Notes = append(n, st.Notes...)
		// Every exchange and step says it too, for a view that shows one
		// alone.
		for _, e := range st.Exchanges {
			e.Label = "re-enacted here: " + e.Label
		}
		if g := st.Gateway; g != nil {
			for i := range g.Steps {
				g.Steps[i].Detail = "re-enacted here: " + g.Steps[i].Detail
			}
		}
		rec.SetStage(st)
	}
	return nil
}

// realStatus is the status the real server answered the last request
// with, or 0.
func realStatus(rec *trace.Recorder) int {
	st := rec.Snapshot().Stage(trace.StageHTTP)
	if st == nil || st.HTTP == nil {
		return 0
	}
	return st.HTTP.Status
}

func remoteName(got *fetched) string {
	if got.Remote != "" {
		return "the real site (" + got.Remote + ")"
	}
	return "the real site"
}

// rebase moves a server-side stage's offsets, counted from the moment the
// server began (Gateway.Origin or Router.Origin), onto the journey's axis.
// held, in step mode, gives back the server's waits for the class since
// then, which converting the moment now would wrongly take off.
func rebase(rec *trace.Recorder, st *trace.Stage, held *holdClock) {
	var origin time.Time
	switch {
	case st.Gateway != nil:
		origin = st.Gateway.Origin
	case st.Router != nil:
		origin = st.Router.Origin
	}
	if origin.IsZero() {
		return
	}
	d := rec.Offset(origin) + held.heldSince(origin)
	st.Start += d
	for _, e := range st.Exchanges {
		e.Start += d
	}
	if g := st.Gateway; g != nil {
		for i := range g.Steps {
			g.Steps[i].Start += d
		}
		for i := range g.Middleware {
			g.Middleware[i].Start += d
		}
	}
	if r := st.Router; r != nil && r.Start != 0 {
		r.Start += d
	}
}

// lastOfMany says, when the HTTP stage made more than one request (-L, one
// per redirect followed), that the server side shown is the last one's.
// It goes into the stage before the stage is set, so that a report
// printed as the stages finish holds it too.
func lastOfMany(rec *trace.Recorder) []string {
	st := rec.Snapshot().Stage(trace.StageHTTP)
	if st == nil || st.HTTP == nil || len(st.HTTP.Hops) < 2 {
		return nil
	}
	return []string{fmt.Sprintf("%d requests were made; the server side shown is the last one's", len(st.HTTP.Hops))}
}
