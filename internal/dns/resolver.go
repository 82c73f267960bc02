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
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// maxTriesPerServer bounds how often one server address is asked at
	// one step (a silent one is asked again once every other server of
	// the set was tried), and maxTriesLoneServer when the zone has only
	// one. Each try waits the server's retransmission timeout, doubled
	// after each timeout (rto.go): from a server not measured yet, 376 ms,
	// 752 ms, 1.5 s, then (capped) the whole --timeout, so a lone server is
	// given the full --timeout on its last try, as it was given on each
	// try when every wait was --timeout. Unbound asks an address up to 5
	// times per delegation (outbound-msg-retry) and BIND goes round the
	// set again until its 10 s query timeout; maxTriesPerStep still bounds
	// the step. Measured in the lab (30% loss, seeds 1 to 20), 3 tries
	// instead of 2 took the journeys that found an address from 12 to 18.
	maxTriesPerServer  = 3
	maxTriesLoneServer = 4
	// maxTriesPerStep bounds the servers tried at one step of the walk
	// (13 root servers must not mean 13 timeouts).
	maxTriesPerStep = 6
	// rootTriesBeforeFallback is how many root servers are tried, live,
	// before concluding that outbound DNS is blocked.
	rootTriesBeforeFallback = 3
	// rootFallbackTimeout bounds each root's exchange when the system's
	// resolver is the fallback: with hedging the three roots are asked
	// 50 ms apart, so a blocked network is known in about 1.5 s (a root
	// is anycast, tens of milliseconds away almost everywhere).
	rootFallbackTimeout = 1400 * time.Millisecond
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
	// Shuffle starts each set of servers (the roots included) at a random
	// one, as resolvers do to spread their load; later choices prefer the
	// smallest round trip seen. Off, the set's own order is kept, so a lab
	// journey is the same every time.
	Shuffle bool
	// Hedge sends the same question to a second server of the set when
	// the first has not answered within a delay adapted to the round
	// trips seen, taking the first usable answer. Off, servers are asked
	// one after another, as before.
	Hedge bool
}

// Fqdn returns name with its final dot.
func Fqdn(name string) string { return mdns.Fqdn(name) }

// state is one journey's resolution: its counters and what it learned.
type state struct {
	// mu guards the counters and what is learned of servers: a hedged
	// query runs two exchanges at once.
	mu        sync.Mutex
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
	// rtt holds what was measured of each server address in this journey
	// (its smoothed round trip, how much it varies, its backoff after a
	// timeout): it orders the servers and sets each query's wait. dead
	// holds those that timed out, not asked again while another server of
	// the set is left.
	rtt  map[string]*rttInfo
	dead map[string]bool
	// flying maps an exchange whose query left to its record in flight
	// (see fly), until record puts the finished one in its place.
	flying map[*trace.Exchange]*trace.Exchange
	// famTimeouts and famAnswers count, per address family (index 4 or
	// 6), the servers that timed out and that answered: when one family
	// is silent, the other is tried first.
	famTimeouts, famAnswers [7]int
	// bypass holds zones whose glue-less in-zone nameservers are being
	// looked up: those lookups start at the parent instead.
	bypass map[string]bool
	// pending holds the nameservers whose address is being looked up, so a
	// lookup that needs itself ends with a plain reason.
	pending map[string]bool
}

func newState(fam Family) *state {
	return &state{family: fam, zones: map[string][]*nameserver{}, rtt: map[string]*rttInfo{},
		dead: map[string]bool{}, bypass: map[string]bool{}, pending: map[string]bool{}}
}

// step is one step of the walk: a question for the servers of a zone.
type step struct {
	zone    string
	servers []*nameserver
	name    string
	qtype   uint16
	depth   int
}

// question is one question to one server, with why it is asked: all an
// exchange needs to be sent, timed and recorded.
type question struct {
	name    string
	qtype   uint16
	server  Server
	zone    string // the zone the server was named for; "" for a recursive resolver
	why     string // the sentence shown before the packet leaves
	depth   int    // 0 for the target, 1 for a nameserver's own lookup...
	attempt int    // 1 for the first server tried at this step
	rd      bool   // recursion desired (a recursive resolver)
	// timeout bounds the exchange's wait, and timeoutWhy says where it
	// comes from; the resolver's (--timeout) when zero.
	timeout    time.Duration
	timeoutWhy string
	// adaptive: over UDP, wait the server's retransmission timeout (from
	// its round trips) instead of the whole bound.
	adaptive bool
	sent     func()   // called once the query has left (hedging times from then)
	noEDNS   bool     // without the OPT record: the server did not understand it
	notes    []string // why this server was chosen, kept on the exchange
}

