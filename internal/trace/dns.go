package trace

// DNS is the DNS stage's result.
type DNS struct {
	Name      string   `json:"name"`               // the name asked for, ASCII, fully qualified
	Types     []string `json:"types"`              // record types asked for, in order (A, AAAA)
	Method    string   `json:"method"`             // see the Method constants
	Resolver  string   `json:"resolver,omitempty"` // the recursive resolver asked, for MethodResolver and MethodSystem
	Chain     []string `json:"chain,omitempty"`    // CNAME chain from Name to the final name
	Addresses []string `json:"addresses,omitempty"`
	Queries   int      `json:"queries"`         // packets sent, retries included
	Referrals int      `json:"referrals"`       // referrals followed
	RCode     string   `json:"rcode,omitempty"` // the final answer's response code
}

// How the DNS stage found its answer.
const (
	MethodIterative = "iterative" // from the root down, as a recursive resolver does
	MethodResolver  = "resolver"  // one question to a recursive resolver (@SERVER)
	MethodSystem    = "system"    // the system's resolver, after the roots did not answer
	MethodOverride  = "override"  // --resolve gave the address
	MethodNone      = "none"      // an IP literal needs no DNS
	MethodCache     = "cache"     // --warm: the first visit's answer, kept for its TTL
)

// DNSExchange is what one DNS query and its response meant.
type DNSExchange struct {
	Question string `json:"question"`       // "www.example.com. A"
	Zone     string `json:"zone,omitempty"` // the zone we believe the server serves
	ID       uint16 `json:"id"`
	RCode    string `json:"rcode,omitempty"`
	// Kind classifies the response: see the DNSKind constants.
	Kind string `json:"kind,omitempty"`
	// Referral is the child zone a referral sent us to, with its nameservers.
	Referral    string       `json:"referral,omitempty"`
	Nameservers []NameServer `json:"nameservers,omitempty"`
	Answers     []string     `json:"answers,omitempty"` // records in the answer section, presentation format
	Ignored     []string     `json:"ignored,omitempty"` // records not trusted, each with why
	Attempt     int          `json:"attempt,omitempty"` // 1 for the first try at this step, 2 for a retry...
	// For says why a nested lookup (Exchange.Depth > 0) is made: whose
	// address it looks for, and for which zone.
	For string `json:"for,omitempty"`
}

// Kinds of DNS response.
const (
	DNSReferral = "referral"
	DNSAnswer   = "answer"
	DNSCNAME    = "cname"
	DNSNXDomain = "nxdomain"
	DNSNoData   = "nodata"
	DNSTrunc    = "truncated"
	DNSRefused  = "refused"
	DNSLame     = "lame"
	DNSError    = "error" // timeout, garbage, mismatch, server failure
)

// NameServer is one server named in a referral.
type NameServer struct {
	Name  string   `json:"name"`
	Addrs []string `json:"addrs,omitempty"` // from glue
}
