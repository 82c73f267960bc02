package explain

import (
	"fmt"
	"strings"
	"time"

	"journey/internal/facts"
	"journey/internal/trace"
)

// phase is one part of the journey's time, in words.
type phase struct {
	what string
	d    time.Duration
}

// phases are the parts of the journey's time, in the order they were
// spent, with httpstat's split (facts.TimingOf), and the index of the
// largest; none for a nil journey or one that never got as far as DNS.
func phases(j *trace.Journey) (facts.Timing, []phase, int) {
	if j == nil {
		return facts.Timing{}, nil, -1
	}
	t := facts.TimingOf(j)
	var ps []phase
	add := func(what string, d time.Duration, ok bool) {
		if ok {
			ps = append(ps, phase{what, d})
		}
	}
	add("finding the address (DNS)", t.DNS, t.DNS > 0)
	add("following redirects", t.Redirect-t.NameLookup, t.Redirect > 0)
	add("opening the TCP connection", t.TCP, t.TCP > 0)
	add("agreeing on keys (TLS)", t.TLS, t.HTTPS && t.TLS > 0)
	add("waiting for the server to answer", t.Server, t.Complete)
	add("receiving the rest of the response", t.Transfer, t.Complete)
	most := -1
	for i, p := range ps {
		if most < 0 || p.d > ps[most].d {
			most = i
		}
	}
	return t, ps, most
}

// Timing explains where the journey's time went, in the order it was
// spent, with the figures the plain report's last line gives (httpstat's
// split, facts.TimingOf) and which phase took the most. It returns an
// empty string for a nil journey.
func Timing(j *trace.Journey) string {
	t, ps, most := phases(j)
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	if t.Complete {
		fmt.Fprintf(&b, "From the start to the last byte of the response: %s. Of that:", trace.Dur(t.Total))
	} else {
		fmt.Fprintf(&b, "The journey ran %s and stopped before a response came back. Until then:", trace.Dur(t.Total))
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s %s", trace.Dur(p.d), p.what)
	}
	fmt.Fprintf(&b, " %s.", strings.Join(parts, ", "))
	if len(ps) > 1 {
		fmt.Fprintf(&b, " The largest share went to %s.", ps[most].what)
	}
	return keepUnits(b.String())
}

// Share says, in one sentence, which part of the journey's time cost the
// most, and of which total: for a report that already gives every figure
// (the plain report's httpstat line) this is the part worth reading, and
// it says what that line's total counts (to the response's last byte, not
// to the end of the journey's server-side bookkeeping). Empty for a nil
// journey.
func Share(j *trace.Journey) string {
	t, ps, most := phases(j)
	if len(ps) == 0 {
		return ""
	}
	of := "the " + trace.Dur(t.Total) + " to the response's last byte"
	if !t.Complete {
		of = "the " + trace.Dur(t.Total) + " before the journey stopped"
	}
	p := ps[most]
	if len(ps) == 1 {
		return keepUnits(fmt.Sprintf("Of %s, %s went to %s.", of, trace.Dur(p.d), p.what))
	}
	return keepUnits(fmt.Sprintf("Of %s, the largest share, %s, went to %s.", of, trace.Dur(p.d), p.what))
}