// purposeAt returns the purpose of lookups at depth, "" at the top.
func (st *state) purposeAt(depth int) string {
	if depth == 0 || depth > len(st.purpose) {
		return ""
	}
	return st.purpose[depth-1]
}

func (st *state) count() error {
	st.mu.Lock()
	defer st.mu.Unlock()
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
		if ns, ok := st.zones[zone]; ok && !st.bypass[zone] {
			return zone, ns
		}
	}
	return ".", st.zones["."]
}

// Lookup resolves name iteratively from the roots and returns its addresses.
func (r *Resolver) Lookup(ctx context.Context, name string, fam Family) (*trace.DNS, error) {
	result := &trace.DNS{Name: Fqdn(name), Method: trace.MethodIterative}
	st := newState(fam)
	st.zones["."] = r.rootSet(fam)
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
			return r.askSystem(ctx, st, name, fam)
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
		m, err := r.askZone(ctx, st, step{zone: zone, servers: servers, name: name, qtype: qtype, depth: depth})
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

// askZone asks zone's servers until one gives a usable reply: an answer,
// NXDOMAIN, NODATA, or a referral further down. Each server with a known
// address is asked once, the one with the smallest round trip seen first
// (a random one first when nothing is known yet and r.Shuffle is set);
// servers without a usable address are looked up one at a time, only when
// needed; a server that timed out is asked again only when no other is
// left, as a lost packet may be bad luck, up to maxTriesPerServer times
// in all (with r.Hedge, these retries too go out in parallel, the hedge
// delay apart).
func (r *Resolver) askZone(ctx context.Context, st *state, at step) (*mdns.Msg, error) {
	zone, servers, name, qtype, depth := at.zone, at.servers, at.name, at.qtype, at.depth
	tries := 0
	limit := maxTriesPerStep
	if zone == "." && r.SystemFallback {
		limit = rootTriesBeforeFallback
	}
	var reasons []string
	answered := false
	asked := map[string]int{} // by address: how often asked at this step
	busy := map[string]bool{} // by address: a query to it is in flight
	retries := maxTriesPerServer
	if len(servers) == 1 {
		retries = maxTriesLoneServer
	}
	// prepare makes the question for one server of the set.
	prepare := func(ns *nameserver, addr string) question {
		tries++
		asked[addr]++
		busy[addr] = true
		server := Server{Name: strings.TrimSuffix(ns.name, "."), Addr: r.withPort(addr)}
		q := question{name: name, qtype: qtype, server: server, zone: zone, depth: depth, attempt: tries, adaptive: true}
		if zone == "." && r.SystemFallback {
			// Live, a network that blocks DNS must not cost long: the
			// roots are close (anycast), so their silence is soon clear.
			// But the fallback is decided by their silence, so each root
			// gets a fixed wait, not one shortened to backoff's first
			// step: a slow link is not a blocked one.
			q.adaptive = false
			if r.timeout() > rootFallbackTimeout {
				q.timeout = rootFallbackTimeout
				q.timeoutWhy = "the most a root is given while the system's resolver is the fallback: roots are anycast, tens of milliseconds away almost everywhere, so a network that blocks DNS is soon known"
			}
		}
		q.why = r.why(q, asked[addr] > 1)
		q.notes = r.choiceNotes(st, servers, server.Addr, asked[addr] > 1)
		return q
	}
	// handle reads one recorded outcome; stop is set when nothing more
	// should be tried.
	handle := func(q question, out outcome) (m *mdns.Msg, stop error) {
		if out.msg != nil {
			answered = true
		}
		err := out.err
		switch {
		case err == nil:
			return out.msg, nil
		case errors.Is(err, ErrQueryLimit):
			return nil, err
		case ctx.Err() != nil:
			return nil, ctx.Err() // cancelled (the user quit or ran again), or out of time
		case expired(ctx):
			return nil, context.DeadlineExceeded
		}
		who := q.server.Name
		if who == "" {
			who = q.server.Addr
		}
		reasons = append(reasons, who+": "+brief(err))
		return nil, nil
	}
	// try asks one server, and with r.Hedge a second one in parallel when
	// the first is slow to answer.
	try := func(ns *nameserver, addr string) (*mdns.Msg, error) {
		defer clear(busy) // hedged returns once nothing is in flight
		q := prepare(ns, addr)
		if !r.Hedge {
			out := r.askQuiet(ctx, st, q)
			r.record(st, out)
			return handle(q, out)
		}
		return r.hedged(ctx, st, q, func() (question, bool) {
			if tries >= limit {
				return question{}, false
			}
			ns, addr, ok := r.next(st, servers, asked, 1, false, busy)
			if !ok && needsLookup(servers, st.family) == nil {
				// Every server was asked once and none is left to look
				// up: a silent server's retry goes out in parallel too.
				ns, addr, ok = r.next(st, servers, asked, retries, true, busy)
			}
			if !ok {
				return question{}, false
			}
			return prepare(ns, addr), true
		}, handle)
	}
	for tries < limit {
		if ns, addr, ok := r.next(st, servers, asked, 1, false, nil); ok {
			if m, stop := try(ns, addr); m != nil || stop != nil {
				return m, stop
			}
			continue
		}
		// Every server with an address was asked: find the address of one
		// that has none, then ask it.
		if ns := needsLookup(servers, st.family); ns != nil {
			ns.lookedUp = true
			if err := r.lookupNameserver(ctx, st, ns, zone, depth); err != nil {
				if errors.Is(err, ErrQueryLimit) || expired(ctx) {
					return nil, err
				}
				reasons = append(reasons, fmt.Sprintf("%s: its address could not be found: %v", strings.TrimSuffix(ns.name, "."), err))
			}
			continue
		}
		// Only servers that timed out are left: ask them again (one that
		// answered, however badly, would answer the same).
		ns, addr, ok := r.next(st, servers, asked, retries, true, nil)
		if !ok {
			break
		}
		if m, stop := try(ns, addr); m != nil || stop != nil {
			return m, stop
		}
	}
	if len(reasons) == 0 {
		// Nothing was sent and nothing looked up: say why, never end with
		// an empty list.
		reasons = append(reasons, fmt.Sprintf("none of its %d %s has an address that can be used (%s)", len(servers), plural(len(servers), "nameserver", "nameservers"), familyWords(st.family)))
	}
	if zone == "." && !answered {
		return nil, fmt.Errorf("%w: %s", errRootUnreachable, strings.Join(reasons, "; "))
	}
	return nil, fmt.Errorf("%w for %s (zone %s): %s", ErrNoServer, strings.TrimSuffix(name, "."), zone, strings.Join(reasons, "; "))
}

func familyWords(fam Family) string {
	switch fam {
	case FamilyIPv4:
		return "IPv4 only, as -4 asks"
	case FamilyIPv6:
		return "IPv6 only, as -6 asks"
	}
	return "IPv4 or IPv6"
}

// next chooses the server to ask: among the addresses asked fewer than
// max times at this step, those that have not timed out in this journey
// (unless none is left), of the family that is not silent, the smallest
// smoothed round trip first, then those not yet heard from, in the set's
// order or, with r.Shuffle, a random one.
func (r *Resolver) next(st *state, servers []*nameserver, asked map[string]int, max int, onlySilent bool, busy map[string]bool) (*nameserver, string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	type cand struct {
		ns   *nameserver
		addr string
		fam  int
	}
	var all []cand
	for _, ns := range servers {
		for _, a := range usableAddrs(ns, st.family) {
			if asked[a] < max && !busy[a] && (!onlySilent || st.dead[r.withPort(a)]) {
				all = append(all, cand{ns, a, addrFamily(a)})
			}
		}
	}
	if len(all) == 0 {
		return nil, "", false
	}
	alive := all[:0:0]
	for _, c := range all {
		if !st.dead[r.withPort(c.addr)] {
			alive = append(alive, c)
		}
	}
	if len(alive) > 0 {
		all = alive
	}
	// rank puts a family that has only been silent after the other, and
	// with FamilyAny IPv4 before IPv6 otherwise (most networks have it);
	// then servers by smoothed round trip, those not heard from last.
	silent := func(fam int) bool { return st.famTimeouts[fam] > 0 && st.famAnswers[fam] == 0 }
	type key struct {
		fam     int
		unknown bool
		rtt     time.Duration
	}
	keyOf := func(c cand) key {
		k := key{}
		switch {
		case silent(c.fam) && !silent(10-c.fam): // 10-4 is 6, 10-6 is 4
			k.fam = 2
		case c.fam == 6:
			k.fam = 1
		}
		rtt, known := st.srttOf(r.withPort(c.addr))
		k.unknown, k.rtt = !known, rtt
		return k
	}
	less := func(a, b key) bool {
		if a.fam != b.fam {
			return a.fam < b.fam
		}
		if a.unknown != b.unknown {
			return !a.unknown
		}
		return a.rtt < b.rtt
	}
	best := []int{0}
	for i := 1; i < len(all); i++ {
		ki, kb := keyOf(all[i]), keyOf(all[best[0]])
		switch {
		case less(ki, kb):
			best = []int{i}
		case !less(kb, ki):
			best = append(best, i) // a tie
		}
	}
	pick := best[0]
	if r.Shuffle && keyOf(all[pick]).unknown {
		pick = best[rand.IntN(len(best))]
	}
	return all[pick].ns, all[pick].addr, true
}

// Hedging: when a server has not answered within a delay, the same
// question goes to the next server of the set in parallel and the first
// usable answer is taken, as Knot Resolver and Unbound do with their
// retransmits to other servers ("happy eyeballs" for DNS).
const (
	// hedgeFloor is the delay before any round trip is known in this
	// journey: about 50 ms, longer than most paths to an anycast root.
	hedgeFloor = 50 * time.Millisecond
	// hedgeFactor times the slowest smoothed round trip seen is the delay
	// once one is known: a reply twice as late as the slowest so far is
	// likely lost. Measured in the lab with 10% loss (BenchmarkLabLoss):
	// 3 kept the p95 at 2.6 times the no-loss median; 2 brings it to 1.7,
	// at the price of a needless second query in about 1 journey in 16.
	hedgeFactor = 2
)

// hedgeDelay is how long to wait for a server before hedging, and why.
func (st *state) hedgeDelay(timeout time.Duration) (time.Duration, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var slowest time.Duration
	for _, info := range st.rtt {
		if info.measured {
			slowest = max(slowest, info.srtt)
		}
	}
	// The why goes in parentheses after "within 50.0 ms": one level of
	// them, no figure twice.
	d, why := hedgeFloor, "the floor, as no round trip was known yet in this journey"
	if slowest > 0 {
		why = fmt.Sprintf("the floor: %s the slowest round trip so far in this journey, %s, is less", times(hedgeFactor), trace.Dur(slowest))
	}
	if hedgeFactor*slowest > d {
		d, why = hedgeFactor*slowest, fmt.Sprintf("%s the slowest round trip so far in this journey, %s", times(hedgeFactor), trace.Dur(slowest))
	}
	if d > timeout {
		d, why = timeout, "the timeout of one exchange, --timeout"
	}
	return d, why
}

// times says n times in words: "twice", "3 times".
func times(n time.Duration) string {
	if n == 2 {
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// hedged asks q's server and, each time the hedge delay passes after a
// packet left with no usable reply yet, asks the next server of the set
// (from another()) the same question in parallel: the first usable answer
// wins and the queries still in flight are abandoned. Every exchange is
// recorded, in the order sent, saying which won and why each extra query
// was sent. It returns with no reply and no stop when every query in
// flight failed: the caller goes on with the set.
func (r *Resolver) hedged(ctx context.Context, st *state, q question, another func() (question, bool), handle func(question, outcome) (*mdns.Msg, error)) (*mdns.Msg, error) {
	type done struct {
		q   question
		out outcome
	}
	results := make(chan done, maxTriesPerStep)
	sent := make(chan struct{}, maxTriesPerStep+1)
	var cancels []context.CancelFunc
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	inFlight := 0
	launch := func(q question) {
		c, cancel := context.WithCancel(ctx)
		cancels = append(cancels, cancel)
		q.sent = func() {
			select {
			case sent <- struct{}{}:
			default: // the TCP retry of a truncated reply leaves too
			}
		}
		inFlight++
		go func() { results <- done{q, r.askQuiet(c, st, q)} }()
	}
	who := func(q question) string { return q.server.peer().String() }
	launch(q)
	latest, waited := q, ""
	var finished []done
	var winner *done
	var timer *time.Timer
	var fire <-chan time.Time // nil until a packet has left: step mode holds it first
	for inFlight > 0 && winner == nil {
		select {
		case d := <-results:
			inFlight--
			finished = append(finished, d)
			if d.out.err == nil {
				winner = &finished[len(finished)-1]
			}
		case <-sent:
			if timer != nil {
				timer.Stop()
			}
			// The delay runs from when the latest packet left.
			delay, why := st.hedgeDelay(r.timeout())
			timer = time.NewTimer(delay)
			fire = timer.C
			waited = fmt.Sprintf("%s had not answered within %s (%s)", who(latest), trace.Dur(delay), why)
		case <-fire:
			fire = nil
			next, ok := another()
			if !ok {
				continue
			}
			next.notes = append(next.notes, "hedged: "+waited+", so the same question went to this server too, in parallel; the first usable answer is taken")
			latest = next
			launch(next)
		}
	}
	if timer != nil {
		timer.Stop()
	}
	if winner != nil {
		for _, c := range cancels {
			c()
		}
		for ; inFlight > 0; inFlight-- {
			finished = append(finished, <-results)
		}
	}
	slices.SortFunc(finished, func(a, b done) int { return a.q.attempt - b.q.attempt })
	// Only a query that left is recorded (and counted): one cancelled
	// before its packet went is no rival the trace could show.
	left := func(d done) bool { return len(d.out.ex.Sent.Bytes) > 0 || d.out.msg != nil }
	shown := 0
	for _, d := range finished {
		if left(d) {
			shown++
		}
	}
	for i := range finished {
		d := &finished[i]
		switch {
		case winner != nil && d.q.attempt == winner.q.attempt:
			if shown > 1 {
				d.out.ex.Notes = append(d.out.ex.Notes, "hedged: this reply came first, so it is the one used")
			}
		case winner != nil && errors.Is(d.out.err, context.Canceled) && ctx.Err() == nil:
			d.out.ex.DNS.Kind = trace.DNSError
			d.out.ex.Error = fmt.Sprintf("abandoned: %s answered first, so this query's reply was no longer needed", who(winner.q))
			d.out.ex.Outcome = d.out.ex.Error
			d.out.ex.Label = label(d.q.server, "abandoned: another server answered first")
		}
		if left(*d) {
			r.record(st, d.out)
		}
	}
	var stop error
	for _, d := range finished {
		if winner != nil && (d.q.attempt == winner.q.attempt || errors.Is(d.out.err, context.Canceled)) {
			continue
		}
		if _, s := handle(d.q, d.out); s != nil && stop == nil {
			stop = s
		}
	}
	if winner != nil {
		return handle(winner.q, winner.out)
	}
	return nil, stop
}

// needsLookup returns a server of the set with no usable address whose
// address has not been looked up yet.
func needsLookup(servers []*nameserver, fam Family) *nameserver {
	for _, ns := range servers {
		if !ns.lookedUp && len(usableAddrs(ns, fam)) == 0 {
			return ns
		}
	}
	return nil
}

// lookupNameserver finds the address of a nameserver named without glue
// (or, with -4 or -6, with glue of the other family only), as a nested
// lookup shown one level deeper. A nameserver inside the zone it serves
// is looked up from the parent's servers: the zone's own cannot be reached
// until it is found.
func (r *Resolver) lookupNameserver(ctx context.Context, st *state, ns *nameserver, zone string, depth int) error {
	if depth+1 > MaxDepth {
		return ErrDepthLimit
	}
	if st.pending[ns.name] {
		return fmt.Errorf("its address is needed to look up its own address: %s is inside %s and no server gave its glue", strings.TrimSuffix(ns.name, "."), zone)
	}
	st.pending[ns.name] = true
	defer delete(st.pending, ns.name)
	how := "that came without glue"
	if len(ns.addrs) > 0 {
		how = "that came with " + map[Family]string{FamilyIPv4: "IPv6", FamilyIPv6: "IPv4"}[st.family] + " glue only, and " + familyWords(st.family) + " is used"
	}
	purpose := fmt.Sprintf("the address of %s, a nameserver for %s %s", strings.TrimSuffix(ns.name, "."), zone, how)
	if mdns.IsSubDomain(zone, ns.name) && zone != "." && !st.bypass[zone] {
		// In-zone and glue-less: only the parent can say where it is.
		st.bypass[zone] = true
		defer delete(st.bypass, zone)
		purpose += "; it is inside " + zone + " itself, so the parent zone's servers are asked"
	}
	st.purpose = append(st.purpose[:depth], purpose)
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
	ns.addrs = append(ns.addrs, ans.addrs...)
	return nil
}

// usableAddrs are the addresses a nameserver can be reached at: with -4
// or -6 only that family's; otherwise any, IPv4 first.
func usableAddrs(ns *nameserver, fam Family) []string {
	var v4, v6 []string
	for _, a := range ns.addrs {
		switch addrFamily(a) {
		case 4:
			v4 = append(v4, a)
		case 6:
			v6 = append(v6, a)
		}
	}
	switch fam {
	case FamilyIPv4:
		return v4
	case FamilyIPv6:
		return v6
	}
	return append(v4, v6...)
}

// addrFamily is 4 or 6 for an IP or IP:port, 0 when it is neither.
func addrFamily(a string) int {
	ip, err := netip.ParseAddr(a)
	if err != nil {
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return 0
		}
		ip = ap.Addr()
	}
	if ip.Unmap().Is4() {
		return 4
	}
	return 6
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
func (r *Resolver) why(q question, again bool) string {
	qs := fmt.Sprintf("%s %s", q.name, typeName(q.qtype))
	var w string
	if q.zone == "." {
		w = fmt.Sprintf("Asking root server %s for %s: every lookup starts at the root, which knows who runs each top-level domain.", q.server.Name, qs)
	} else {
		w = fmt.Sprintf("Asking %s, a server for %s, for %s: it was named in the last referral.", q.server.Name, q.zone, qs)
	}
	switch {
	case again:
		w += " Every other server of the set has been tried; this one did not reply in time before, and a lost packet may be bad luck, so it is asked again."
	case q.attempt > 1:
		w += " The previous server did not give a usable answer, so this is the next one of the set."
	}
	return w
}

// choiceNotes says why addr was chosen among servers: its round trip, the
// silent servers passed over, or that it is asked again.
func (r *Resolver) choiceNotes(st *state, servers []*nameserver, addr string, again bool) []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var notes []string
	if again {
		notes = append(notes, "asked again: every other server of the set was tried, and this one's silence may have been a lost packet")
	}
	if rtt, ok := st.srttOf(addr); ok && !again {
		notes = append(notes, fmt.Sprintf("chosen for its smoothed round trip, %s, the smallest seen so far in this journey among the servers of the set", trace.Dur(rtt)))
	}
	var passed []string
	for _, ns := range servers {
		for _, a := range usableAddrs(ns, st.family) {
			if a = r.withPort(a); a != addr && st.dead[a] && !slices.Contains(passed, a) {
				passed = append(passed, a)
			}
		}
	}
	if len(passed) > 0 && !again {
		notes = append(notes, fmt.Sprintf("not asked: %s, which did not reply earlier in this journey: a silent server is not asked again while another is left", strings.Join(passed, ", ")))
	}
	return notes
}

// roundTrip sends q over UDP and, when the reply is truncated, again over
// TCP. Nothing is recorded here: the exchanges come back in the outcome,
// the truncated one in before, for the caller to classify and record (a
// hedged query is recorded only once it is known which one won).
func (r *Resolver) roundTrip(ctx context.Context, st *state, q question) outcome {
	out := r.roundTripOnce(ctx, st, q)
	if out.err == nil && !q.noEDNS && (out.msg.Rcode == mdns.RcodeFormatError || out.msg.Rcode == mdns.RcodeNotImplemented) && out.msg.IsEdns0() == nil {
		// A server that answers FORMERR or NOTIMP with no OPT record does
		// not know EDNS: ask it once more without (RFC 6891 section 7;
		// BIND, Unbound and Knot still do for this case).
		old := out.ex
		old.DNS.Kind = trace.DNSError
		old.Outcome = rcodeName(out.msg.Rcode) + " with no OPT record: this server does not understand EDNS, so the question is asked again without it"
		old.Label = label(q.server, rcodeName(out.msg.Rcode)+", no EDNS: asking again without it")
		q.noEDNS = true
		q.why = "The server answered " + rcodeName(out.msg.Rcode) + " without an OPT record: it does not understand EDNS, so the same question again without it."
		q.notes = []string{"asked without EDNS (no OPT record): the last reply showed this server does not understand it"}
		again := r.roundTripOnce(ctx, st, q)
		again.before = append(append(out.before, old), again.before...)
		return again
	}
	return out
}

// roundTripOnce is roundTrip without the EDNS fallback.
func (r *Resolver) roundTripOnce(ctx context.Context, st *state, q question) outcome {
	out := r.exchange(ctx, st, q, "udp")
	if out.err == nil && out.msg.Truncated {
		trunc := out.ex
		trunc.DNS.Kind = trace.DNSTrunc
		trunc.Outcome = fmt.Sprintf("truncated: the answer did not fit in %d bytes of UDP, so the TC flag is set; asking again over TCP", EDNSBufferSize)
		trunc.Label = label(q.server, "truncated, retrying over TCP")
		q.why = "The UDP reply was truncated (TC flag): the same question again over TCP, which has no size limit."
		q.notes = nil
		out = r.exchange(ctx, st, q, "tcp")
		out.before = []*trace.Exchange{trunc}
		if out.err == nil && out.msg.Truncated {
			// TCP has no size limit, so TC there means a broken server:
			// what came is a part, not an answer (Unbound drops it too).
			out.err = errors.New("the reply over TCP still has the TC flag set: a truncated reply is not an answer")
			out.ex.Error = out.err.Error()
			out.msg = nil
		}
	}
	if out.err != nil {
		out.ex.DNS.Kind = trace.DNSError
		out.ex.Outcome = out.err.Error()
		out.ex.Label = label(q.server, shortErr(out.err))
	}
	return out
}

// record adds an outcome's exchanges to the trace, in the order sent.
func (r *Resolver) record(st *state, out outcome) {
	for _, ex := range append(slices.Clip(out.before), out.ex) {
		// In place of its record in flight, if it left.
		r.Recorder.ReplaceExchange(trace.StageDNS, st.landed(ex), ex)
	}
}

// askQuiet sends q to one of a zone's servers and classifies the reply,
// without recording: out.err is set when the reply is not usable.
func (r *Resolver) askQuiet(ctx context.Context, st *state, q question) outcome {
	out := r.roundTrip(ctx, st, q)
	if out.err != nil {
		return out
	}
	out.err = describe(out.ex, out.msg, q.zone, q.name, q.qtype)
	out.ex.Notes = append(out.ex.Notes, digNotes(out.msg, q.qtype, out.ex.DNS.Kind)...)
	out.ex.Label = label(q.server, out.ex.Outcome)
	return out
}

// ask sends q to one of a zone's servers, records the exchanges, and
// returns the reply with an error when it is not usable.
func (r *Resolver) ask(ctx context.Context, st *state, q question) (*mdns.Msg, error) {
	out := r.askQuiet(ctx, st, q)
	r.record(st, out)
	if out.msg == nil {
		return nil, out.err
	}
	return out.msg, out.err
}

// rootSet is the root hints as a nameserver set. IANA's roots carry both
// their addresses unless -4 or -6 says otherwise, so that when one family
// is silent (a network without IPv6, or with IPv6 only) the other is tried.
func (r *Resolver) rootSet(fam Family) []*nameserver {
	var set []*nameserver
	if len(r.Roots) == 0 {
		for _, s := range ianaRoots {
			ns := &nameserver{name: s.name}
			if fam != FamilyIPv6 {
				ns.addrs = append(ns.addrs, s.ipv4)
			}
			if fam != FamilyIPv4 {
				ns.addrs = append(ns.addrs, s.ipv6)
			}
			set = append(set, ns)
		}
		return set
	}
	for _, s := range r.Roots {
		set = append(set, &nameserver{name: s.Name, addrs: []string{s.Addr}})
	}
	return set
}
