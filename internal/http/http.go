// Package http owns the connect and HTTP stages: the TCP connection, the TLS
// handshake for https, and the request and response exactly as they crossed
// the wire.
//
// Nothing here trusts the peer. Every byte it sends is captured (within
// named bounds) before it is parsed; the response is read through a tee so
// the bytes shown are the bytes received, while net/http's ReadResponse does
// the parsing. Timings are taken at the socket: the connect around the dial,
// the handshake from the ClientHello leaving to the handshake's end, the
// time to first byte from the request's last byte written to the
// response's first byte read.
package http

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds on what a server can make us hold or wait for.
const (
	// MaxHeaderLine is the longest response header line accepted: curl's
	// CURL_MAX_HTTP_HEADER (100 KB).
	MaxHeaderLine = 100 * 1024
	// MaxHeaderBytes is the most response header bytes accepted in all:
	// curl's MAX_HTTP_RESP_HEADER_SIZE (300 KB).
	MaxHeaderBytes = 300 * 1024
	// MaxBodyKept is how much of a body is kept for showing (raw and
	// decoded each); the rest is read, counted and discarded. 1 MiB shows
	// any real page whole and keeps memory flat on an endless body.
	MaxBodyKept = 1 << 20
	// MaxEncodings is the most content encodings undone: curl's
	// MAX_ENCODE_STACK (5), which stops a stack of gzip layers.
	MaxEncodings = 5
	// MaxRedirects is how many redirects -L follows (the bound;
	// browsers stop at 20, curl at 50).
	MaxRedirects = 10
	// MaxHandshakeCapture bounds the TLS records kept per direction: a
	// handshake with a long chain is a few KB; 64 KiB is ample.
	MaxHandshakeCapture = 64 * 1024
	// MaxRecordCapture bounds the TLS records kept per direction after
	// the handshake, those that carry the request and the response: the
	// records of a page of up to 64 KiB are kept whole (the plaintext is
	// shown in full by the HTTP exchange itself); past it they are counted.
	MaxRecordCapture = 64 * 1024
	// DefaultTimeout bounds each wait (a connect, a handshake, one read)
	// when the caller gives none.
	DefaultTimeout = 5 * time.Second
)

// Errors a caller can test with errors.Is.
var (
	ErrHeaderTooLarge   = errors.New("response header too large")
	ErrNotHTTP          = errors.New("the server's answer is not HTTP")
	ErrEarlyClose       = errors.New("the server closed the connection early")
	ErrTimedOut         = errors.New("timed out")
	ErrTooManyEncodings = errors.New("too many content encodings")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrBadCertificate   = errors.New("the server's certificate did not verify")
	ErrConnect          = errors.New("could not connect")
	ErrBadRequest       = errors.New("cannot build the request")
)

// Said in every timeout error: the limit that ran out, by its flag.
const (
	maxTimeRanOut = "the journey's time limit (--max-time) ran out"
	cancelled     = "the journey was stopped"
)

// timedOut is a timeout said once, in the user's terms: its message names
// the limit that ran out (--timeout or --max-time) and does not repeat its
// causes' text ("context deadline exceeded", "i/o timeout"). errors.Is
// finds ErrTimedOut and every cause.
type timedOut struct {
	msg    string
	causes []error
}

func (e *timedOut) Error() string        { return e.msg }
func (e *timedOut) Is(target error) bool { return target == ErrTimedOut }
func (e *timedOut) Unwrap() []error      { return e.causes }

// timeoutf is a timeout error whose message is format's, and which wraps
// causes without saying them.
func timeoutf(causes []error, format string, a ...any) error {
	return &timedOut{msg: fmt.Sprintf(format, a...), causes: causes}
}

// overMaxTime reports whether ctx's deadline (--max-time) has passed.
func overMaxTime(ctx context.Context) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	dl, ok := ctx.Deadline()
	// A read deadline set to the context's fires a hair before it.
	return ok && !time.Now().Before(dl.Add(-time.Millisecond))
}
