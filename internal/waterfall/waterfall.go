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
	Label    string        // what the bar is ("a.root-servers.net", "TLS handshake")
	Start    time.Duration // offset from the journey's start
	Duration time.Duration // length of the bar
	// Depth is the row's nesting, and what renderers indent by, nothing
	// else: 0 for a step of the journey, 1 for a nested DNS lookup's hop
	// or a redirect hop's phase, and so on.
	Depth int

	Kind   trace.StageKind // the stage the row belongs to
	Failed bool            // the step ended in an error
}

// End is the offset at which the row ends.
func (r Row) End() time.Duration { return r.Start + r.Duration }

// Rows computes the waterfall of j. Stages that did not run (pending,
// skipped) have no row. A stage with nothing to split gets one row.
func Rows(j *trace.Journey) []Row {
	if j == nil {
		return nil
	}
	// With redirects followed, each hop's connection is drawn under its
	// hop, the first's too: the connect stage keeps only its failures.
	h := j.Stage(trace.StageHTTP)
	hops := h != nil && h.HTTP != nil && len(h.HTTP.Hops) > 1
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
			split = connectRows(s, hops)
			if hops && len(split) == 0 {
				continue // all of it is in the first hop's rows
			}
		case trace.StageHTTP:
			split = httpRows(s)
		}
		switch {
		case len(split) == 0:
			split = []Row{stageRow(s)}
		case s.Status == trace.StatusFailed && !failedToEnd(split, s):
			// The steps above may end long before the stage did (a wait
			// with no answer): the stage's own row shows where its time
			// went, to the end.
			r := stageRow(s)
			r.Label += " failed"
			split = append(split, r)
		}
		rows = append(rows, split...)
	}
	return rows
}

// stageEndSlack is how far before its stage's end a failed step may end
// and still stand for the stage's failure: on loopback, the bookkeeping
// between the last exchange and the stage's finish takes microseconds; a
// failure that left more time unaccounted needs the stage's own row.
const stageEndSlack = time.Millisecond

// failedToEnd reports whether the last of rows is a failure that runs to
// the end of stage s, so a row for the stage would only repeat it.
func failedToEnd(rows []Row, s *trace.Stage) bool {
	last := rows[len(rows)-1]
	return last.Failed && last.End() >= s.Start+s.Duration-stageEndSlack
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
		if e.DNS != nil {
			// The record type is what tells two hops to one server apart;
			// the name asked is the same all along the walk.
			// A replay file may hold any question: no type, no label part.
			if q := strings.Fields(e.DNS.Question); len(q) > 0 {
				label += " " + q[len(q)-1]
			}
		}
		rows = append(rows, Row{Label: label, Start: e.Start, Duration: e.Duration, Depth: e.Depth, Kind: trace.StageDNS, Failed: e.Failed()})
	}
	return rows
}

// connectRows is one row per failed TCP attempt, then the TCP connect and
// the TLS handshake of the connection used; with redirects followed
// (hops), the failures only: every hop's connection, the first's too, is
// drawn with its hop in httpRows.
func connectRows(s *trace.Stage, hops bool) []Row {
	c := s.Connect
	if c == nil {
		return nil
	}
	var rows []Row
	for _, a := range c.Attempts {
		if hops && a.Error == "" {
			continue
		}
		label := "TCP connect " + a.Addr
		rows = append(rows, Row{Label: label, Start: a.Start, Duration: a.Duration, Kind: trace.StageConnect, Failed: a.Error != ""})
	}
	if c.TLS != nil && !hops {
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
			rows = append(rows, Row{Label: hopLabel(h.Hops, i), Start: t.Start, Duration: t.Total, Kind: trace.StageHTTP})
		}
		add := func(label string, at, d time.Duration, show bool) {
			if show {
				rows = append(rows, Row{Label: label, Start: at, Duration: d, Depth: depth, Kind: trace.StageHTTP})
			}
		}
		// A hop that failed (no answer, a body cut short) spent time no
		// phase shows: its exchange's row runs to the failure.
		var failed *trace.Exchange
		if hop.Exchange >= 0 && hop.Exchange < len(s.Exchanges) {
			if e := s.Exchanges[hop.Exchange]; e != nil && e.Failed() {
				failed = e
			}
		}
		answered := failed == nil || t.FirstByte > 0 // no byte came: no phase of the answer to show
		// A hop's connection is drawn with it (a single request's is the
		// connect stage's rows).
		add("TCP connect", t.Start, t.Connect, depth > 0)
		add("TLS handshake", t.TLSStart, t.TLS, depth > 0 && t.TLS > 0)
		add("request written", t.WriteStart, t.Write, true)
		add("server processing (TTFB)", t.WriteStart+t.Write, t.TTFB, answered)
		add("content transfer", t.WriteStart+t.Write+t.TTFB, t.Transfer, answered)
		if failed != nil {
			rows = append(rows, Row{Label: "request failed", Start: failed.Start, Duration: failed.Duration, Depth: depth, Kind: trace.StageHTTP, Failed: true})
		}
	}
	return rows
}

// hopLabel names redirect hop i by what tells it from the others, first:
// its method and path, then its scheme and host when they changed.
func hopLabel(hops []trace.HTTPHop, i int) string {
	hop := hops[i]
	origin, path := splitURL(hop.URL)
	label := fmt.Sprintf("hop %d %s %s", i+1, hop.Method, path)
	if i == 0 {
		return label
	}
	if prev, _ := splitURL(hops[i-1].URL); prev != origin && origin != "" {
		label += " at " + origin
	}
	return label
}

// splitURL splits a URL into its origin (scheme://host) and its path and
// query ("/" when none). Whatever the URL is (a replay file may hold
// anything), it never fails: without "://" it is all path.
func splitURL(u string) (origin, path string) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "", u
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return scheme + "://" + rest[:i], rest[i:]
	}
	return u, "/"
}
