package dial

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"
)

// The link model: the lab's in-process stand-in for the distance between
// the journey and each lab host. A Network knows each host's Link; the
// Router wraps every connection it routes to such a host, and the lab
// wraps the server's end, so that
//
//   - a TCP connection completes one round trip after it was asked for
//     (SYN out, SYN-ACK back);
//   - every segment or datagram reaches the other side half a round trip
//     after it was written, in both directions (the sender's end holds it
//     in a delay line, as a wire would);
//   - a lost datagram is gone; a lost TCP segment arrives one
//     retransmission timeout later, and everything behind it waits (TCP
//     delivers in order).
//
// Loss and jitter come from a seeded generator, drawn per connection and
// per direction in the order the segments are written, so the same seed
// gives the same losses and round trips every time.

// Retransmission timeouts, as a Linux kernel applies them.
const (
	// InitialRTO is the wait before a lost SYN is sent again: 1 s
	// (RFC 6298 section 2.1; Linux's TCP_TIMEOUT_INIT).
	InitialRTO = time.Second
	// MinRTO is the floor of a connection's retransmission timeout once it
	// has measured a round trip: Linux's TCP_RTO_MIN, 200 ms (RFC 6298
	// asks for 1 s; every common kernel uses less).
	MinRTO = 200 * time.Millisecond
	// maxRetransmits bounds how often one segment is lost in a row before
	// the model lets it through: Linux gives up on a SYN after 6 tries
	// (tcp_syn_retries); a lesson needs no more.
	maxRetransmits = 6
	// maxFlows bounds the connections remembered for the server's side to
	// find: a journey makes a few dozen; lab serve may see many more.
	maxFlows = 4096
	// maxEvents bounds the losses kept for Events: a journey at 100% loss
	// gives up after a few dozen; lab serve runs without journeys.
	maxEvents = 4096
)

// Link is the path to one lab host.
type Link struct {
	RTT time.Duration // the round-trip time
	// Jitter is the most a connection's round trip differs from RTT,
	// either way, drawn once per connection (so segments stay in order).
	Jitter time.Duration
}

// EventKind says what the network did on purpose.
type EventKind string

// What a Network reports.
const (
	EventLost = EventKind("lost") // a datagram lost for good, or a TCP segment lost and sent again
)

// Event is one simulated loss, in the order it happened.
type Event struct {
	Kind    EventKind
	Flow    int    // the connection's number in this journey, from 1
	Network string // udp or tcp
	Addr    string // the host's address as shown (192.0.2.1:53)
	// Segment is the number of the segment in its direction, from 1; 0 is
	// the SYN.
	Segment int
	ToHost  bool          // sent towards the host (else back from it)
	Size    int           // the bytes the segment held
	Delay   time.Duration // the extra wait a retransmission cost; 0 for a datagram gone for good
	Tries   int           // how many times it was sent (for a TCP segment)
}

// String says what happened in a sentence, for the trace's notes.
func (e Event) String() string {
	dir := "from " + e.Addr
	if e.ToHost {
		dir = "to " + e.Addr
	}
	switch {
	case e.Network == "udp":
		return fmt.Sprintf("Simulated loss (--lab-loss): the lab dropped a %d-byte UDP datagram %s; UDP does not resend: the client asks again (this server or another) when it stops waiting.", e.Size, dir)
	case e.Segment == 0:
		return fmt.Sprintf("Simulated loss (--lab-loss): the lab dropped the SYN %s; the kernel sent it again after its initial retransmission timeout: %s more to connect (retransmission).", dir, fmtDur(e.Delay))
	}
	return fmt.Sprintf("Simulated loss (--lab-loss): the lab dropped TCP segment %d (%d bytes) %s; TCP sent it again after the connection's retransmission timeout: %s later (retransmission, %d sends).", e.Segment, e.Size, dir, fmtDur(e.Delay), e.Tries)
}

func fmtDur(d time.Duration) string { return d.Round(time.Millisecond).String() }

