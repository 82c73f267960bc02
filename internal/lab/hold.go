package lab

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"sync"
	"time"

	"journey/internal/trace"
)

// The lab's web server can wait for a class, as a person holds each packet
// of the client's in step mode: when a request has arrived, before the
// gateway reads it, and when the view's response is ready, before it
// leaves. The wait is the engine's (the journey's gate, through its
// recorder), handed over with HoldServer for as long as one journey runs.

// maxHeld bounds the response held back while the class reads: past it
// (a page of megabytes) the rest leaves as it is written.
const maxHeld = 8 << 20

// holder is one journey's way of waiting.
type holder struct {
	wait func(ctx context.Context, p trace.Pending) error
}

// HoldServer makes the web server wait, with wait, before the gateway reads
// each request and before each response leaves, until release is called.
// The last journey to call it holds the server; release gives it back only
// if it still holds it (a journey run again holds it anew).
func (l *Lab) HoldServer(wait func(ctx context.Context, p trace.Pending) error) (release func()) {
	if l.web == nil {
		return func() {}
	}
	h := &holder{wait: wait}
	l.web.hold.Store(h)
	return func() { l.web.hold.CompareAndSwap(h, nil) }
}

// serveHeld serves one connection, waiting for the class twice: with the
// request's bytes as they arrived, then with the response's bytes as the
// site wrote them, held until the wait ends. raw is the connection itself,
// conn the one the site reads (its first bytes already in br).
func (l *Lab) serveHeld(ctx context.Context, h *holder, raw, conn net.Conn, br *bufio.Reader, scheme string) {
	head, _ := br.Peek(br.Buffered())
	client := raw.RemoteAddr().String()
	peer := trace.Peer{Name: "gateway", Addr: client}
	// Each wait is the class's, not the link's: the link model dates the
	// answer from the request's arrival, and is told to move that date.
	wait := func(p trace.Pending) error {
		start := time.Now()
		err := h.wait(ctx, p)
		l.net.Held("tcp", raw.RemoteAddr(), time.Since(start))
		return err
	}
	err := wait(trace.Pending{Stage: trace.StageGateway, Peer: peer, Transport: trace.TransportProcess,
		Bytes: bytes.Clone(head),
		Why:   "The request has reached the web server: its bytes wait in the socket, and the gateway is about to read them."})
	if err != nil {
		raw.Close()
		return
	}
	held := &heldConn{Conn: conn}
	l.serve(ctx, held, scheme)
	held.mu.Lock()
	out := held.buf.Bytes()
	held.mu.Unlock()
	if len(out) > 0 && !held.through {
		err = wait(trace.Pending{Stage: trace.StageRouter, Peer: trace.Peer{Name: "the web server", Addr: client}, Transport: trace.TransportProcess,
			Bytes: bytes.Clone(out),
			Why:   responseReady(out)})
		if err == nil {
			raw.SetWriteDeadline(time.Now().Add(webFirstByteTimeout))
			raw.Write(out)
		}
	}
	raw.Close()
}

// maxStatusSaid bounds the status said of a held response: a reason
// phrase is a few words.
const maxStatusSaid = 64

// responseReady says what the held response is, from its status line:
// a 404 had no view, a 500's view failed, so neither is said to have
// answered.
func responseReady(out []byte) string {
	line, _, _ := bytes.Cut(out, []byte("\r\n"))
	status := ""
	if _, s, ok := bytes.Cut(line, []byte(" ")); ok && len(s) >= 3 {
		status = " (" + string(bytes.ToValidUTF8(s[:min(len(s), maxStatusSaid)], nil)) + ")"
	}
	return "The server's side is done and the gateway has serialised the response" + status + ": it is about to leave the server."
}

// heldConn keeps what the site writes instead of sending it, up to
// maxHeld, and leaves the closing to serveHeld.
type heldConn struct {
	net.Conn
	mu      sync.Mutex
	buf     bytes.Buffer
	through bool // past maxHeld: written as it comes
}

func (c *heldConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.through && c.buf.Len()+len(p) <= maxHeld {
		return c.buf.Write(p)
	}
	if !c.through {
		c.through = true
		if _, err := c.Conn.Write(c.buf.Bytes()); err != nil {
			return 0, err
		}
	}
	return c.Conn.Write(p)
}

func (c *heldConn) Close() error { return nil }
