// Package dns owns the DNS stage: an iterative resolution from the root
// hints down to the answer, as a recursive resolver does it, or one
// question to a recursive resolver (as dig @server). Every packet is packed
// and kept, sent on our own socket, read raw and kept, then unpacked, so the
// trace holds the exact bytes with their fields annotated.
package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dial"
	"journey/internal/trace"
)

// Limits on one journey's resolution. Each is reported plainly when hit.
const (
	// MaxCNAMERestarts bounds how many CNAMEs are followed: Unbound's
	// limit of 11 restarts.
	MaxCNAMERestarts = 11
	// MaxReferrals bounds referrals followed in one journey: real names
	// need fewer than ten; 30 leaves room for nameserver lookups.
	MaxReferrals = 30
	// MaxDepth bounds nested lookups (a nameserver without glue whose own
	// nameserver has no glue, and so on).
	MaxDepth = 5
	// MaxQueries bounds the packets sent in one journey, retries included,
	// so NXNS-style referrals to dozens of glue-less names cannot multiply
	// our queries (Unbound caps the work per client query similarly).
	MaxQueries = 200
	// maxTriesPerStep bounds the servers tried at one step of the walk
	// (13 root servers must not mean 13 timeouts).
	maxTriesPerStep = 6
	// rootTriesBeforeFallback is how many root servers are tried, live,
	// before concluding that outbound DNS is blocked.
	rootTriesBeforeFallback = 3
)

// Errors a resolution can end with; each wraps into a message naming the
// name and the server.
var (
	ErrNXDomain        = errors.New("the name does not exist (NXDOMAIN)")
	ErrNoAddress       = errors.New("the name exists but has no address record")
	ErrQueryLimit      = fmt.Errorf("more than %d queries for one journey", MaxQueries)
	ErrReferralLimit   = fmt.Errorf("more than %d referrals", MaxReferrals)
	ErrCNAMELimit      = fmt.Errorf("more than %d CNAMEs in a row", MaxCNAMERestarts)
	ErrCNAMELoop       = errors.New("the CNAMEs form a loop")
	ErrDepthLimit      = fmt.Errorf("nameserver lookups nested more than %d deep", MaxDepth)
	ErrNoServer        = errors.New("no nameserver gave a usable answer")
	ErrServerFailure   = errors.New("the server could not answer")
	errRootUnreachable = errors.New("no root server answered")
)

// Family restricts which address records are asked for.
type Family int

const (
	FamilyAny  Family = iota // A, then AAAA if the name has no A
	FamilyIPv4               // -4: A only
	FamilyIPv6               // -6: AAAA only
)

// Server is a DNS server: its name where known, and its address (IP:port).
type Server struct {
	Name string
	Addr string
}

// Resolver resolves names, recording every exchange into Recorder.
type Resolver struct {
	Dialer         dial.Dialer
	Recorder       *trace.Recorder
	Roots          []Server      // root hints; RootHints() when empty
	Port           int           // port of every server contacted (a port in Roots' addresses wins); 53 when zero
	Timeout        time.Duration // per exchange
	SystemFallback bool          // live: when no root answers, ask the system's resolver
	ResolvConf     string        // the system resolver's configuration; /etc/resolv.conf when empty
}

// Fqdn returns name with its final dot.
func Fqdn(name string) string { return mdns.Fqdn(name) }

// state is one journey's resolution: its counters and what it learned.
type state struct {
	family    Family // the addresses asked for, and the family used to reach servers
	queries   int
	referrals int
	restarts  int
	// zones maps a zone learned from a referral to its nameservers, so a
	// CNAME restart or a nameserver lookup starts from the closest zone
	// already known, as a resolver's cache would.
	zones map[string][]*nameserver
	// purpose[d] says why the lookups at depth d+1 are made.
	purpose []string
}

// purposeAt returns the purpose of lookups at depth, "" at the top.
func (st *state) purposeAt(depth int) string {
	if depth == 0 || depth > len(st.purpose) {
		return ""
	}
	return st.purpose[depth-1]
}

func (st *state) count() error {
	if st.queries >= MaxQueries {
		return ErrQueryLimit
	}
	st.queries++
	return nil
}

// nameserver is one server of a zone's set, with the addresses known for it.
type nameserver struct {
	name     string
	addrs    []string // IPs
	lookedUp bool     // a nested lookup for its address was made
}

