package trace

import "time"

// Summary is the journey's timing in curl -w's terms: each figure is an
// offset from the journey's start at which a moment was reached, so each
// includes the ones before it (namelookup ≤ connect ≤ appconnect ≤
// starttransfer ≤ total). A moment never reached is zero, as curl prints
// 0 for time_appconnect over plain http.
//
// With -L, connect, appconnect and starttransfer are the final request's,
// and redirect is when that request began (curl's time_redirect): the
// hops before it are in the HTTP stage's hops.
type Summary struct {
	NameLookup    time.Duration `json:"namelookup_ns"`    // the DNS stage ended (the address known)
	Connect       time.Duration `json:"connect_ns"`       // the TCP connection was established
	AppConnect    time.Duration `json:"appconnect_ns"`    // the TLS handshake finished; 0 for http
	StartTransfer time.Duration `json:"starttransfer_ns"` // the response's first byte arrived
	Redirect      time.Duration `json:"redirect_ns"`      // the final request's connect began; 0 without redirects
	Total         time.Duration `json:"total_ns"`         // the response's last byte arrived, or the journey stopped
}

// Summarize computes j's timing summary from its stages. Recorder.Finish
// stores it in Journey.Timing; a reader of an older recording without one
// may compute it the same way.
func Summarize(j *Journey) Summary {
	var s Summary
	if j == nil {
		return s
	}
	if d := j.Stage(StageDNS); d != nil && (d.Status == StatusDone || d.Status == StatusSkipped) {
		s.NameLookup = d.Start + d.Duration
		if d.Status == StatusSkipped {
			s.NameLookup = d.Start
		}
	}
	s.Total = j.Duration
	var hops []HTTPHop
	if h := j.Stage(StageHTTP); h != nil && h.HTTP != nil {
		hops = h.HTTP.Hops
	}
	if len(hops) == 0 {
		// Stopped before any request: what the connect stage reached.
		// A TCP connection may be up though the stage failed (in TLS).
		if c := j.Stage(StageConnect); c != nil && c.Connect != nil {
			s.Connect = connectEnd(c.Connect)
			if t := c.Connect.TLS; t != nil && c.Status == StatusDone {
				s.AppConnect = t.Start + t.Handshake
			}
		}
		return s
	}
	last := hops[len(hops)-1].Timing
	if len(hops) > 1 {
		s.Redirect = last.Start
	}
	s.Connect = last.Start + last.Connect
	if last.TLS > 0 {
		s.AppConnect = last.TLSStart + last.TLS
	}
	if last.FirstByte > 0 {
		s.StartTransfer = last.FirstByte
		s.Total = last.FirstByte + last.Transfer
	}
	return s
}

// connectEnd is the offset at which the connection used was established.
func connectEnd(c *Connect) time.Duration {
	for i := len(c.Attempts) - 1; i >= 0; i-- {
		if a := c.Attempts[i]; a.Error == "" {
			return a.Start + a.Duration
		}
	}
	return 0
}

// Reached is the latest moment the trace records: the end of its last
// stage or exchange. A journey cut short before Recorder.Finish (a view
// closed mid-journey keeps its last snapshot) has no Duration of its own;
// this is the most it can say.
func (j *Journey) Reached() time.Duration {
	var end time.Duration
	for _, s := range j.Stages {
		if s == nil {
			continue
		}
		end = max(end, s.Start+s.Duration)
		for _, e := range s.Exchanges {
			if e != nil {
				end = max(end, e.Start+e.Duration)
			}
		}
	}
	return end
}
