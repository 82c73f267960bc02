package lab

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	jdns "journey/internal/dns"
	"journey/internal/trace"
)

// The lab's recursive resolver, as an ISP or a home router runs one: a
// stub (journey with @SERVER) asks it one question, and it walks the tree
// from the root with journey's own iterative resolver, keeps the answer in
// its cache for the records' TTL, and answers later questions from there.
// Each walk it makes is kept for the journey that asked, so the trace can
// show it nested under the stub's one question.

// resolverHost is the resolver's place in the lab: close to the client,
// as an ISP's resolver is (a few milliseconds away).
var resolverHost = host{name: ResolverName, addr: ResolverAddr, rtt: 6 * time.Millisecond, processing: dnsProcessing}

// Bounds of the resolver.
const (
	// maxCached bounds the cache: the lab's zones hold a few dozen names.
	maxCached = 1024
	// maxWalksKept bounds the walks kept for stubs that never ask for
	// them (dig against journey lab serve), as the web server's traces are.
	maxWalksKept = 256
	// walkTime bounds one walk: a stub gives up after its --timeout (2 s
	// by default); a walk of the lab's tree with the preset takes 0.1 s.
	walkTime = 10 * time.Second
	// maxWaitingWalks bounds the questions waiting for a walk: a journey
	// asks one at a time; a flood from another tool against lab serve gets
	// SERVFAIL past this, as a busy resolver answers.
	maxWaitingWalks = 16
	// maxNegativeTTL caps how long a "does not exist" is kept, as
	// RFC 2308 section 5 suggests (1 to 3 hours); the lab keeps it short.
	maxNegativeTTL = 300
)

// The lab resolver's name and address (for @SERVER). The name is under
// .example, reserved for documentation (RFC 2606).
const (
	ResolverName = "resolver.isp.example"
	ResolverAddr = "192.0.2.53"
)

type cacheKey struct {
	name  string
	qtype uint16
}

// cached is one answer in the cache.
type cached struct {
	at     time.Time
	ttl    uint32 // seconds, the answer's smallest
	rcode  int
	answer []dns.RR
	ns     []dns.RR
}

// Walk is the resolver's own walk of the tree for one stub question, on
// its own clock (Start counts from At).
type Walk struct {
	At        time.Time
	Exchanges []*trace.Exchange
	// Cached says the answer came from the cache: there was no walk.
	Cached bool
	// Age is how long the cached answer had been kept, when Cached.
	Age time.Duration
	// Who says which resolver this is, for the trace.
	Who string
}

type walkKey struct {
	client string
	id     uint16
}

// resolver is the lab's caching recursive resolver.
type resolver struct {
	l *Lab

	mu     sync.Mutex
	cache  map[cacheKey]*cached
	walks  map[walkKey]*Walk
	order  []walkKey
	inWalk sync.Mutex    // one walk at a time: the lab's draws stay in order
	queue  chan struct{} // the questions waiting for a walk, bounded
}

// startResolver starts the resolver on UDP and TCP and routes its address.
func (l *Lab) startResolver(at string) error {
	l.resolver = &resolver{l: l, cache: map[cacheKey]*cached{}, walks: map[walkKey]*Walk{}, queue: make(chan struct{}, maxWaitingWalks)}
	return l.startServer(resolverHost, at, func(w dns.ResponseWriter, req *dns.Msg) { l.resolver.serve(w, req) })
}

// serve answers one stub question, from the cache or after a walk.
func (r *resolver) serve(w dns.ResponseWriter, req *dns.Msg) {
	l := r.l
	network := "tcp"
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		network = "udp"
	}
	_, processing := l.opts.link(resolverHost)
	ctx, cancel := context.WithTimeout(context.Background(), walkTime)
	defer cancel()
	if l.net.Process(ctx, network, w.RemoteAddr(), processing) != nil {
		return
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if len(req.Question) != 1 || req.Question[0].Qclass != dns.ClassINET {
		m.Rcode = dns.RcodeFormatError
		r.reply(w, network, m, req)
		return
	}
	q := req.Question[0]
	key := cacheKey{strings.ToLower(q.Name), q.Qtype}
	link, _ := l.opts.link(resolverHost)
	walk := &Walk{At: time.Now(), Who: fmt.Sprintf("%s is the lab's recursive resolver (%s), as an ISP or a home router runs one", ResolverAddr, resolverHost.name)}
	if link.RTT > 0 {
		walk.Who += ", " + rttText(link) + " away"
	}
	if c, age, ok := r.lookup(key); ok {
		walk.Cached, walk.Age = true, age
		fill(m, c, age)
	} else if q.Qtype != dns.TypeA && q.Qtype != dns.TypeAAAA {
		m.Rcode = dns.RcodeNotImplemented // the walk finds addresses only
	} else {
		select {
		case r.queue <- struct{}{}:
			c := r.walk(ctx, key, walk)
			<-r.queue
			fill(m, c, 0)
		default:
			m.Rcode = dns.RcodeServerFailure
		}
	}
	r.keepWalk(walkKey{w.RemoteAddr().String(), req.Id}, walk)
	r.reply(w, network, m, req)
}

// reply sends m over the link, as the lab's other servers do.
func (r *resolver) reply(w dns.ResponseWriter, network string, m, req *dns.Msg) {
	if network == "udp" {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
			m.SetEdns0(opt.UDPSize(), false)
		}
		m.Truncate(size)
	}
	m.Compress = true
	lost, due := r.l.net.ReplyNow(network, w.RemoteAddr(), m.Len())
	if lost {
		return
	}
	time.Sleep(time.Until(due))
	w.WriteMsg(m)
}