// closest returns the deepest known zone holding name and its servers.
func (st *state) closest(name string) (string, []*nameserver) {
	labels := mdns.SplitDomainName(name)
	for i := range labels {
		zone := mdns.Fqdn(strings.Join(labels[i:], "."))
		if ns, ok := st.zones[zone]; ok {
			return zone, ns
		}
	}
	return ".", st.zones["."]
}

// Lookup resolves name iteratively from the roots and returns its addresses.
func (r *Resolver) Lookup(ctx context.Context, name string, fam Family) (*trace.DNS, error) {
	result := &trace.DNS{Name: Fqdn(name), Method: trace.MethodIterative}
	st := &state{family: fam, zones: map[string][]*nameserver{".": r.rootSet(fam)}}
	defer func() { result.Queries, result.Referrals = st.queries, st.referrals }()
	for _, qtype := range questionTypes(fam) {
		result.Types = append(result.Types, typeName(qtype))
		ans, err := r.resolve(ctx, st, Fqdn(name), qtype, 0)
		if ans != nil {
			result.Chain = ans.chain
			result.RCode = ans.rcode
			result.Addresses = ans.addrs
		}
		if errors.Is(err, errRootUnreachable) && r.SystemFallback {
			r.Recorder.Note(trace.StageDNS, fmt.Sprintf("No root server answered in %d tries: this network may block outbound DNS. Falling back to the system's resolver: the answer below comes from a recursive resolver, not from our own walk down the tree.", rootTriesBeforeFallback))
			return r.askSystem(ctx, name, fam, result.Queries)
		}
		if err != nil {
			return result, err
		}
		if len(ans.addrs) > 0 {
			return result, nil
		}
	}
	return result, fmt.Errorf("%s: %w (asked for %s)", name, ErrNoAddress, strings.Join(result.Types, " and "))
}

