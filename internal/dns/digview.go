package dns

import (
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
)

// What dig shows of a reply, as words the trace keeps with the exchange:
// the status, the flags, the section counts and EDNS in one line, the
// answer's TTL worded, and on a negative answer the SOA with how long the
// "no" may be cached.

// headerNote is dig's header and OPT lines in one sentence.
func headerNote(m *mdns.Msg) string {
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{m.Response, "qr"}, {m.Authoritative, "aa"}, {m.Truncated, "tc"}, {m.RecursionDesired, "rd"},
		{m.RecursionAvailable, "ra"}, {m.AuthenticatedData, "ad"}, {m.CheckingDisabled, "cd"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	fl := strings.Join(flags, " ")
	if fl == "" {
		fl = "none"
	}
	extra := len(m.Extra)
	edns := "no EDNS"
	if opt := m.IsEdns0(); opt != nil {
		ednsFlags := "none"
		if opt.Do() {
			ednsFlags = "do"
		}
		edns = "EDNS version " + strconv.Itoa(int(opt.Version())) + ", UDP " + strconv.Itoa(int(opt.UDPSize())) + " bytes, flags " + ednsFlags
	}
	return "header: status " + rcodeName(m.Rcode) + ", flags " + fl +
		"; QUERY " + strconv.Itoa(len(m.Question)) + ", ANSWER " + strconv.Itoa(len(m.Answer)) +
		", AUTHORITY " + strconv.Itoa(len(m.Ns)) + ", ADDITIONAL " + strconv.Itoa(extra) + "; " + edns
}

// ttlNote words the TTL of the answer's records of qtype for name: how
// long a resolver may keep them.
func ttlNote(m *mdns.Msg, qtype uint16) string {
	for _, rr := range m.Answer {
		if rr.Header().Rrtype == qtype {
			ttl := rr.Header().Ttl
			return "TTL " + strconv.FormatUint(uint64(ttl), 10) + ": the answer may be cached for up to " + ttlText(ttl)
		}
	}
	return ""
}

// negativeNote names the SOA of a negative answer (NXDOMAIN or NODATA) and
// how long the "no" may be cached: the smaller of the SOA record's own TTL
// and its MINIMUM field (RFC 2308 section 5).
func negativeNote(m *mdns.Msg) string {
	for _, rr := range m.Ns {
		soa, ok := rr.(*mdns.SOA)
		if !ok || soa.Hdr.Class != mdns.ClassINET {
			continue
		}
		neg := min(soa.Hdr.Ttl, soa.Minttl)
		return "SOA " + soa.Hdr.Name + " (" + soa.Ns + "): this \"no\" may be cached for " + ttlText(neg) +
			", the smaller of the SOA's TTL (" + strconv.FormatUint(uint64(soa.Hdr.Ttl), 10) + ") and its MINIMUM field (" + strconv.FormatUint(uint64(soa.Minttl), 10) + "), as RFC 2308 says"
	}
	return ""
}

// digNotes are the notes for a usable reply: the header line, then the
// TTL of an answer or the SOA of a negative one.
func digNotes(m *mdns.Msg, qtype uint16, kind string) []string {
	notes := []string{headerNote(m)}
	switch kind {
	case "answer":
		if n := ttlNote(m, qtype); n != "" {
			notes = append(notes, n)
		}
	case "nxdomain", "nodata":
		if n := negativeNote(m); n != "" {
			notes = append(notes, n)
		}
	}
	return notes
}
