package facts

import (
	"time"

	"journey/internal/trace"
)

// Timing is the journey's timing summary, both ways developers know it.
type Timing struct {
	// Moments, as offsets from the journey's start: curl -w's
	// time_namelookup, time_connect, time_appconnect, time_starttransfer,
	// time_redirect and time_total (see trace.Summary).
	trace.Summary

	// Segments, as httpstat draws them: each the length of one phase of
	// the final request. DNS is the DNS stage; the others are the final
	// request's own phases (TCP handshake, TLS handshake, request written
	// to first byte, first byte to last), the same figures the waterfall
	// draws, so the two never disagree. Writing the request is the
	// waterfall's own row and no segment: it is short, and httpstat has
	// no such segment.
	DNS, TCP, TLS, Server, Transfer time.Duration

	// HTTPS says whether the final request was over TLS (a TLS segment of
	// zero is then worth saying).
	HTTPS bool
	// Complete says whether a response's first byte arrived: without one,
	// Server and Transfer are zero because they never happened.
	Complete bool
}

// TimingOf reads the journey's timing: the summary recorded in
// Journey.Timing, or, for a recording made before it existed, the same
// summary computed now; and httpstat's segments.
func TimingOf(j *trace.Journey) Timing {
	var t Timing
	if j == nil {
		return t
	}
	if j.Timing != nil {
		t.Summary = *j.Timing
	} else {
		t.Summary = trace.Summarize(j)
	}
	if s := j.Stage(trace.StageDNS); s != nil && (s.Status == trace.StatusDone || s.Status == trace.StatusFailed) {
		t.DNS = s.Duration
	}
	var hops []trace.HTTPHop
	if s := j.Stage(trace.StageHTTP); s != nil && s.HTTP != nil {
		hops = s.HTTP.Hops
	}
	if len(hops) > 0 {
		h := hops[len(hops)-1].Timing
		t.TCP, t.TLS = h.Connect, h.TLS
		t.HTTPS = h.TLSStart > 0 || h.TLS > 0 || hops[len(hops)-1].TLS != nil
		if h.FirstByte > 0 {
			t.Complete = true
			t.Server, t.Transfer = h.TTFB, h.Transfer
		}
		if len(hops) == 1 {
			if c := j.Stage(trace.StageConnect); c != nil && c.Connect != nil && c.Connect.TLS != nil {
				t.HTTPS = true
			}
		}
		return t
	}
	if c := j.Stage(trace.StageConnect); c != nil && c.Connect != nil {
		t.TCP = c.Connect.TCP
		if c.Connect.TLS != nil {
			t.HTTPS = true
			t.TLS = c.Connect.TLS.Handshake
		}
	}
	return t
}