// expired reports whether ctx is done or past its deadline. A socket
// deadline can pass a moment before the context's own timer fires, and the
// next dial would then fail at once for a reason that is not the server's.
func expired(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

func questionTypes(fam Family) []uint16 {
	switch fam {
	case FamilyIPv4:
		return []uint16{mdns.TypeA}
	case FamilyIPv6:
		return []uint16{mdns.TypeAAAA}
	}
	return []uint16{mdns.TypeA, mdns.TypeAAAA}
}

// answer is what a resolution found.
type answer struct {
	addrs []string
	chain []string // CNAMEs followed, the final name last
	rcode string
}

// resolve finds qtype records for name, following CNAMEs.
func (r *Resolver) resolve(ctx context.Context, st *state, name string, qtype uint16, depth int) (*answer, error) {
	ans := &answer{}
	seen := map[string]bool{strings.ToLower(name): true}
	for {
		m, zone, err := r.walk(ctx, st, name, qtype, depth)
		if err != nil {
			return ans, err
		}
		ans.rcode = rcodeName(m.Rcode)
		if m.Rcode == mdns.RcodeNameError {
			return ans, fmt.Errorf("%s: %w", strings.TrimSuffix(name, "."), ErrNXDomain)
		}
		addrs, chain, next, loop := followCNAMEs(m, name, qtype, zone)
		ans.chain = append(ans.chain, chain...)
		if len(addrs) > 0 {
			ans.addrs = addrs
			return ans, nil
		}
		if loop {
			return ans, fmt.Errorf("%s: %w", strings.TrimSuffix(name, "."), ErrCNAMELoop)
		}
		if next == "" {
			return ans, nil // NODATA
		}
		if seen[strings.ToLower(next)] {
			return ans, fmt.Errorf("%s: %w (%s points back to a name already seen)", strings.TrimSuffix(name, "."), ErrCNAMELoop, next)
		}
		seen[strings.ToLower(next)] = true
		if st.restarts >= MaxCNAMERestarts {
			return ans, fmt.Errorf("%s: %w", strings.TrimSuffix(name, "."), ErrCNAMELimit)
		}
		st.restarts++
		name = next
	}
}

// walk goes down the tree from the closest known zone until a server
// answers with authority for name, and returns that reply and its zone.
func (r *Resolver) walk(ctx context.Context, st *state, name string, qtype uint16, depth int) (*mdns.Msg, string, error) {
	zone, servers := st.closest(name)
	for {
		m, err := r.askZone(ctx, st, zone, servers, name, qtype, depth)
		if err != nil {
			return nil, zone, err
		}
		child, ns := referral(m, zone, name)
		if child == "" {
			return m, zone, nil
		}
		if st.referrals >= MaxReferrals {
			return nil, zone, fmt.Errorf("%s: %w", strings.TrimSuffix(name, "."), ErrReferralLimit)
		}
		st.referrals++
		st.zones[child] = ns
		zone, servers = child, ns
	}
}

// askZone asks zone's servers in turn until one gives a usable reply: an
// answer, NXDOMAIN, NODATA, or a referral further down. Servers with known
// addresses are tried first; those without glue are looked up one at a time,
// only when needed.
func (r *Resolver) askZone(ctx context.Context, st *state, zone string, servers []*nameserver, name string, qtype uint16, depth int) (*mdns.Msg, error) {
	tries := 0
	limit := maxTriesPerStep
	if zone == "." && r.SystemFallback {
		limit = rootTriesBeforeFallback
	}
	var reasons []string
	answered := false
	// try asks one server; stop is set when nothing more should be tried.
	try := func(ns *nameserver, addr string) (m *mdns.Msg, stop error) {
		tries++
		server := Server{Name: strings.TrimSuffix(ns.name, "."), Addr: r.withPort(addr)}
		why := r.why(zone, name, qtype, server, tries)
		m, err := r.ask(ctx, st, server, zone, name, qtype, depth, why, tries)
		if m != nil {
			answered = true
		}
		switch {
		case err == nil:
			return m, nil
		case errors.Is(err, ErrQueryLimit):
			return nil, err
		case ctx.Err() != nil:
			return nil, ctx.Err() // cancelled (the user quit or ran again), or out of time
		case expired(ctx):
			return nil, context.DeadlineExceeded
		}
		who := server.Name
		if who == "" {
			who = server.Addr
		}
		reasons = append(reasons, fmt.Sprintf("%s: %v", who, err))
		return nil, nil
	}
	// A lost packet may be bad luck: every server of the set gets a second
	// try, and a lone server a third, as dig tries three times.
	rounds := 2
	if len(servers) == 1 {
		rounds = 3
	}
	for round := 0; round < rounds && tries < limit; round++ {
		for _, ns := range servers {
			addr, ok := pickAddr(ns, st.family)
			if !ok || tries >= limit {
				continue
			}
			if m, stop := try(ns, addr); m != nil || stop != nil {
				return m, stop
			}
		}
		for _, ns := range servers {
			if ns.lookedUp || tries >= limit {
				continue
			}
			if _, ok := pickAddr(ns, st.family); ok {
				continue
			}
			ns.lookedUp = true
			if err := r.lookupNameserver(ctx, st, ns, zone, depth); err != nil {
				if errors.Is(err, ErrQueryLimit) || expired(ctx) {
					return nil, err
				}
				reasons = append(reasons, fmt.Sprintf("%s: its address could not be found: %v", strings.TrimSuffix(ns.name, "."), err))
				continue
			}
			if addr, ok := pickAddr(ns, st.family); ok {
				if m, stop := try(ns, addr); m != nil || stop != nil {
					return m, stop
				}
			}
		}
	}
	if zone == "." && !answered {
		return nil, fmt.Errorf("%w: %s", errRootUnreachable, strings.Join(reasons, "; "))
	}
	return nil, fmt.Errorf("%w for %s (zone %s): %s", ErrNoServer, strings.TrimSuffix(name, "."), zone, strings.Join(reasons, "; "))
}

// lookupNameserver finds the address of a nameserver named without glue,
// as a nested lookup shown one level deeper.
func (r *Resolver) lookupNameserver(ctx context.Context, st *state, ns *nameserver, zone string, depth int) error {
	if depth+1 > MaxDepth {
		return ErrDepthLimit
	}
	st.purpose = append(st.purpose[:depth], fmt.Sprintf("the address of %s, a nameserver for %s that came without glue", strings.TrimSuffix(ns.name, "."), zone))
	qtype := mdns.TypeA
	if st.family == FamilyIPv6 {
		qtype = mdns.TypeAAAA
	}
	ans, err := r.resolve(ctx, st, ns.name, qtype, depth+1)
	if err != nil {
		return err
	}
	if len(ans.addrs) == 0 {
		return ErrNoAddress
	}
	ns.addrs = ans.addrs
	return nil
}

// pickAddr is the address used to reach a nameserver: one of the family
// asked for if it has one (IPv6 with -6, IPv4 otherwise), else any.
func pickAddr(ns *nameserver, fam Family) (string, bool) {
	fallback := ""
	for _, a := range ns.addrs {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			ap, err := netip.ParseAddrPort(a)
			if err != nil {
				continue
			}
			ip = ap.Addr()
		}
		if ip.Is4() != (fam == FamilyIPv6) {
			return a, true
		}
		if fallback == "" {
			fallback = a
		}
	}
	return fallback, fallback != ""
}

