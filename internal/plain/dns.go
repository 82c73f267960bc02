package plain

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// dns writes the DNS stage: each exchange (hop) with its server, transport,
// round-trip time and what came back, then the result.
func (p *Printer) dns(s *trace.Stage) {
	d := s.DNS
	if d != nil {
		p.printf("  %s\n", wrapLine(dnsIntro(d), 2, "  "))
	}
	// said is the stage's error when one exchange alone failed and the
	// stage's "failed:" line says its error: the exchange leaves it to the
	// stage. With several failures the stage lists them all, and each hop
	// keeps its own line.
	said, failures := "", 0
	for _, ex := range s.Exchanges {
		if ex.Failed() {
			failures++
		}
	}
	if failures == 1 {
		said = s.Error
	}
	lastFor, lastDepth := "", 0
	for i, ex := range s.Exchanges {
		indent := "  " + strings.Repeat("    ", ex.Depth)
		if ex.DNS != nil && ex.DNS.For != "" && ex.DNS.For != lastFor && ex.Depth >= lastDepth {
			p.printf("\n%s%s %s\n", indent, p.st.note("↳ a lookup inside the lookup: first,"), wrapLine(safetext.Line(ex.DNS.For), len(indent)+37, indent+"  "))
		}
		if ex.Depth < lastDepth {
			p.printf("\n%s%s\n", indent, p.st.note("↲ back to the lookup that needed it"))
		}
		if ex.DNS != nil {
			lastFor, lastDepth = ex.DNS.For, ex.Depth
		}
		p.dnsExchange(i+1, ex, said)
	}
	out := facts.DNSOf(s)
	if d != nil && len(d.Addresses) > 0 {
		name := safetext.Line(strings.Join(out.Chain, " → "))
		addrs := d.Addresses
		more := ""
		if len(addrs) > maxAnswerLines {
			addrs, more = addrs[:maxAnswerLines], fmt.Sprintf(" and %d more", len(d.Addresses)-maxAnswerLines)
		}
		p.printf("\n  %s → %s\n", p.st.bold(name), p.st.good(wrapLine(safetext.Line(strings.Join(addrs, ", "))+more, 5+utf8.RuneCountInString(name), "      ")))
	}
	if d != nil && d.Method != trace.MethodOverride && d.Method != trace.MethodNone && d.Method != trace.MethodCache {
		counts := facts.Count(out.Queries, "query", "queries") + " sent"
		// A resolver asked with @SERVER walks the tree itself: we follow
		// no referral, and "0 referrals followed" would teach nothing.
		if d.Method == trace.MethodIterative || out.Referrals > 0 {
			counts += ", " + facts.Count(out.Referrals, "referral", "referrals") + " followed"
		}
		p.printf("  %s\n", p.st.dim(counts))
	}
}

func dnsIntro(d *trace.DNS) string {
	name := safetext.Line(facts.Bare(d.Name)) // in a sentence: no root dot before the next word
	types := safetext.Line(strings.Join(d.Types, ", then "))
	switch d.Method {
	case trace.MethodIterative:
		return fmt.Sprintf("Looking up %s (%s) the way a recursive resolver does: from the root down, following each referral.", name, types)
	case trace.MethodResolver:
		return fmt.Sprintf("Asking the recursive resolver %s for %s (%s): it walks the tree for us.", safetext.Line(d.Resolver), name, types)
	case trace.MethodSystem:
		return fmt.Sprintf("Asked the system's resolver %s for %s (%s).", safetext.Line(d.Resolver), name, types)
	case trace.MethodOverride:
		return fmt.Sprintf("DNS skipped: --resolve gave the address of %s, so no question is asked.", name)
	case trace.MethodCache:
		return fmt.Sprintf("DNS answered from the cache: the first visit's answer for %s is still fresh, so no question is asked.", name)
	}
	return ""
}

// maxAnswerLines bounds the answer records listed per exchange: a large
// record set would bury the rest of the report.
const maxAnswerLines = 8