// walk resolves key from the root with journey's own resolver, recording
// every exchange into walk, and caches what it found.
func (r *resolver) walk(ctx context.Context, key cacheKey, walk *Walk) *cached {
	r.inWalk.Lock()
	defer r.inWalk.Unlock()
	rec := trace.NewRecorder(key.name, trace.ModeLab, "lab resolver", nil, nil)
	walk.At = time.Now()
	rec.StartStage(trace.StageDNS)
	fam := jdns.FamilyIPv4
	if key.qtype == dns.TypeAAAA {
		fam = jdns.FamilyIPv6
	}
	res := &jdns.Resolver{Dialer: r.l.router, Recorder: rec, Roots: r.l.roots, Port: r.l.opts.DNSPort, Timeout: r.retry()}
	_, err := res.Lookup(ctx, key.name, fam)
	walk.Exchanges = rec.Snapshot().Stage(trace.StageDNS).Exchanges
	c := &cached{at: time.Now(), rcode: dns.RcodeServerFailure}
	for _, ex := range walk.Exchanges {
		if ex.Depth != 0 || ex.DNS == nil || len(ex.Received.Bytes) == 0 {
			continue
		}
		switch ex.DNS.Kind {
		case trace.DNSAnswer, trace.DNSCNAME, trace.DNSNXDomain, trace.DNSNoData:
		default:
			continue
		}
		msg := new(dns.Msg)
		if msg.Unpack(ex.Received.Bytes) != nil {
			continue
		}
		c.answer = append(c.answer, msg.Answer...)
		c.rcode, c.ns = msg.Rcode, msg.Ns
	}
	if err != nil && c.rcode == dns.RcodeSuccess && len(c.answer) == 0 && len(c.ns) == 0 {
		c.rcode = dns.RcodeServerFailure
	}
	c.ttl = ttlOf(c)
	if c.rcode != dns.RcodeServerFailure {
		r.mu.Lock()
		if len(r.cache) >= maxCached {
			clear(r.cache) // the lab's tree is small: starting again is enough
		}
		r.cache[key] = c
		r.mu.Unlock()
	}
	return c
}

// retry is how long the resolver waits for one answer before it asks
// again: half a second, as BIND's and Unbound's first retries are of that
// order, or two of the lab's longest round trips when they are longer; a
// stub, which waits 2 s, then still gets its answer after a loss.
func (r *resolver) retry() time.Duration {
	return max(500*time.Millisecond, 2*r.l.opts.Longest())
}

// ttlOf is how long an answer may be kept: its records' smallest TTL, or
// for a negative answer the SOA's minimum (RFC 2308), capped.
func ttlOf(c *cached) uint32 {
	ttl := uint32(0)
	first := true
	for _, rr := range c.answer {
		if t := rr.Header().Ttl; first || t < ttl {
			ttl, first = t, false
		}
	}
	if first {
		ttl = maxNegativeTTL
		for _, rr := range c.ns {
			if soa, ok := rr.(*dns.SOA); ok {
				ttl = min(soa.Minttl, soa.Hdr.Ttl, maxNegativeTTL)
			}
		}
	}
	return ttl
}

// lookup finds a fresh answer in the cache, and how long it has been kept.
func (r *resolver) lookup(key cacheKey) (*cached, time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[key]
	if !ok {
		return nil, 0, false
	}
	age := time.Since(c.at)
	if age >= time.Duration(c.ttl)*time.Second {
		delete(r.cache, key)
		return nil, 0, false
	}
	return c, age, true
}

// fill puts a cached answer into m with its TTLs counted down by age, as a
// resolver answers from its cache.
func fill(m *dns.Msg, c *cached, age time.Duration) {
	m.Rcode = c.rcode
	down := uint32(age / time.Second)
	for _, rr := range c.answer {
		cp := dns.Copy(rr)
		cp.Header().Ttl -= min(down, cp.Header().Ttl)
		m.Answer = append(m.Answer, cp)
	}
	for _, rr := range c.ns {
		cp := dns.Copy(rr)
		cp.Header().Ttl -= min(down, cp.Header().Ttl)
		m.Ns = append(m.Ns, cp)
	}
}

// keepWalk keeps a walk until the journey that asked takes it.
func (r *resolver) keepWalk(k walkKey, w *Walk) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.walks[k] = w
	r.order = append(r.order, k)
	if len(r.order) > maxWalksKept {
		delete(r.walks, r.order[0])
		r.order = r.order[1:]
	}
}

// ResolverWalk returns the walk the lab's resolver made for the question
// with ID id from client (the stub's address as the resolver saw it), or
// false when it has none.
func (l *Lab) ResolverWalk(client string, id uint16) (*Walk, bool) {
	if l.resolver == nil {
		return nil, false
	}
	r := l.resolver
	r.mu.Lock()
	defer r.mu.Unlock()
	k := walkKey{client, id}
	w, ok := r.walks[k]
	delete(r.walks, k)
	return w, ok
}

// Resolver is the lab resolver's address with the journey's DNS port, for
// @SERVER.
func (l *Lab) Resolver() string {
	return net.JoinHostPort(ResolverAddr, strconv.Itoa(l.opts.DNSPort))
}
