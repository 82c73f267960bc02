package facts

import (
	"strings"

	"journey/internal/trace"
)

// DNSResult is how the DNS stage ended.
type DNSResult int

const (
	DNSNotRun    DNSResult = iota // not reached, or still running
	DNSNotNeeded                  // the host is an IP address
	DNSOverride                   // --resolve gave the address: no question asked
	DNSAnswer                     // addresses came back
	DNSNXDomain                   // the name does not exist
	DNSNoData                     // the name exists but has no address of the types asked
	DNSFailed                     // no usable answer (timeouts, refusals, a limit)
)

// String is the result in a few words, the same in every renderer.
func (r DNSResult) String() string {
	switch r {
	case DNSNotNeeded:
		return "no lookup needed"
	case DNSOverride:
		return "address given by --resolve"
	case DNSAnswer:
		return "answer"
	case DNSNXDomain:
		return "NXDOMAIN"
	case DNSNoData:
		return "NODATA"
	case DNSFailed:
		return "failed"
	}
	return "not run"
}

// DNS is the DNS stage's outcome.
type DNS struct {
	Result DNSResult
	Method string // trace.MethodIterative and so on; empty when not run
	// Name is the name asked for and Final the name that answered after
	// following every CNAME, both without the root's trailing dot; they
	// are equal without an alias.
	Name, Final string
	// Chain is every name from Name to Final, without trailing dots:
	// joined with " → " it reads "shop.example.com → shops.example.net".
	// It has one name when there is no alias.
	Chain     []string
	Addresses []string
	// Queries counts the questions that actually left this machine, in the
	// whole stage (a redirect's lookup included), retries included; a
	// question whose server could not even be dialled did not leave.
	Queries   int
	Referrals int
	Error     string // why the stage failed
}

// Aliased reports whether the name was an alias (a CNAME chain).
func (d DNS) Aliased() bool { return len(d.Chain) > 1 }

// DNSOf reads the DNS stage's outcome. A nil stage is DNSNotRun.
func DNSOf(s *trace.Stage) DNS {
	if s == nil {
		return DNS{}
	}
	out := DNS{Error: s.Error, Queries: queriesSent(s)}
	d := s.DNS
	if d != nil {
		out.Method = d.Method
		out.Name = Bare(d.Name)
		out.Chain = []string{out.Name}
		for _, c := range d.Chain {
			out.Chain = append(out.Chain, Bare(c))
		}
		out.Final = out.Chain[len(out.Chain)-1]
		out.Addresses = d.Addresses
		out.Referrals = d.Referrals
		if out.Queries == 0 && len(s.Exchanges) == 0 {
			out.Queries = d.Queries // the system's resolver: no exchange recorded
		}
	}
	switch {
	case s.Status == trace.StatusSkipped:
		// The engine skips DNS for an IP literal with a note that says so
		// and records no result; a skip after an earlier failure ("not
		// reached") is a lookup that did not run.
		out.Result = DNSNotRun
		if d != nil && d.Method == trace.MethodNone || d == nil && len(s.Exchanges) == 0 && strings.Contains(SkipReason(s), "IP address") {
			out.Result = DNSNotNeeded
		}
	case s.Status == trace.StatusPending || s.Status == trace.StatusRunning:
		out.Result = DNSNotRun
	case d != nil && d.Method == trace.MethodOverride:
		out.Result = DNSOverride
	case d != nil && d.Method == trace.MethodNone:
		out.Result = DNSNotNeeded
	case s.Status == trace.StatusDone && d != nil && len(d.Addresses) > 0:
		out.Result = DNSAnswer
	default:
		out.Result = failure(s)
	}
	return out
}

// failure tells NXDOMAIN and NODATA, which are answers, from a lookup that
// got no usable answer at all.
func failure(s *trace.Stage) DNSResult {
	kind := ""
	if d := s.DNS; d != nil {
		switch d.RCode {
		case "NXDOMAIN":
			return DNSNXDomain
		case "NOERROR":
			kind = trace.DNSNoData
		}
	}
	// The last answer from a server says it when the result does not.
	for i := len(s.Exchanges) - 1; i >= 0; i-- {
		e := s.Exchanges[i]
		if e == nil || e.DNS == nil || e.Failed() {
			continue
		}
		switch e.DNS.Kind {
		case trace.DNSNXDomain:
			return DNSNXDomain
		case trace.DNSNoData:
			return DNSNoData
		}
		break
	}
	if kind == trace.DNSNoData {
		return DNSNoData
	}
	return DNSFailed
}

// queriesSent counts the stage's DNS questions whose bytes left.
func queriesSent(s *trace.Stage) int {
	n := 0
	for _, e := range s.Exchanges {
		if e != nil && e.Kind == "dns" && e.Sent.Size() > 0 {
			n++
		}
	}
	return n
}

// Bare is a DNS name without the root's trailing dot, as a sentence or an
// arrow shows it ("shops.example.net", never "shops.example.net..").
// The root itself stays ".".
func Bare(name string) string {
	if name == "." {
		return name
	}
	return strings.TrimSuffix(name, ".")
}