// dnsExchange writes one query and its reply. said is what the stage's
// "failed:" line will say: an error of this exchange's within it is left
// to that line.
func (p *Printer) dnsExchange(n int, ex *trace.Exchange, said string) {
	indent := "  " + strings.Repeat("    ", ex.Depth)
	who := safetext.Line(facts.Peer(ex.Peer))
	p.printf("\n%s%s %s %s\n", indent, p.st.bold(fmt.Sprintf("#%d", n)), who, p.st.dim(fmt.Sprintf("%s · %s out, %d back · %s", safetext.Line(string(ex.Transport)), facts.Count(ex.Sent.Size(), "byte", "bytes"), ex.Received.Size(), trace.Dur(ex.Duration))))
	body := indent + "   "
	if ex.DNS != nil {
		p.printf("%s%s%s\n", body, tag(p.st.dim, "asked"), safetext.Line(ex.DNS.Question))
	}
	switch {
	case ex.Failed() && said != "" && strings.Contains(said, ex.Error):
		// The stage's "failed:" line below says it.
	case ex.Failed():
		p.printf("%s%s%s\n", body, tag(p.st.bad, "failed"), wrapLine(safetext.Line(ex.Error), len(body)+9, body+"         "))
	case ex.DNS != nil && (ex.DNS.Kind == trace.DNSLame || ex.DNS.Kind == trace.DNSRefused || ex.DNS.Kind == trace.DNSError):
		p.printf("%s%s%s\n", body, tag(p.st.bad, "unusable"), wrapLine(safetext.Line(ex.Outcome), len(body)+9, body+"         "))
	default:
		p.printf("%s%s%s\n", body, tag(p.st.good, "reply"), wrapLine(safetext.Line(ex.Outcome), len(body)+9, body+"         "))
	}
	if d := ex.DNS; d != nil {
		if d.Kind == trace.DNSReferral {
			for _, ns := range d.Nameservers {
				glue := "no glue: its address must be looked up"
				if len(ns.Addrs) > 0 {
					glue = "glue " + strings.Join(ns.Addrs, ", ") // made safe below
				}
				p.printf("%s         %s %s\n", body, safetext.Line(strings.TrimSuffix(ns.Name, ".")), p.st.dim(safetext.Line(glue)))
			}
		}
		if d.Kind == trace.DNSAnswer || d.Kind == trace.DNSCNAME {
			for i, a := range d.Answers {
				if i == maxAnswerLines && len(d.Answers) > maxAnswerLines+1 {
					p.printf("%s         %s\n", body, p.st.dim("... and "+facts.Count(len(d.Answers)-i, "more record", "more records")+" (all of them are in --json)"))
					break
				}
				p.printf("%s         %s\n", body, safetext.Line(a))
			}
		}
		for _, ig := range d.Ignored {
			p.printf("%s%s%s\n", body, tag(p.st.note, "ignored"), wrapLine(safetext.Line(ig), len(body)+9, body+"         "))
		}
	}
	for _, note := range ex.Notes {
		p.printf("%s%s%s\n", body, tag(p.st.note, "note"), wrapLine(safetext.Line(note), len(body)+9, body+"         "))
	}
	if p.opt.Bytes {
		if ex.Peer.Via != "" {
			p.printf("%s%s\n", body, p.st.dim("(the lab routed "+safetext.Line(ex.Peer.Addr)+" to "+safetext.Line(ex.Peer.Via)+")"))
		}
		if len(ex.Sent.Bytes) > 0 {
			p.printf("%ssent %s:\n%s", body, facts.Count(len(ex.Sent.Bytes), "byte", "bytes"), hexDump(ex.Sent.Bytes, body+"  "))
		}
		if len(ex.Received.Bytes) > 0 {
			p.printf("%sreceived %s:\n%s", body, facts.Count(len(ex.Received.Bytes), "byte", "bytes"), hexDump(ex.Received.Bytes, body+"  "))
		}
	}
}

// tag is the word that starts a line of an exchange, padded so the text
// after it lines up, then styled.
func tag(style func(string) string, word string) string {
	return style(fmt.Sprintf("%-9s", word))
}
