package lab

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

//go:embed zones/*.zone
var zoneFiles embed.FS

// Zone is one zone's records, loaded from a master file (RFC 1035 section 5).
type Zone struct {
	Origin  string // fully qualified, lower case
	SOA     *dns.SOA
	records map[string][]dns.RR // owner name (lower case) -> records
}

// ParseZone reads a zone in master-file format; origin is the default
// $ORIGIN and name is used in error messages.
func ParseZone(text, origin, name string) (*Zone, error) {
	z := &Zone{Origin: dns.Fqdn(strings.ToLower(origin)), records: map[string][]dns.RR{}}
	zp := dns.NewZoneParser(strings.NewReader(text), z.Origin, name)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		owner := strings.ToLower(rr.Header().Name)
		rr.Header().Name = owner
		z.records[owner] = append(z.records[owner], rr)
		if soa, ok := rr.(*dns.SOA); ok {
			z.SOA = soa
			z.Origin = owner
		}
	}
	if err := zp.Err(); err != nil {
		return nil, err
	}
	if z.SOA == nil {
		return nil, fmt.Errorf("%s: no SOA record, so no zone apex", name)
	}
	return z, nil
}

// loadZones parses every embedded zone file, keyed by origin.
func loadZones() (map[string]*Zone, error) {
	zones := map[string]*Zone{}
	err := fs.WalkDir(zoneFiles, "zones", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := zoneFiles.ReadFile(path)
		if err != nil {
			return err
		}
		z, err := ParseZone(string(text), ".", path)
		if err != nil {
			return err
		}
		zones[z.Origin] = z
		return nil
	})
	return zones, err
}

// maxCNAMEChase bounds how many CNAMEs inside one zone an answer follows.
const maxCNAMEChase = 8

// Answer builds the authoritative response of a server holding zones to
// the question q: an answer, a referral to a child zone, NXDOMAIN or NODATA,
// or REFUSED for a name in none of its zones.
func Answer(zones []*Zone, req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = false
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		return m
	}
	q := req.Question[0]
	qname := strings.ToLower(q.Name)
	z := closestZone(zones, qname)
	if z == nil {
		m.Rcode = dns.RcodeRefused
		return m
	}
	if cut := z.delegation(qname); cut != "" {
		m.Ns = slices.Clone(z.rrset(cut, dns.TypeNS))
		for _, rr := range m.Ns {
			target := strings.ToLower(rr.(*dns.NS).Ns)
			if dns.IsSubDomain(z.Origin, target) {
				m.Extra = append(m.Extra, z.rrset(target, dns.TypeA)...)
				m.Extra = append(m.Extra, z.rrset(target, dns.TypeAAAA)...)
			}
		}
		return m
	}
	m.Authoritative = true
	name := qname
	for range maxCNAMEChase {
		rrs := z.records[name]
		if len(rrs) == 0 {
			if name == qname {
				if z.hasBelow(name) {
					m.Ns = []dns.RR{z.SOA} // empty non-terminal: NODATA
				} else {
					m.Rcode = dns.RcodeNameError
					m.Ns = []dns.RR{z.SOA}
				}
			}
			return m
		}
		if cname := z.rrset(name, dns.TypeCNAME); len(cname) > 0 && q.Qtype != dns.TypeCNAME {
			m.Answer = append(m.Answer, cname...)
			target := strings.ToLower(cname[0].(*dns.CNAME).Target)
			if !dns.IsSubDomain(z.Origin, target) || z.delegation(target) != "" || slices.ContainsFunc(m.Answer, func(rr dns.RR) bool { return rr.Header().Name == target }) {
				return m // the resolver follows it from here
			}
			name = target
			continue
		}
		if match := z.rrset(name, q.Qtype); len(match) > 0 {
			m.Answer = append(m.Answer, match...)
		} else if len(m.Answer) == 0 {
			m.Ns = []dns.RR{z.SOA} // the name exists, but not with this type
		}
		return m
	}
	return m
}

// closestZone is the most specific of zones that holds qname.
func closestZone(zones []*Zone, qname string) *Zone {
	var best *Zone
	for _, z := range zones {
		if dns.IsSubDomain(z.Origin, qname) && (best == nil || dns.CountLabel(z.Origin) > dns.CountLabel(best.Origin)) {
			best = z
		}
	}
	return best
}

// delegation returns the highest zone cut between the apex and qname
// (inclusive), or "" when qname is served from this zone's own data.
func (z *Zone) delegation(qname string) string {
	labels := dns.SplitDomainName(qname)
	apex := dns.CountLabel(z.Origin)
	for i := len(labels) - apex - 1; i >= 0; i-- {
		name := dns.Fqdn(strings.Join(labels[i:], "."))
		if len(z.rrset(name, dns.TypeNS)) > 0 {
			return name
		}
	}
	return ""
}

func (z *Zone) rrset(name string, t uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range z.records[name] {
		if rr.Header().Rrtype == t {
			out = append(out, rr)
		}
	}
	return out
}

// hasBelow reports whether some record's owner is below name.
func (z *Zone) hasBelow(name string) bool {
	for owner := range z.records {
		if owner != name && dns.IsSubDomain(name, owner) {
			return true
		}
	}
	return false
}