func (r *Resolver) withPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	port := r.Port
	if port == 0 {
		port = 53
	}
	return net.JoinHostPort(addr, strconv.Itoa(port))
}

// why says, in a sentence, why this packet goes to this server.
func (r *Resolver) why(zone, name string, qtype uint16, s Server, try int) string {
	q := fmt.Sprintf("%s %s", name, typeName(qtype))
	var w string
	if zone == "." {
		w = fmt.Sprintf("Asking root server %s for %s: every lookup starts at the root, which knows who runs each top-level domain.", s.Name, q)
	} else {
		w = fmt.Sprintf("Asking %s, a server for %s, for %s: it was named in the last referral.", s.Name, zone, q)
	}
	if try > 1 {
		w += " The previous server did not give a usable answer, so this is the next one of the set."
	}
	return w
}

// roundTrip sends one question to server over UDP and, when the reply is
// truncated, again over TCP, recording the truncated exchange. A failed
// exchange is recorded here too; a reply is returned for the caller to
// classify and record. fill sets what the caller knows on every exchange.
func (r *Resolver) roundTrip(ctx context.Context, st *state, server Server, name string, qtype uint16, rd bool, why string, depth int, fill func(*trace.Exchange)) outcome {
	out := r.exchange(ctx, st, server, "udp", newQuery(name, qtype, rd), why, depth)
	fill(out.ex)
	if out.err == nil && out.msg.Truncated {
		out.ex.DNS.Kind = trace.DNSTrunc
		out.ex.Outcome = fmt.Sprintf("truncated: the answer did not fit in %d bytes of UDP, so the TC flag is set; asking again over TCP", EDNSBufferSize)
		out.ex.Label = label(server, "truncated, retrying over TCP")
		r.Recorder.AddExchange(trace.StageDNS, out.ex)
		out = r.exchange(ctx, st, server, "tcp", newQuery(name, qtype, rd), "The UDP reply was truncated (TC flag): the same question again over TCP, which has no size limit.", depth)
		fill(out.ex)
	}
	if out.err != nil {
		out.ex.DNS.Kind = trace.DNSError
		out.ex.Outcome = out.err.Error()
		out.ex.Label = label(server, shortErr(out.err))
		r.Recorder.AddExchange(trace.StageDNS, out.ex)
	}
	return out
}

// ask sends one question to one of zone's servers, records the exchanges,
// and returns the reply with an error when it is not usable.
func (r *Resolver) ask(ctx context.Context, st *state, server Server, zone, name string, qtype uint16, depth int, why string, attempt int) (*mdns.Msg, error) {
	out := r.roundTrip(ctx, st, server, name, qtype, false, why, depth, func(ex *trace.Exchange) {
		ex.DNS.Zone, ex.DNS.Attempt, ex.DNS.For = zone, attempt, st.purposeAt(depth)
	})
	if out.err != nil {
		return nil, out.err
	}
	err := describe(out.ex, out.msg, zone, name, qtype)
	out.ex.Label = label(server, out.ex.Outcome)
	r.Recorder.AddExchange(trace.StageDNS, out.ex)
	return out.msg, err
}

// rootSet is the root hints as a nameserver set.
func (r *Resolver) rootSet(fam Family) []*nameserver {
	roots := r.Roots
	if len(roots) == 0 {
		roots = RootHints(fam)
	}
	var set []*nameserver
	for _, s := range roots {
		set = append(set, &nameserver{name: s.Name, addrs: []string{s.Addr}})
	}
	return set
}