// Network is the lab's set of links, with its loss rate and seed. Its zero
// value has no links and loses nothing.
type Network struct {
	Seed uint64
	Loss float64 // percent, 0 to 100

	mu       sync.Mutex
	links    map[string]Link  // by host IP as shown
	flows    map[string]*flow // by network and the client's local address
	order    []string         // flow keys, oldest first, for forgetting
	count    int              // flows opened in this journey
	gen      int              // journeys begun
	observer func(Event)
	events   []Event
}

// SetLink gives host (an IP address as the zone files show it) its link.
func (n *Network) SetLink(host string, l Link) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.links == nil {
		n.links = map[string]Link{}
	}
	n.links[host] = l
}

// LinkTo returns the link to host, if it has one.
func (n *Network) LinkTo(host string) (Link, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l, ok := n.links[host]
	return l, ok
}

// Begin starts a journey's count again, so the same seed draws the same
// losses and round trips on each run, and sends every event to observe
// (nil for none).
func (n *Network) Begin(observe func(Event)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.count = 0
	n.events = nil
	n.observer = observe
	n.gen++ // the flows of an earlier journey are not listed again
}

// End stops sending events to Begin's observer; Events and Flows still
// tell what happened.
func (n *Network) End() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.observer = nil
}

// Events returns what was lost since Begin, in the order of the
// connections, then of the direction (to the host first), then of the
// segments: the order the model drew them in, whatever order the
// goroutines that carried them ran in.
func (n *Network) Events() []Event {
	n.mu.Lock()
	out := append([]Event(nil), n.events...)
	n.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := cmp.Compare(a.Flow, b.Flow); c != 0 {
			return c
		}
		if a.ToHost != b.ToHost {
			if a.ToHost {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Segment, b.Segment)
	})
	return out
}

// Flow is one connection the network carried, for tests and reports.
type Flow struct {
	ID      int
	Network string
	Addr    string // as shown
	Local   string // the client's end
	RTT     time.Duration
}

// Flows returns the connections opened since Begin, oldest first.
func (n *Network) Flows() []Flow {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Flow
	for _, k := range n.order {
		if f, ok := n.flows[k]; ok && f.gen == n.gen {
			out = append(out, Flow{ID: f.id, Network: f.network, Addr: f.addr, Local: f.local, RTT: f.rtt})
		}
	}
	return out
}

func (n *Network) emit(ev Event) {
	n.mu.Lock()
	if len(n.events) < maxEvents {
		n.events = append(n.events, ev)
	}
	observe := n.observer
	n.mu.Unlock()
	if observe != nil {
		observe(ev)
	}
}

// flow is one connection's state in the model.
type flow struct {
	n       *Network
	id      int
	gen     int
	network string
	addr    string // as shown
	local   string
	rtt     time.Duration
	rto     time.Duration
	// One generator per direction, drawn in the order segments are
	// written: the same seed gives the same fate to the same segment.
	rng  [2]*rand.Rand
	segs [2]int
	// arrived is when, on the model's clock, the client's last segment
	// reached the server (its due time, however late a busy machine's
	// timer really delivered it), and fresh says the server has not sent
	// since. The server's first send after it is counted from then: the
	// lab's servers take the processing time the model gives them and no
	// more, so neither a late timer nor the real work of a handshake on
	// this machine adds to the times the client measures.
	arrived time.Time
	fresh   bool
	mu      sync.Mutex
}

