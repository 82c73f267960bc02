package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	jhttp "journey/internal/http"
	"journey/internal/trace"
)

// Warm, set in Config, makes Run visit the target a second time after
// the first, warm, as a browser's second visit goes (--warm): the name
// from the first visit's answer while its TTL lasts, the connection kept
// open (Connection: keep-alive), the page revalidated with If-None-Match
// and If-Modified-Since. The second visit is recorded into Recorder,
// made when it starts (so its offsets count from there); Err is how it
// ended.
type Warm struct {
	Recorder *trace.Recorder
	Err      error
}

// Journey is the second visit, finished, or nil when there was none (the
// first visit failed).
func (w *Warm) Journey() *trace.Journey {
	if w == nil || w.Recorder == nil {
		return nil
	}
	return w.Recorder.Finish(w.Err)
}

// runWarm is the second visit, on the client c whose connection the first
// visit kept; first is the first visit's journey so far.
func runWarm(ctx context.Context, cfg Config, c *jhttp.Client, first *trace.Journey, addrs []string, firstStart time.Time) error {
	rec := cfg.Warm.Recorder
	c.Recorder = rec
	rec.StartStage(trace.StageAddress)
	rec.FinishStage(trace.StageAddress, nil, func(s *trace.Stage) { s.Address = cfg.Target })
	if d := first.Stage(trace.StageDNS); d != nil && d.DNS != nil && d.Status == trace.StatusDone && d.DNS.Method != trace.MethodNone {
		rec.StartStage(trace.StageDNS)
		if d.DNS.Method != trace.MethodOverride {
			rec.Note(trace.StageDNS, cacheNote(d, time.Since(firstStart)))
		}
		rec.FinishStage(trace.StageDNS, nil, func(s *trace.Stage) {
			s.DNS = &trace.DNS{Name: d.DNS.Name, Types: d.DNS.Types, Method: trace.MethodCache, Addresses: addrs}
		})
	} else {
		rec.SkipStage(trace.StageDNS, "no name to look up: no DNS is needed.")
	}
	extra := revalidation(first)
	got, err := c.Revisit(ctx, cfg.Target, extra)
	if err != nil {
		return stageFailed(ctx, cfg, rec, trace.StageHTTP, err)
	}
	if err := runServerSide(ctx, cfg, rec, &fetched{Request: got.Request, Local: got.Local, Scheme: got.Scheme, Remote: got.Remote}); err != nil {
		return stageFailed(ctx, cfg, rec, trace.StageGateway, err)
	}
	return nil
}

// cacheNote says where the warm visit's address came from: the first
// visit's answer, with the TTL left of it.
func cacheNote(d *trace.Stage, age time.Duration) string {
	ttl := -1
	for _, ex := range d.Exchanges {
		if ex.DNS == nil || ex.Depth > 0 {
			continue
		}
		for _, a := range ex.DNS.Answers {
			f := strings.Fields(a)
			if len(f) >= 4 && (f[3] == "A" || f[3] == "AAAA") {
				if n, err := strconv.Atoi(f[1]); err == nil && (ttl < 0 || n < ttl) {
					ttl = n
				}
			}
		}
	}
	if ttl < 0 {
		return "The first visit's answer is kept in journey's cache: no DNS query is sent."
	}
	left := ttl - int(age/time.Second)
	return fmt.Sprintf("The first visit's answer is kept in journey's cache for its TTL, %d s: %d s are left, so no DNS query is sent.", ttl, max(left, 0))
}

// revalidation is what a browser's second visit asks: the page again, if
// it changed since the copy it keeps (the first visit's ETag and
// Last-Modified).
func revalidation(first *trace.Journey) []string {
	h := first.Stage(trace.StageHTTP)
	if h == nil {
		return nil
	}
	var resp []byte
	for _, ex := range h.Exchanges {
		if ex.Kind == "http" {
			resp = ex.Received.Bytes
		}
	}
	var out []string
	for _, line := range strings.Split(string(resp), "\r\n") {
		if line == "" {
			break // the head's end
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch {
		case strings.EqualFold(name, "ETag"):
			out = append(out, "If-None-Match: "+strings.TrimSpace(value))
		case strings.EqualFold(name, "Last-Modified"):
			out = append(out, "If-Modified-Since: "+strings.TrimSpace(value))
		}
	}
	return out
}
