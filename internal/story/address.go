package story

import (
	"fmt"
	"strings"

	"journey/internal/trace"
)

// address is the first step: the TARGET taken apart, before anything is sent.
func (b *builder) address() {
	s := b.j.Stage(trace.StageAddress)
	if s == nil {
		return
	}
	st := Step{Stage: trace.StageAddress, Kind: KindAddress, From: you, To: you,
		Start: s.Start, Duration: s.Duration, Failed: s.Status == trace.StatusFailed}
	a := s.Address
	if a == nil {
		switch {
		case s.Error != "":
			st.Title = "the address: refused"
			st.Narration = fmt.Sprintf("The target %q could not be taken apart: %s.", line(b.j.Target), strings.TrimSuffix(line(s.Error), "."))
		case s.Status == trace.StatusPending || s.Status == trace.StatusRunning:
			// Not taken apart yet: the story starts when it is.
			return
		default:
			st.Title = "the address"
			st.Narration = fmt.Sprintf("The target %q, as typed; the recording does not say how it was taken apart.", line(b.j.Target))
		}
		b.add(st)
		return
	}
	st.Title = "the address taken apart"
	var n strings.Builder
	fmt.Fprintf(&n, "Before anything is sent, the address is taken apart: scheme %s", line(a.Scheme))
	if a.SchemeAssumed {
		n.WriteString(" (assumed: none was typed)")
	}
	fmt.Fprintf(&n, ", host %s, port %d", line(a.Host), a.Port)
	if a.PortDefault {
		fmt.Fprintf(&n, " (%s's default)", line(a.Scheme))
	}
	fmt.Fprintf(&n, ", path %s", line(a.Path))
	if a.Query != "" {
		fmt.Fprintf(&n, ", query %s", line(a.Query))
	}
	n.WriteString(".")
	switch {
	case a.IsIP:
		n.WriteString(" The host is an IP address already, so no DNS lookup is needed.")
	case a.ASCIIHost != "" && a.ASCIIHost != a.Host:
		fmt.Fprintf(&n, " DNS carries only ASCII, so the name goes out as punycode: %s.", line(a.ASCIIHost))
	case a.Registrable != "" && a.PublicSuffix != "":
		fmt.Fprintf(&n, " Read right to left: %s is the public suffix, %s the domain its owner registered.", line(a.PublicSuffix), line(a.Registrable))
	}
	if a.Fragment != "" {
		fmt.Fprintf(&n, " The fragment #%s is never sent.", line(a.Fragment))
	}
	st.Narration = n.String()
	b.add(st)
}
