package http

import (
	"context"
	"net"
	"slices"
	"sync"
	"time"

	"journey/internal/tlswire"
)

// capture keeps the first max bytes written to it and counts the rest.
type capture struct {
	buf     []byte
	max     int
	dropped int64
}

func (c *capture) Write(p []byte) (int, error) {
	if room := c.max - len(c.buf); room > 0 {
		k := min(room, len(p))
		c.buf = append(c.buf, p[:k]...)
		c.dropped += int64(len(p) - k)
	} else {
		c.dropped += int64(len(p))
	}
	return len(p), nil
}

// recordConn copies what crosses a connection in both directions, bounded,
// while recording is on, and holds the first write for a gate (the
// ClientHello is shown before it leaves).
type recordConn struct {
	net.Conn
	mu        sync.Mutex
	recording bool
	sent      capture
	recv      capture
	// gate, if set, is called with the bytes of the first write before
	// they leave; an error aborts the write.
	gate       func([]byte) error
	firstWrite time.Time
}

func newRecordConn(c net.Conn, max int) *recordConn {
	return &recordConn{Conn: c, recording: true, sent: capture{max: max}, recv: capture{max: max}}
}

func (c *recordConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	gate := c.gate
	c.gate = nil
	c.mu.Unlock()
	if gate != nil {
		if err := gate(p); err != nil {
			return 0, err
		}
	}
	c.mu.Lock()
	if c.firstWrite.IsZero() {
		c.firstWrite = time.Now()
	}
	c.mu.Unlock()
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	if c.recording {
		c.sent.Write(p[:n])
	}
	c.mu.Unlock()
	return n, err
}

func (c *recordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if c.recording {
		c.recv.Write(p[:n])
	}
	c.mu.Unlock()
	return n, err
}

// stop ends recording and returns what was captured.
func (c *recordConn) stop() (sent, recv capture, first time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recording = false
	return c.sent, c.recv, c.firstWrite
}

// cut returns what was captured so far, each way cut after its last whole
// TLS record, and goes on recording from there, up to max more bytes each
// way: the handshake's records go to the handshake's exchange, the ones
// after it to the HTTP exchange's. A side that overflowed its capture is
// not recorded further: its records could no longer be told apart.
func (c *recordConn) cut(max int) (sent, recv capture, first time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	split := func(cp *capture) capture {
		whole := tlswire.WholeRecords(cp.buf)
		out := capture{buf: cp.buf[:whole:whole], max: cp.max, dropped: cp.dropped}
		if cp.dropped > 0 {
			*cp = capture{}
			return out
		}
		rest := slices.Clone(cp.buf[whole:])
		*cp = capture{buf: rest, max: len(rest) + max}
		return out
	}
	sent, recv = split(&c.sent), split(&c.recv)
	return sent, recv, c.firstWrite
}

// timedReader notes when the first byte and the last byte arrived, and
// gives every read a deadline: the idle timeout, never past the context's
// deadline, so a server dripping one byte at a time cannot hold the
// journey past --max-time.
type timedReader struct {
	conn  net.Conn
	ctx   context.Context
	idle  time.Duration
	first time.Time
	last  time.Time
	total int64
}

func (r *timedReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	r.conn.SetReadDeadline(deadline(r.ctx, r.idle))
	n, err := r.conn.Read(p)
	if n > 0 {
		now := time.Now()
		if r.first.IsZero() {
			r.first = now
		}
		r.last = now
		r.total += int64(n)
	}
	return n, err
}

// deadline is now plus d, or the context's deadline if sooner.
func deadline(ctx context.Context, d time.Duration) time.Time {
	t := time.Now().Add(d)
	if dl, ok := ctx.Deadline(); ok && dl.Before(t) {
		return dl
	}
	return t
}