// arrive records that a segment in direction dir reached the other side
// at due on the model's clock.
func (f *flow) arrive(dir int, due time.Time) {
	if dir != toHost {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.arrived, f.fresh = due, true
}

// sendTime is when, on the model's clock, a segment written now in
// direction dir leaves. The client's end sends at its own now: the client
// measures from its own writes. The server's end sends its answer to a
// segment as if it had written it the moment the segment arrived (see
// arrived); later sends leave at their own now.
func (f *flow) sendTime(dir int) time.Time {
	now := time.Now()
	if dir == toHost {
		return now
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fresh || f.arrived.After(now) {
		return now
	}
	f.fresh = false
	return f.arrived
}

const (
	toHost   = 0
	fromHost = 1
)

// open starts a flow to addr (as shown) over the given link.
func (n *Network) open(network, addr string, l Link) *flow {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.count++
	id := n.count
	stream := uint64(id) << 2
	f := &flow{n: n, id: id, gen: n.gen, network: network, addr: addr, rtt: l.RTT,
		rng: [2]*rand.Rand{rand.New(rand.NewPCG(n.Seed, stream)), rand.New(rand.NewPCG(n.Seed, stream|1))}}
	if l.Jitter > 0 {
		jr := rand.New(rand.NewPCG(n.Seed, stream|2))
		f.rtt += time.Duration(jr.Int64N(int64(2*l.Jitter)+1)) - l.Jitter
		f.rtt = max(f.rtt, 0)
	}
	// RFC 6298 section 2.2 after the handshake's sample R: SRTT = R,
	// RTTVAR = R/2, RTO = SRTT + 4*RTTVAR = 3R, with the kernel's floor.
	f.rto = max(3*f.rtt, MinRTO)
	return f
}

// register lets the server's end find the flow by the client's address.
func (n *Network) register(f *flow, local string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.flows == nil {
		n.flows = map[string]*flow{}
	}
	f.local = local
	key := f.network + " " + local
	n.flows[key] = f
	n.order = append(n.order, key)
	if len(n.order) > maxFlows {
		delete(n.flows, n.order[0])
		n.order = n.order[1:]
	}
}

// lookup finds the flow whose client end is remote.
func (n *Network) lookup(network, remote string) *flow {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.flows[network+" "+remote]
}

// lost draws whether the next segment in direction dir is lost, and
// counts it. It returns the segment's number.
func (f *flow) lost(dir int) (bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.segs[dir]++
	if f.n.Loss <= 0 {
		return false, f.segs[dir]
	}
	return f.rng[dir].Float64()*100 < f.n.Loss, f.segs[dir]
}

// retransmits draws how many times in a row a segment in direction dir
// is lost, after a first loss, and the time the retransmissions cost with
// the timeout doubling each time (RFC 6298 section 5.5).
func (f *flow) retransmits(dir int, rto time.Duration) (tries int, cost time.Duration) {
	tries, cost = 2, rto
	for tries <= maxRetransmits {
		f.mu.Lock()
		again := f.rng[dir].Float64()*100 < f.n.Loss
		f.mu.Unlock()
		if !again {
			break
		}
		rto *= 2
		cost += rto
		tries++
	}
	return tries, cost
}

// dial opens a TCP connection or a UDP socket to real (where the
// lab's host shown as addr listens) over link l, as the model says: a TCP
// connect takes a round trip, plus a retransmission timeout for each SYN
// lost.
func (n *Network) dial(ctx context.Context, base *net.Dialer, network, addr, real string, l Link) (net.Conn, error) {
	f := n.open(trimFamily(network), addr, l)
	start := time.Now()
	conn, err := base.DialContext(ctx, network, real)
	if err != nil {
		return nil, err
	}
	n.register(f, conn.LocalAddr().String())
	if f.network == "udp" {
		return &linkPacketConn{newLinkConn(conn, f, toHost)}, nil
	}
	wait := f.rtt
	if lost, _ := f.lost(toHost); lost {
		tries, cost := f.retransmits(toHost, InitialRTO)
		wait += cost
		n.emit(Event{Kind: EventLost, Flow: f.id, Network: f.network, Addr: addr, Segment: 0, ToHost: true, Delay: cost, Tries: tries})
	}
	if err := sleepUntil(ctx, start.Add(wait)); err != nil {
		conn.Close()
		return nil, err
	}
	return newLinkConn(conn, f, toHost), nil
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServerConn wraps the server's end of an accepted connection, so what the
// server writes reaches the client half a round trip later. A connection
// the network did not open (curl against lab serve) is returned as it is.
func (n *Network) ServerConn(c net.Conn) net.Conn {
	f := n.lookup(trimFamily(c.RemoteAddr().Network()), c.RemoteAddr().String())
	if f == nil {
		return c
	}
	lc := newLinkConn(c, f, fromHost)
	if f.network == "udp" {
		return &linkPacketConn{lc}
	}
	return lc
}

// Listener wraps ln so every connection it accepts is a ServerConn. The
// flow is found when the server first writes: a client's bytes reach the
// server only after its dial has returned.
func (n *Network) Listener(ln net.Listener) net.Listener { return &linkListener{Listener: ln, n: n} }

type linkListener struct {
	net.Listener
	n *Network
}

func (l *linkListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lazyServerConn{Conn: c, n: l.n}, nil
}

// lazyServerConn finds its flow on the first write.
type lazyServerConn struct {
	net.Conn
	n    *Network
	once sync.Once
	link net.Conn
}

func (c *lazyServerConn) inner() net.Conn {
	c.once.Do(func() { c.link = c.n.ServerConn(c.Conn) })
	return c.link
}

func (c *lazyServerConn) Write(b []byte) (int, error) { return c.inner().Write(b) }
func (c *lazyServerConn) Close() error                { return c.inner().Close() }

// SetDeadline applies to reads only, and SetWriteDeadline not at all: the
// link takes every write at once (see linkConn).
func (c *lazyServerConn) SetDeadline(t time.Time) error    { return c.Conn.SetReadDeadline(t) }
func (c *lazyServerConn) SetWriteDeadline(time.Time) error { return nil }

// Reply is the fate of a server's one reply (a DNS answer, a datagram or
// one TCP segment) to the client at client, made after processing: whether
// it is lost for good, and when it reaches the client, on the model's
// clock (the server holds it until then). A connection the network did
// not open gets only the processing time.
func (n *Network) Reply(network string, client net.Addr, size int, processing time.Duration) (lost bool, due time.Time) {
	f := n.lookup(trimFamily(network), client.String())
	if f == nil {
		return false, time.Now().Add(processing)
	}
	sent := f.sendTime(fromHost).Add(processing)
	isLost, seg := f.lost(fromHost)
	if !isLost {
		return false, sent.Add(f.rtt / 2)
	}
	if f.network == "udp" {
		n.emit(Event{Kind: EventLost, Flow: f.id, Network: f.network, Addr: f.addr, Segment: seg, Size: size})
		return true, time.Time{}
	}
	tries, cost := f.retransmits(fromHost, f.rto)
	n.emit(Event{Kind: EventLost, Flow: f.id, Network: f.network, Addr: f.addr, Segment: seg, Size: size, Delay: cost, Tries: tries})
	return false, sent.Add(f.rtt/2 + cost)
}

// ReplyNow is Reply for a server that worked on its answer (a resolver's
// walk) after its processing time: the answer leaves now.
func (n *Network) ReplyNow(network string, client net.Addr, size int) (lost bool, due time.Time) {
	if f := n.lookup(trimFamily(network), client.String()); f != nil {
		f.mu.Lock()
		f.fresh = false
		f.mu.Unlock()
	}
	return n.Reply(network, client, size, 0)
}

// Process holds the server for processing, counted from when the
// client's last segment arrived on the model's clock, or until ctx ends.
// The server's next send then counts from the end of that time.
func (n *Network) Process(ctx context.Context, network string, client net.Addr, processing time.Duration) error {
	f := n.lookup(trimFamily(network), client.String())
	if f == nil {
		return sleepUntil(ctx, time.Now().Add(processing))
	}
	until := f.sendTime(fromHost).Add(processing)
	if err := sleepUntil(ctx, until); err != nil {
		return err
	}
	f.arrive(toHost, until)
	return nil
}

// Held tells the model the host waited d for a person before answering
// the client at client (step mode holds the lab's web server): the answer
// it sends next is dated from the request's arrival (see sendTime), and
// that date moves by d, so the class's pause does not stand in for the
// answer's trip back.
func (n *Network) Held(network string, client net.Addr, d time.Duration) {
	f := n.lookup(trimFamily(network), client.String())
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fresh {
		f.arrived = f.arrived.Add(d)
	}
}

// HalfRTT is how long a segment from the host to the client at remote
// travels; 0 for a connection the network did not open.
func (n *Network) HalfRTT(network string, remote net.Addr) time.Duration {
	if f := n.lookup(trimFamily(network), remote.String()); f != nil {
		return f.rtt / 2
	}
	return 0
}

func trimFamily(network string) string {
	switch network {
	case "tcp4", "tcp6":
		return "tcp"
	case "udp4", "udp6":
		return "udp"
	}
	return network
}
