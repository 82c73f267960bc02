package dns

import (
	"errors"
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"

	"journey/internal/trace"
)

// This file reads replies: what a reply means (answer, referral, CNAME,
// NXDOMAIN, lame), which of its records are trusted, and the words that say so.

// followCNAMEs reads the address records for name out of a reply's answer
// section, following the CNAME chain inside it. Only records in zone's
// bailiwick are trusted ("." trusts all, as from a recursive resolver). It
// returns the addresses at the chain's end, the CNAME targets followed, and,
// when the chain leads out of the zone, the name to start again with; loop
// is set when the chain comes back to a name already seen.
func followCNAMEs(m *mdns.Msg, name string, qtype uint16, zone string) (addrs, chain []string, restart string, loop bool) {
	current := strings.ToLower(name)
	seen := map[string]bool{current: true}
	for range MaxCNAMERestarts + 1 {
		cname := ""
		found := false
		for _, rr := range m.Answer {
			owner := strings.ToLower(rr.Header().Name)
			if owner != current || !mdns.IsSubDomain(zone, owner) || rr.Header().Class != mdns.ClassINET {
				continue
			}
			found = true
			switch v := rr.(type) {
			case *mdns.A:
				if qtype == mdns.TypeA {
					addrs = append(addrs, v.A.String())
				}
			case *mdns.AAAA:
				if qtype == mdns.TypeAAAA {
					addrs = append(addrs, v.AAAA.String())
				}
			case *mdns.CNAME:
				cname = strings.ToLower(v.Target)
			}
		}
		switch {
		case len(addrs) > 0:
			return addrs, chain, "", false
		case cname == "" && found:
			return nil, chain, "", false // the chain ends with no record of this type
		case cname == "" && len(chain) > 0:
			// The chain's last target is in the zone but the reply holds
			// none of its records: ask for it (Unbound restarts the query
			// at the last target rather than call this NODATA).
			return nil, chain, current, false
		case cname == "":
			return nil, chain, "", false
		case seen[cname]:
			return nil, chain, "", true
		}
		seen[cname] = true
		chain = append(chain, cname)
		if !mdns.IsSubDomain(zone, cname) {
			return nil, chain, cname, false // another zone must answer for it
		}
		current = cname
	}
	return nil, chain, "", true
}

// referral reads a referral from zone's server to a child zone on the way
// to name: the child and its nameservers, with the glue that is in zone's
// bailiwick. It returns "" when m is not such a referral.
//
// A non-authoritative reply that also carries records in its answer
// section is still a referral when its authority section delegates the
// name: the answer is not the zone's to give (Unbound takes such an answer
// only provisionally, and follows the delegation).
func referral(m *mdns.Msg, zone, name string) (string, []*nameserver) {
	if m.Authoritative || m.Rcode != mdns.RcodeSuccess {
		return "", nil
	}
	child := ""
	var servers []*nameserver
	for _, rr := range m.Ns {
		ns, ok := rr.(*mdns.NS)
		if !ok || ns.Hdr.Class != mdns.ClassINET {
			continue
		}
		owner := strings.ToLower(ns.Hdr.Name)
		if child == "" {
			child = owner
		}
		if owner != child {
			continue
		}
		servers = append(servers, &nameserver{name: strings.ToLower(ns.Ns)})
	}
	if child == "" || !isStrictSubdomain(zone, child) || !mdns.IsSubDomain(child, strings.ToLower(name)) {
		return "", nil
	}
	for _, rr := range m.Extra {
		owner := strings.ToLower(rr.Header().Name)
		if !mdns.IsSubDomain(zone, owner) || rr.Header().Class != mdns.ClassINET {
			continue // out of bailiwick (zone's server has no say over it), or not the Internet class
		}
		for _, s := range servers {
			if s.name != owner {
				continue
			}
			switch v := rr.(type) {
			case *mdns.A:
				s.addrs = append(s.addrs, v.A.String())
			case *mdns.AAAA:
				s.addrs = append(s.addrs, v.AAAA.String())
			}
		}
	}
	return child, servers
}

func isStrictSubdomain(parent, child string) bool {
	return mdns.IsSubDomain(parent, child) && !strings.EqualFold(parent, child)
}

func label(s Server, what string) string {
	return s.peer().String() + ": " + what
}

