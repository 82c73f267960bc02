package http

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"journey/internal/address"
	"journey/internal/dial"
	"journey/internal/tlswire"
	"journey/internal/trace"
)

// Client runs the connect and HTTP stages of one journey. Options work at
// their zero value, except Dialer and Recorder.
type Client struct {
	Dialer   dial.Dialer
	Recorder *trace.Recorder
	Timeout  time.Duration  // each wait: a connect, a handshake, a read; DefaultTimeout when zero
	RootCAs  *x509.CertPool // trusted roots; the system's when nil
	// KeyLog, when set, receives the TLS secrets in the SSLKEYLOGFILE
	// format (--keylog), for Wireshark to decrypt a capture of the same
	// connection.
	KeyLog io.Writer

	Method          string   // -X
	Headers         []string // -H
	Body            *string  // -d
	UserAgent       string   // journey/VERSION
	Insecure        bool     // -k
	Compressed      bool     // --compressed
	FollowRedirects bool     // -L
	TLSMax          uint16   // --tls-max: the highest TLS version offered (tls.VersionTLS12...); Go's default when zero
	// KeepAlive asks the server to keep the connection open and keeps
	// the last one open after Run, for Revisit (--warm).
	KeepAlive bool
	kept      *conn

	// Resolve finds the addresses of a host a redirect leads to. Nil:
	// a redirect to another host is not followed.
	Resolve func(ctx context.Context, host string, port int) ([]string, error)
}

