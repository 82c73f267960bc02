package explain

import (
	"fmt"
	"strings"
	"time"

	"journey/internal/facts"
	"journey/internal/trace"
)

// Timing explains where the journey's time went, in the order it was
// spent, with the figures the plain report's last line gives (httpstat's
// split, facts.TimingOf) and which phase took the most. It returns an
// empty string for a nil journey.
func Timing(j *trace.Journey) string {
	if j == nil {
		return ""
	}
	t := facts.TimingOf(j)
	type phase struct {
		what string
		d    time.Duration
	}
	var phases []phase
	add := func(what string, d time.Duration, ok bool) {
		if ok {
			phases = append(phases, phase{what, d})
		}
	}
	add("finding the address (DNS)", t.DNS, t.DNS > 0)
	add("following redirects", t.Redirect-t.NameLookup, t.Redirect > 0)
	add("opening the TCP connection", t.TCP, t.TCP > 0)
	add("agreeing on keys (TLS)", t.TLS, t.HTTPS && t.TLS > 0)
	add("waiting for the server to answer", t.Server, t.Complete)
	add("receiving the rest of the response", t.Transfer, t.Complete)
	if len(phases) == 0 {
		return ""
	}
	var b strings.Builder
	if t.Complete {
		fmt.Fprintf(&b, "From the start to the last byte of the response: %s. Of that:", trace.Dur(t.Total))
	} else {
		fmt.Fprintf(&b, "The journey ran %s and stopped before any answer came. Until then:", trace.Dur(t.Total))
	}
	most := 0
	parts := make([]string, len(phases))
	for i, p := range phases {
		parts[i] = fmt.Sprintf("%s %s", trace.Dur(p.d), p.what)
		if p.d > phases[most].d {
			most = i
		}
	}
	fmt.Fprintf(&b, " %s.", strings.Join(parts, ", "))
	if len(phases) > 1 {
		fmt.Fprintf(&b, " The largest share went to %s.", phases[most].what)
	}
	return keepUnits(b.String())
}