// peer is the server as the trace names it; its String is the one form
// every view uses, "a.root-servers.net (192.0.2.1:53)".
func (s Server) peer() trace.Peer { return trace.Peer{Name: s.Name, Addr: s.Addr} }

func shortErr(err error) string {
	switch {
	case errors.Is(err, errTimeout):
		var nr noReply
		if errors.As(err, &nr) {
			return nr.label()
		}
		return "no reply (timeout)"
	case errors.Is(err, ErrQueryLimit):
		return "not sent: query limit reached"
	}
	s := err.Error()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// describe classifies a reply from zone's server, fills the exchange's DNS
// fields and outcome, and returns an error when the reply is not usable (so
// the next server of the set is tried).
func describe(ex *trace.Exchange, m *mdns.Msg, zone, name string, qtype uint16) error {
	d := ex.DNS
	for _, rr := range m.Answer {
		d.Answers = append(d.Answers, rrText(rr))
	}
	switch m.Rcode {
	case mdns.RcodeSuccess, mdns.RcodeNameError:
	case mdns.RcodeRefused:
		d.Kind = trace.DNSRefused
		ex.Outcome = "REFUSED: this server will not answer for " + zone + " (a lame delegation)"
		return fmt.Errorf("%w: REFUSED", ErrServerFailure)
	default:
		d.Kind = trace.DNSError
		ex.Outcome = rcodeName(m.Rcode) + ": the server could not answer"
		return fmt.Errorf("%w: %s", ErrServerFailure, rcodeName(m.Rcode))
	}
	ignoreOtherClasses(d, m)
	for _, rr := range m.Answer {
		owner := strings.ToLower(rr.Header().Name)
		if !mdns.IsSubDomain(zone, owner) {
			d.Ignored = append(d.Ignored, rrText(rr)+"  (out of bailiwick: a server for "+zone+" has no say over "+owner+")")
		}
	}
	// RA set with AA clear, from a server the parent named for the zone:
	// the reply comes from a cache, not from the zone's data (Unbound's
	// "recursive lame"; BIND and Knot also drop such servers).
	if m.RecursionAvailable && !m.Authoritative && len(m.Answer)+len(m.Ns) > 0 && !isReferral(m, zone, name) || m.RecursionAvailable && !m.Authoritative && m.Rcode == mdns.RcodeNameError {
		d.Kind = trace.DNSLame
		ex.Outcome = fmt.Sprintf("lame: this server was named for %s but answered as a cache (RA is 1, AA is 0): a recursive resolver's answer is not the zone's own, so the next nameserver is tried", zone)
		return fmt.Errorf("%w: a cache's answer (RA set, AA clear) from a server named for %s", ErrServerFailure, zone)
	}
	if m.Rcode == mdns.RcodeNameError {
		d.Kind = trace.DNSNXDomain
		ex.Outcome = fmt.Sprintf("NXDOMAIN: %s does not exist", name)
		if !m.Authoritative {
			ex.Notes = append(ex.Notes, "the NXDOMAIN is not marked authoritative")
		}
		return nil
	}
	if child, ns := referral(m, zone, name); child != "" {
		d.Kind = trace.DNSReferral
		d.Referral = child
		glued := 0
		for _, s := range ns {
			d.Nameservers = append(d.Nameservers, trace.NameServer{Name: s.name, Addrs: s.addrs})
			if len(s.addrs) > 0 {
				glued++
			}
		}
		for _, rr := range m.Extra {
			owner := strings.ToLower(rr.Header().Name)
			if _, opt := rr.(*mdns.OPT); !opt && !mdns.IsSubDomain(zone, owner) {
				d.Ignored = append(d.Ignored, rrText(rr)+"  (glue out of bailiwick: a server for "+zone+" has no say over "+owner+")")
			}
		}
		for _, rr := range m.Answer {
			d.Ignored = append(d.Ignored, rrText(rr)+"  (not authoritative: this server delegates "+child+", so an answer from it is not the zone's)")
		}
		ex.Outcome = fmt.Sprintf("referral to %s: %d %s, %d with glue", child, len(ns), plural(len(ns), "nameserver", "nameservers"), glued)
		return nil
	}
	if len(m.Answer) == 0 && !hasSOA(m, zone) {
		d.Kind = trace.DNSLame
		switch {
		case hasNS(m) && !m.Authoritative:
			to := ""
			for _, rr := range m.Ns {
				if ns, ok := rr.(*mdns.NS); ok {
					to = strings.ToLower(ns.Hdr.Name)
					break
				}
			}
			if to == zone {
				ex.Outcome = fmt.Sprintf("lame delegation: this server was named for %s but does not serve it; it only repeats the referral, so the next nameserver is tried", zone)
			} else {
				ex.Outcome = fmt.Sprintf("a referral to %s, which does not lead closer to %s (a broken or looping delegation): not followed, the next nameserver is tried", to, name)
			}
			return fmt.Errorf("%w: lame delegation for %s", ErrServerFailure, zone)
		case m.Authoritative:
			ex.Outcome = fmt.Sprintf("lame: an authoritative reply with no answer and no SOA record says nothing about %s (a real \"no such record\" carries the zone's SOA), so it is not taken as NODATA; the next nameserver is tried", name)
		default:
			ex.Outcome = fmt.Sprintf("lame: an empty reply, with no answer, no referral and no SOA record: it says nothing about %s, so the next nameserver is tried", name)
		}
		return fmt.Errorf("%w: an empty reply for %s", ErrServerFailure, name)
	}
	addrs, _, next, loop := followCNAMEs(m, name, qtype, zone)
	switch {
	case len(addrs) > 0:
		d.Kind = trace.DNSAnswer
		ex.Outcome = "answer: " + listAddrs(addrs)
	case loop:
		d.Kind = trace.DNSCNAME
		ex.Outcome = "CNAME loop: the aliases lead back to a name already seen"
	case next != "" && mdns.IsSubDomain(zone, next):
		d.Kind = trace.DNSCNAME
		ex.Outcome = fmt.Sprintf("CNAME: %s is an alias of %s, which is in %s but whose records are missing from the reply: asking for it", name, next, zone)
	case next != "":
		d.Kind = trace.DNSCNAME
		ex.Outcome = fmt.Sprintf("CNAME: %s is an alias of %s, outside %s: starting again for that name, trusting nothing else of the chain from this server", name, next, zone)
	case len(m.Answer) > 0:
		d.Kind = trace.DNSCNAME
		ex.Outcome = "CNAME chain inside the zone, ending with no " + typeName(qtype) + " record"
	default:
		d.Kind = trace.DNSNoData
		ex.Outcome = fmt.Sprintf("no %s record: the name exists, but not with this type", typeName(qtype))
	}
	if !m.Authoritative && zone != "" && d.Kind == trace.DNSAnswer {
		ex.Notes = append(ex.Notes, "the answer is not marked authoritative (AA is 0)")
	}
	return nil
}

// isReferral reports whether m is a referral from zone's server toward name.
func isReferral(m *mdns.Msg, zone, name string) bool {
	child, _ := referral(m, zone, name)
	return child != ""
}

// hasSOA reports whether m's authority section holds an Internet-class SOA
// from within zone: the mark of an authoritative NXDOMAIN or NODATA.
func hasSOA(m *mdns.Msg, zone string) bool {
	for _, rr := range m.Ns {
		if soa, ok := rr.(*mdns.SOA); ok && soa.Hdr.Class == mdns.ClassINET && mdns.IsSubDomain(zone, strings.ToLower(soa.Hdr.Name)) {
			return true
		}
	}
	return false
}

func hasNS(m *mdns.Msg) bool {
	for _, rr := range m.Ns {
		if _, ok := rr.(*mdns.NS); ok {
			return true
		}
	}
	return false
}

// ignoreOtherClasses lists, as ignored, the records of a class other than
// IN (CHAOS NS records and their glue, say): the walk reads only Internet
// records, as resolvers scrub the rest.
func ignoreOtherClasses(d *trace.DNSExchange, m *mdns.Msg) {
	for _, sec := range [][]mdns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			if _, opt := rr.(*mdns.OPT); opt || rr.Header().Class == mdns.ClassINET {
				continue
			}
			d.Ignored = append(d.Ignored, rrText(rr)+"  (class "+mdns.Class(rr.Header().Class).String()+", not IN: only Internet-class records are used)")
		}
	}
}

// rrText is a record in presentation format on one line, as dig prints it
// but with spaces for tabs.
func rrText(rr mdns.RR) string { return strings.ReplaceAll(rr.String(), "\t", " ") }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listAddrs names a few addresses and counts the rest.
func listAddrs(addrs []string) string {
	const shown = 4
	if len(addrs) <= shown {
		return strings.Join(addrs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(addrs[:shown], ", "), len(addrs)-shown)
}