// Result is what the server side needs of the last request made.
type Result struct {
	Request []byte // exactly as sent
	Local   string // our end of the connection, as the server saw it
	Remote  string // the server's address as shown
	Scheme  string
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// Run connects to the first of addrs that answers (the connect stage) and
// makes the request (the HTTP stage), following redirects when asked. It
// records both stages, finished, whatever happens; the Result holds the
// last request sent, if any was.
func (c *Client) Run(ctx context.Context, target *trace.Address, addrs []string) (*Result, error) {
	rec := c.Recorder
	rec.StartStage(trace.StageConnect)
	cn, err := c.connect(ctx, trace.StageConnect, target, addrs)
	rec.FinishStage(trace.StageConnect, err, func(s *trace.Stage) {
		if cn == nil {
			return // cancelled before any attempt (Ctrl+C, a closed pipe)
		}
		s.Connect = &trace.Connect{Remote: cn.remote, Via: cn.via, Local: cn.local, Attempts: cn.attempts, TCP: cn.tcp, TLS: cn.tlsInfo}
	})
	if err != nil {
		return nil, err
	}

	rec.StartStage(trace.StageHTTP)
	result := &trace.HTTP{}
	var res *Result
	err = func() error {
		t := target
		method, body := c.Method, c.Body
		seen := map[string]bool{}
		known := map[string][]string{strings.ToLower(target.ASCIIHost): addrs} // addresses of each host met
		for hop := 0; ; hop++ {
			if hop > 0 {
				// Each later hop is a new connection, recorded with the HTTP stage.
				hopAddrs, err := c.addrsFor(ctx, t, known)
				if err != nil {
					return err
				}
				if cn, err = c.connect(ctx, trace.StageHTTP, t, hopAddrs); err != nil {
					return err
				}
			}
			before := lastExchange(rec, "http")
			h, r, sent, err := c.exchange(ctx, cn, t, method, body, nil)
			// Only the first hop's connection is kept: it is the one to
			// the target, which the second visit asks for again.
			if c.KeepAlive && hop == 0 && err == nil && r != nil && r.keptAlive() {
				c.kept = cn
			} else {
				cn.Close()
				c.Close() // a redirect was followed: the kept one leads elsewhere
			}
			h.Exchange = lastExchange(rec, "http")
			if h.Exchange == before {
				return err // nothing was sent: no hop to show
			}
			if hop > 0 {
				h.TLS = cn.tlsInfo
			}
			result.Hops = append(result.Hops, h)
			result.URL, result.Status, result.Reason, result.Proto = h.URL, h.Status, h.Reason, h.Proto
			if sent != nil {
				res = &Result{Request: sent, Local: cn.local, Remote: cn.remote, Scheme: t.Scheme}
			}
			if err != nil {
				return err
			}
			seen[h.URL] = true
			if h.Location == "" {
				return nil
			}
			if !c.FollowRedirects {
				rec.Note(trace.StageHTTP, fmt.Sprintf("The server redirects (%d) to %s; -L follows redirects.", h.Status, h.Location))
				return nil
			}
			if hop+1 > MaxRedirects {
				why := ""
				if seen[h.Location] {
					why = " (a loop: " + h.Location + " was visited before)"
				}
				return fmt.Errorf("%w: stopped after %d redirects, journey's limit%s", ErrTooManyRedirects, MaxRedirects, why)
			}
			next, err := address.Parse(h.Location)
			if err != nil {
				return fmt.Errorf("the redirect to %q cannot be followed: %w", h.Location, err)
			}
			if next.Scheme != "http" && next.Scheme != "https" {
				return fmt.Errorf("the redirect to %q leaves HTTP: journey follows only http and https", h.Location)
			}
			// As browsers and curl do: a 303 becomes a GET, and so does a
			// POST answered with 301 or 302; 307 and 308 keep the method.
			m := methodOf(method, body)
			if h.Status == 303 && m != "HEAD" || (h.Status == 301 || h.Status == 302) && m == "POST" {
				method, body = "GET", nil
			}
			result.Redirects++
			rec.Note(trace.StageHTTP, fmt.Sprintf("-L: following the %d redirect to %s (hop %d).", h.Status, h.Location, hop+2))
			t = next
		}
	}()
	if err != nil && overMaxTime(ctx) && !errors.Is(err, ErrTimedOut) {
		// Something else failed as the time ran out (a write cut by the
		// deadline, a redirect's lookup): say the limit, once.
		msg := strings.TrimSuffix(err.Error(), ": "+context.DeadlineExceeded.Error())
		if !strings.Contains(msg, "--max-time") {
			msg += ": " + maxTimeRanOut
		}
		err = timeoutf([]error{err, context.DeadlineExceeded}, "%s", msg)
	}
	rec.FinishStage(trace.StageHTTP, err, func(s *trace.Stage) { s.HTTP = result })
	return res, err
}

func methodOf(method string, body *string) string {
	if method != "" {
		return method
	}
	if body != nil {
		return "POST"
	}
	return "GET"
}

// lastExchange is the index of the HTTP stage's last exchange of a kind:
// the hop just made.
func lastExchange(rec *trace.Recorder, kind string) int {
	if s := rec.Snapshot().Stage(trace.StageHTTP); s != nil {
		for i := len(s.Exchanges) - 1; i >= 0; i-- {
			if s.Exchanges[i].Kind == kind {
				return i
			}
		}
	}
	return -1
}

// addrsFor finds the addresses of a redirect's target: those already
// found for its host, the literal for an IP, else a lookup.
func (c *Client) addrsFor(ctx context.Context, t *trace.Address, known map[string][]string) ([]string, error) {
	host := strings.ToLower(t.ASCIIHost)
	if a, ok := known[host]; ok {
		return a, nil
	}
	if t.IsIP {
		return []string{t.ASCIIHost}, nil
	}
	if c.Resolve == nil {
		return nil, fmt.Errorf("the redirect leads to another host, %s, which journey cannot look up here", t.ASCIIHost)
	}
	got, err := c.Resolve(ctx, t.ASCIIHost, t.Port)
	if err != nil {
		return nil, fmt.Errorf("looking up %s, where the redirect leads: %w", t.ASCIIHost, err)
	}
	known[host] = got
	return got, nil
}

// hopURL is the URL a hop asked for.
func hopURL(t *trace.Address) string {
	u := t.Scheme + "://" + address.Authority(t) + t.Path
	if t.Query != "" {
		u += "?" + t.Query
	}
	return u
}

// exchange writes one request on cn and reads its response, recording the
// exchange in the HTTP stage. sent is the request's bytes once written.
func (c *Client) exchange(ctx context.Context, cn *conn, t *trace.Address, method string, body *string, extra []string) (trace.HTTPHop, *response, []byte, error) {
	rec := c.Recorder
	target := t.Path
	if target == "" {
		target = "/"
	}
	if t.Query != "" {
		target += "?" + t.Query
	}
	req := Request{Method: method, Target: target, Host: address.Authority(t), UserAgent: c.UserAgent,
		Headers: append(append([]string(nil), c.Headers...), extra...), Body: body, Compressed: c.Compressed, KeepAlive: c.KeepAlive}
	m := methodOf(method, body)
	h := trace.HTTPHop{URL: hopURL(t), Method: m, Remote: cn.remote, Local: cn.local, ContentLength: -1}
	// Offsets taken when each step happened: converting the moments now
	// would take off the waits at the gate since (the ClientHello's).
	h.Timing.Start = cn.startOff
	h.Timing.Connect = cn.tcp
	if cn.tlsInfo != nil && cn.tls > 0 {
		h.Timing.TLSStart, h.Timing.TLS = cn.tlsInfo.Start, cn.tls
	}
	bytes, fields, err := req.Build()
	if err != nil {
		return h, nil, nil, err
	}
	peer := cn.peer()
	ex := &trace.Exchange{Kind: "http", Label: m + " " + h.URL, Peer: peer, Local: cn.local, Transport: cn.transport(),
		Sent: trace.Message{Bytes: bytes, Fields: fields}}
	if err := rec.Wait(ctx, trace.Pending{Stage: trace.StageHTTP, Peer: peer, Transport: cn.transport(), Bytes: bytes, Fields: fields,
		Why: "The request: what we want (method and path), for which site (Host), and who asks (User-Agent)."}); err != nil {
		return h, nil, nil, err
	}

	// Shown as it leaves, before the answer: the server may take its
	// time, or, in step mode, wait for the class. Recorded before the
	// write, so that the server, which may tell its side as soon as the
	// bytes arrive, is never told before the request that reached it.
	inFlight := *ex
	inFlight.InFlight = true
	inFlight.Start = rec.Since()
	inFlight.Outcome = "sent; the answer is not in yet"
	rec.AddExchange(trace.StageHTTP, &inFlight)

	cn.SetWriteDeadline(deadline(ctx, c.timeout()))
	w0 := time.Now()
	_, err = cn.Write(bytes)
	w1 := time.Now()
	h.Timing.WriteStart, h.Timing.Write = rec.Offset(w0), w1.Sub(w0)
	// The end of the write on the journey's clock, taken now: in step mode
	// the lab's web server may wait for the class before it answers, and
	// that wait is not the server's time.
	written := rec.Offset(w1)
	ex.Start = h.Timing.WriteStart
	if err != nil {
		err = fmt.Errorf("writing the request to %s: %w", peerName(peer), err)
		ex.Error, ex.Duration = err.Error(), time.Since(w0)
		cn.attachRecords(ex, c.KeepAlive)
		rec.ReplaceExchange(trace.StageHTTP, &inFlight, ex)
		return h, nil, nil, err
	}

	r, err := readResponse(ctx, cn, c.timeout(), m, c.Compressed)
	end := time.Now()
	if !r.last.IsZero() {
		end = r.last
	}
	if !r.first.IsZero() {
		h.Timing.FirstByte = rec.Offset(r.first)
		h.Timing.TTFB = h.Timing.FirstByte - written
		h.Timing.Transfer = end.Sub(r.first)
	}
	// On the journey's clock, as every offset: the reader's pauses at the
	// gate (the request's) are not the network's time.
	h.Timing.Total = rec.Offset(end) - h.Timing.Start
	ex.Duration = rec.Offset(end) - ex.Start
	ex.Received = trace.Message{Bytes: r.raw.buf, Dropped: r.raw.dropped, Fields: r.fields}
	cn.attachRecords(ex, c.KeepAlive)
	h.Status, h.Reason, h.Proto = r.status, r.reason, r.proto
	h.Chunked, h.ContentLength, h.Encodings = r.chunked, r.contentLength, r.encodings
	h.BodySize, h.BodyDropped = r.bodySize, r.body.dropped
	if r.chunked {
		h.Body = r.body.buf
	}
	if r.decoded != nil || r.decodedSize > 0 {
		h.Body, h.DecodedSize, h.Decoded = r.decoded, r.decodedSize, true
		h.DecodedCapped = r.decodedCapped
	}
	h.DecodeError = r.decodeErr
	if loc := r.header.Get("Location"); loc != "" && r.status >= 300 && r.status < 400 {
		if base, err := url.Parse(h.URL); err == nil {
			if u, err := base.Parse(loc); err == nil {
				h.Location = u.String()
			}
		}
	}
	if err != nil {
		ex.Error = err.Error()
		if r.status != 0 {
			ex.Outcome = fmt.Sprintf("%d %s, then the body failed", r.status, r.reason)
		}
		rec.ReplaceExchange(trace.StageHTTP, &inFlight, ex)
		return h, r, bytes, fmt.Errorf("%s: %w", peerName(peer), err)
	}
	ex.Outcome = fmt.Sprintf("%d %s, %d body bytes", r.status, r.reason, r.bodySize)
	ex.Label = fmt.Sprintf("%s %s → %d %s", m, h.URL, r.status, r.reason)
	if r.body.dropped > 0 {
		ex.Notes = append(ex.Notes, fmt.Sprintf("The body is %d bytes: the first %d are kept, %d were read, counted and dropped (journey keeps at most 1 MiB).", r.bodySize, MaxBodyKept, r.body.dropped))
	}
	if len(r.encodings) > 0 && !c.Compressed {
		ex.Notes = append(ex.Notes, fmt.Sprintf("The body is encoded (%s) though journey did not ask for it: shown as received (--compressed asks for, and decodes, gzip).", strings.Join(r.encodings, ", ")))
	}
	if r.decodeErr != "" {
		ex.Notes = append(ex.Notes, r.decodeErr)
	}
	if r.headNote != "" {
		ex.Notes = append(ex.Notes, r.headNote)
	}
	rec.ReplaceExchange(trace.StageHTTP, &inFlight, ex)
	for _, n := range ex.Notes {
		rec.Note(trace.StageHTTP, n)
	}
	if len(r.encodings) > MaxEncodings {
		return h, r, bytes, fmt.Errorf("%w: the body has %d content encodings; journey undoes at most %d (curl's limit)", ErrTooManyEncodings, len(r.encodings), MaxEncodings)
	}
	return h, r, bytes, nil
}

// attachRecords hands ex the TLS records captured since the handshake (or
// the exchange before), both ways: the encrypted records that carried its
// request and response, decrypted with the session's secrets. With more,
// the connection may carry another exchange (kept alive, --warm): the
// recording goes on for it.
func (cn *conn) attachRecords(ex *trace.Exchange, more bool) {
	if cn.records == nil {
		return
	}
	var sent, recv capture
	if more {
		sent, recv, _ = cn.records.cut(MaxRecordCapture)
	} else {
		sent, recv, _ = cn.records.stop()
	}
	for _, m := range []struct {
		side tlswire.Side
		c    capture
		to   *trace.Message
	}{{tlswire.Client, sent, &ex.Sent}, {tlswire.Server, recv, &ex.Received}} {
		if len(m.c.buf) == 0 && m.c.dropped == 0 {
			continue
		}
		r := cn.wire.Read(m.side, m.c.buf)
		m.to.Records = &trace.Message{Bytes: m.c.buf, Dropped: m.c.dropped, Fields: r.Fields, Decrypted: r.Decrypted}
	}
	if !more {
		cn.records = nil
	}
}

// Close closes the connection Run kept open, if any.
func (c *Client) Close() {
	if c.kept != nil {
		c.kept.Close()
		c.kept = nil
	}
}

// ErrNotKept says the server did not keep the connection open, so there
// is none to use again.
var ErrNotKept = errors.New("the first visit's connection was not kept open (the server did not answer Connection: keep-alive, or a redirect was followed elsewhere), so there is none to use again")

// Revisit makes the request to target again on the connection Run kept
// open (--warm), with the extra headers (If-None-Match...), recording the
// connect stage (nothing to do: the connection is reused) and the HTTP
// stage, and closes the connection.
func (c *Client) Revisit(ctx context.Context, target *trace.Address, extra []string) (*Result, error) {
	rec := c.Recorder
	cn := c.kept
	c.kept = nil
	rec.StartStage(trace.StageConnect)
	if cn == nil {
		rec.FinishStage(trace.StageConnect, ErrNotKept, nil)
		return nil, ErrNotKept
	}
	defer cn.Close()
	rec.Note(trace.StageConnect, "The first visit's connection, kept open (Connection: keep-alive), is used again: no TCP handshake and no TLS handshake this time.")
	rec.FinishStage(trace.StageConnect, nil, func(s *trace.Stage) {
		s.Connect = &trace.Connect{Remote: cn.remote, Via: cn.via, Local: cn.local}
	})
	rec.StartStage(trace.StageHTTP)
	result := &trace.HTTP{}
	// No handshake on this visit (cn.tcp and cn.tls are 0), though the
	// connection is still TLS: the request travels inside its records.
	cn.startOff, cn.tcp, cn.tls = rec.Offset(time.Now()), 0, 0
	h, _, sent, err := c.exchange(ctx, cn, target, c.Method, c.Body, extra)
	h.Exchange = lastExchange(rec, "http")
	var res *Result
	if h.Exchange >= 0 {
		result.Hops = append(result.Hops, h)
		result.URL, result.Status, result.Reason, result.Proto = h.URL, h.Status, h.Reason, h.Proto
	}
	if sent != nil {
		res = &Result{Request: sent, Local: cn.local, Remote: cn.remote, Scheme: target.Scheme}
	}
	rec.FinishStage(trace.StageHTTP, err, func(s *trace.Stage) { s.HTTP = result })
	return res, err
}
