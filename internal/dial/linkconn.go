package dial

import (
	"net"
	"sync"
	"time"
)

// maxInFlight bounds the bytes one end's delay line holds: a kernel's send
// buffer is of this order (Linux's tcp_wmem default is 16 KiB to 4 MiB);
// a writer past it waits, as it would for a full buffer.
const maxInFlight = 4 << 20

// deliverTimeout bounds one delayed write to the socket: the gateway's
// own write timeout (10 s), past which a peer that reads nothing is let go.
const deliverTimeout = 10 * time.Second

// linkConn is one end of a connection across a link: what it writes
// reaches the other side half a round trip later (later still when the
// model loses it), in order. Reads are the real socket's: the other end's
// linkConn holds the other direction.
type linkConn struct {
	net.Conn
	f   *flow
	dir int // toHost when this is the client's end

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []segment
	queued   int       // bytes in queue
	lastDue  time.Time // TCP delivers in order: nothing overtakes a late segment
	closing  bool      // Close was called: deliver what is queued, then close
	closed   bool      // the real socket is closed
	err      error     // the real socket's write error, returned by later writes
	draining bool      // the delivering goroutine runs
}

type segment struct {
	b      []byte
	travel time.Duration // how long it takes to arrive (with any retransmission)
	due    time.Time     // when it arrives
}

func newLinkConn(c net.Conn, f *flow, dir int) *linkConn {
	lc := &linkConn{Conn: c, f: f, dir: dir}
	lc.cond = sync.NewCond(&lc.mu)
	return lc
}

// errClosed is returned by a write after Close, as net.Conn's is.
var errClosed = net.ErrClosed

// mss is the most a TCP segment carries: Ethernet's 1500-byte MTU less
// 40 bytes of IPv4 and TCP headers (RFC 879). A write is cut into segments
// of this size, each of which the model may lose.
const mss = 1460

// Write puts b on the link: it returns at once, as a write into a socket's
// buffer does, and the bytes reach the peer when the model says. A UDP
// write is one datagram; a TCP write is cut into segments.
func (c *linkConn) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.queued+len(b) > maxInFlight && c.queued > 0 && !c.closing && c.err == nil {
		c.cond.Wait()
	}
	switch {
	case c.closing:
		return 0, errClosed
	case c.err != nil:
		return 0, c.err
	}
	var segs []segment // each with its travel in due, for now
	if c.f.network == "udp" {
		if lost, seg := c.f.lost(c.dir); lost {
			c.f.n.emit(Event{Kind: EventLost, Flow: c.f.id, Network: "udp", Addr: c.f.addr, Segment: seg, ToHost: c.dir == toHost, Size: len(b)})
			return len(b), nil // gone: UDP does not resend
		}
		segs = append(segs, segment{b: b, travel: c.f.rtt / 2})
	}
	for rest := b; c.f.network == "tcp" && len(rest) > 0; {
		chunk := rest[:min(len(rest), mss)]
		rest = rest[len(chunk):]
		travel := c.f.rtt / 2
		if lost, seg := c.f.lost(c.dir); lost {
			tries, cost := c.f.retransmits(c.dir, c.f.rto)
			travel += cost
			c.f.n.emit(Event{Kind: EventLost, Flow: c.f.id, Network: "tcp", Addr: c.f.addr, Segment: seg, ToHost: c.dir == toHost, Size: len(chunk), Delay: cost, Tries: tries})
		}
		segs = append(segs, segment{b: chunk, travel: travel})
	}
	if !c.draining {
		c.draining = true
		go c.deliver() // it waits for the lock held here
	}
	// The write's segments leave together as it returns: the writer stamps
	// its moments just after, so taking the time last keeps them together.
	sent := c.f.sendTime(c.dir)
	for _, s := range segs {
		s.b = append([]byte(nil), s.b...)
		s.due = sent.Add(s.travel)
		if c.f.network == "tcp" && s.due.Before(c.lastDue) {
			s.due = c.lastDue // TCP delivers in order: nothing overtakes a late segment
		}
		c.lastDue = s.due
		c.queue = append(c.queue, s)
		c.queued += len(s.b)
	}
	return len(b), nil
}

// deliver writes each queued segment to the real socket when it is due,
// and closes the socket once Close was called and the queue is empty.
func (c *linkConn) deliver() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if len(c.queue) == 0 {
			c.draining = false
			if c.closing && !c.closed {
				c.closed = true
				c.Conn.Close()
			}
			return
		}
		s := c.queue[0]
		c.mu.Unlock()
		if d := time.Until(s.due); d > 0 {
			time.Sleep(d)
		}
		c.f.arrive(c.dir, s.due)
		// A peer that never reads must not hold this goroutine and the
		// socket for ever.
		c.Conn.SetWriteDeadline(time.Now().Add(deliverTimeout))
		_, err := c.Conn.Write(s.b)
		c.mu.Lock()
		c.queue = c.queue[1:]
		c.queued -= len(s.b)
		if err != nil && c.err == nil {
			c.err = err
		}
		if c.err != nil {
			c.queue, c.queued = nil, 0
		}
		c.cond.Broadcast()
	}
}

// Read is the real socket's, once the connection is open.
func (c *linkConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	closing := c.closing
	c.mu.Unlock()
	if closing {
		return 0, errClosed
	}
	return c.Conn.Read(b)
}

// SetDeadline applies to reads only: the link takes every write at once,
// as a socket's buffer does, and its own writes to the socket must not be
// cut by a deadline the writer set for its write (crypto/tls sets one to
// now right after its close_notify alert).
func (c *linkConn) SetDeadline(t time.Time) error { return c.Conn.SetReadDeadline(t) }

// SetWriteDeadline does nothing, for the same reason.
func (c *linkConn) SetWriteDeadline(time.Time) error { return nil }

// Close lets what is on the link arrive, then closes the socket, as a
// kernel sends its buffer before the FIN. A reader blocked on this end is
// woken at once.
func (c *linkConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return errClosed
	}
	c.closing = true
	c.cond.Broadcast()
	if c.draining {
		// Wake a blocked read now; the delivering goroutine closes the
		// socket once the queue is empty.
		c.Conn.SetReadDeadline(time.Unix(1, 0))
		return nil
	}
	c.closed = true
	return c.Conn.Close()
}

// linkPacketConn is a connected UDP socket across a link. It is a
// net.PacketConn as the socket under it is, so a DNS library frames its
// messages as datagrams (miekg/dns tells UDP from TCP that way).
type linkPacketConn struct{ *linkConn }

func (c *linkPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, err := c.Read(b)
	return n, c.RemoteAddr(), err
}

// WriteTo writes to the connected peer; a connected socket has no other.
func (c *linkPacketConn) WriteTo(b []byte, _ net.Addr) (int, error) { return c.Write(b) }
