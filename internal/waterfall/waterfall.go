// Package waterfall computes the timing waterfall of a journey: one row per
// step on one time axis from the journey's start, the DNS stage split into
// its hops and the HTTP stage split as httpstat splits it (connect, TLS,
// request written, server processing, content transfer). Renderers draw the
// bars; this package only does the arithmetic, so the TUI and the plain
// report always agree.
package waterfall

import (
	"fmt"
	"strings"
	"time"

	"journey/internal/trace"
)

// Row is one bar of the waterfall.
type Row struct {
	Label    string          // what the bar is ("a.root-servers.net", "TLS handshake")
	Start    time.Duration   // offset from the journey's start
	Duration time.Duration   // length of the bar
	Depth    int             // indentation: a nested DNS lookup, a redirect hop's phases
	Kind     trace.StageKind // the stage the row belongs to
	Failed   bool            // the step ended in an error
}

// End is the offset at which the row ends.
func (r Row) End() time.Duration { return r.Start + r.Duration }

// Rows computes the waterfall of j. Stages that did not run (pending,
// skipped) have no row. A stage with nothing to split gets one row.
func Rows(j *trace.Journey) []Row {
	if j == nil {
		return nil
	}
	var rows []Row
	for _, s := range j.Stages {
		if s == nil || s.Status == trace.StatusPending || s.Status == trace.StatusSkipped {
			continue
		}
		var split []Row
		switch s.Kind {
		case trace.StageDNS:
			split = dnsRows(s)
		case trace.StageConnect:
			split = connectRows(s)
		case trace.StageHTTP:
			split = httpRows(s)
		}
		if len(split) == 0 {
			split = []Row{stageRow(s)}
		}
		rows = append(rows, split...)
	}
	return rows
}

// End is the offset at which the last row ends: the waterfall's time axis.
func End(rows []Row) time.Duration {
	var end time.Duration
	for _, r := range rows {
		end = max(end, r.End())
	}
	return end
}

func stageRow(s *trace.Stage) Row {
	return Row{Label: s.Kind.Title(), Start: s.Start, Duration: s.Duration, Kind: s.Kind, Failed: s.Status == trace.StatusFailed}
}

// dnsRows is one row per DNS exchange (hop).
func dnsRows(s *trace.Stage) []Row {
	var rows []Row
	for _, e := range s.Exchanges {
		label := e.Peer.Name
		if label == "" {
			label = e.Peer.Addr
		}
		if e.DNS != nil && e.DNS.Question != "" {
			// The record type is what tells two hops to one server apart;
			// the name asked is the same all along the walk.
			q := strings.Fields(e.DNS.Question)
			label += " " + q[len(q)-1]
		}
		rows = append(rows, Row{Label: label, Start: e.Start, Duration: e.Duration, Depth: e.Depth, Kind: trace.StageDNS, Failed: e.Failed()})
	}
	return rows
}

// connectRows is one row per failed TCP attempt, then the TCP connect and
// the TLS handshake of the connection used. Later redirect hops' connects
// are drawn with their hop in httpRows.
func connectRows(s *trace.Stage) []Row {
	c := s.Connect
	if c == nil {
		return nil
	}
	var rows []Row
	for _, a := range c.Attempts {
		label := "TCP connect " + a.Addr
		rows = append(rows, Row{Label: label, Start: a.Start, Duration: a.Duration, Kind: trace.StageConnect, Failed: a.Error != ""})
	}
	if c.TLS != nil {
		failed := s.Status == trace.StatusFailed
		rows = append(rows, Row{Label: "TLS handshake", Start: c.TLS.Start, Duration: c.TLS.Handshake, Kind: trace.StageConnect, Failed: failed})
	}
	return rows
}

// httpRows splits each hop into request written, server processing and
// content transfer; a redirect hop after the first also shows its own
// connect and TLS.
func httpRows(s *trace.Stage) []Row {
	h := s.HTTP
	if h == nil || len(h.Hops) == 0 {
		return nil
	}
	var rows []Row
	for i, hop := range h.Hops {
		t := hop.Timing
		depth := 0
		if len(h.Hops) > 1 {
			depth = 1
			rows = append(rows, Row{Label: fmt.Sprintf("hop %d: %s %s", i+1, hop.Method, hop.URL), Start: t.Start, Duration: t.Total, Kind: trace.StageHTTP})
		}
		add := func(label string, at, d time.Duration, show bool) {
			if show {
				rows = append(rows, Row{Label: label, Start: at, Duration: d, Depth: depth, Kind: trace.StageHTTP})
			}
		}
		// The first hop's connect and TLS are the connect stage's rows.
		add("TCP connect", t.Start, t.Connect, i > 0)
		add("TLS handshake", t.TLSStart, t.TLS, i > 0 && t.TLS > 0)
		add("request written", t.WriteStart, t.Write, true)
		add("server processing (TTFB)", t.WriteStart+t.Write, t.TTFB, true)
		add("content transfer", t.WriteStart+t.Write+t.TTFB, t.Transfer, true)
	}
	if s.Status == trace.StatusFailed && len(rows) > 0 {
		rows[len(rows)-1].Failed = true
	}
	return rows
}
