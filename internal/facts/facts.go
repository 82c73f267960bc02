// Package facts owns the one reading of a journey's trace: what a renderer
// states as fact, decided once so that the TUI, the plain report, the
// explanation, the walkthrough and the JSON cannot disagree. A renderer
// keeps its wording and layout and takes the facts from here:
//
//   - TLSOf and VerdictOf: the TLS verdict as a type (Verified;
//     VerifiedWithK, verified though -k was given; UnverifiedWithK, not
//     verified and -k went on; Failed), with why it did not verify.
//   - Peer: the one way to name the other end of an exchange,
//     "a.root-servers.net (198.41.0.4:53)": the name, and the address as
//     recorded, port included.
//   - DNSOf: the DNS outcome (answer, NXDOMAIN, NODATA, failure, or no
//     lookup), the name asked and the final name after CNAMEs (no trailing
//     dot), the addresses, and the count of queries that actually left.
//   - Notes and SkipReason: which of a stage's notes apply to what happened
//     in it (a stage that never ran keeps only why it did not).
//   - TimingOf: the journey's timing, in curl -w's names (namelookup,
//     connect, appconnect, starttransfer, total) and in httpstat's
//     segments (DNS, TCP, TLS, server processing, content transfer).
//   - HTTPOf: the final status and the number of requests and redirects;
//     DecodedSize: a decoded body's size, saying when counting stopped.
//   - Count, Plural and Shorten: counts worded for one and many, and a long
//     value (a 40 kB target) shortened for a header.
//
// Read gathers all of them for a whole journey.
//
// The test TestRenderersAgree renders every recorded journey through
// plain, explain and JSON (and the tui package's test its result tree) and
// checks each states these facts; a renderer that words a fact on its own
// fails it.
//
// Strings returned are raw values from the trace, not yet made safe: a
// renderer passes each through safetext, as it does every outside string.
package facts

import "journey/internal/trace"

// Journey is every fact of one journey that more than one renderer states.
type Journey struct {
	Target string // as typed, shortened for a header (see Shorten)
	DNS    DNS
	TLS    TLS // Verdict is NotTLS for http
	HTTP   HTTP
	Timing Timing
	Failed string // the journey's error, empty when it completed
}

// Read reads the facts of j once. A nil journey has none.
func Read(j *trace.Journey) Journey {
	if j == nil {
		return Journey{}
	}
	dns := DNSOf(j.Stage(trace.StageDNS))
	if a := j.Stage(trace.StageAddress); a != nil && a.Address != nil && a.Address.IsIP {
		dns.Result = DNSNotNeeded // the address stage says so, whatever the skip's note
	}
	return Journey{
		Target: Shorten(j.Target, MaxHeaderTarget),
		DNS:    dns,
		TLS:    TLSOf(j.Stage(trace.StageConnect)),
		HTTP:   HTTPOf(j.Stage(trace.StageHTTP)),
		Timing: TimingOf(j),
		Failed: j.Error,
	}
}
