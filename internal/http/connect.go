package http

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"journey/internal/dial"
	"journey/internal/tlswire"
	"journey/internal/trace"
)

// conn is one connection made: the socket, and when each step of making it
// happened.
type conn struct {
	net.Conn          // what the request goes over: the TCP socket, or TLS on it
	raw      net.Conn // the TCP socket
	scheme   string
	host     string // the host as asked for (ASCII)
	remote   string // the address shown (203.0.113.10:443)
	via      string // where the lab routed it
	local    string // our end of the socket, as the server sees it

	// startOff is when the connect that succeeded began, as an offset
	// taken then, before any later wait at the gate.
	startOff time.Duration
	tcp      time.Duration
	tls      time.Duration
	tlsInfo  *trace.TLS
	attempts []trace.ConnectAttempt
	// records goes on capturing the TLS records after the handshake, and
	// wire reads them (decrypting them with the session's secrets): the
	// HTTP exchange shows the records that carried it.
	records *recordConn
	wire    *tlswire.Conn
	stop    func() bool // stops the context watch
}

func (c *conn) Close() error {
	c.stop()
	return c.Conn.Close()
}

func (c *conn) peer() trace.Peer {
	p := trace.Peer{Name: c.host, Addr: c.remote, Via: c.via}
	if _, err := netip.ParseAddr(c.host); err == nil {
		p.Name = "" // an IP address is no name
	}
	return p
}

func (c *conn) transport() trace.Transport {
	if c.tlsInfo != nil {
		return trace.TransportTLS
	}
	return trace.TransportTCP
}

// connect opens a TCP connection to the first of addrs that answers, and
// does the TLS handshake for https, recording each attempt and the
// handshake as exchanges of stage.
func (c *Client) connect(ctx context.Context, stage trace.StageKind, t *trace.Address, addrs []string) (*conn, error) {
	rec := c.Recorder
	port := strconv.Itoa(t.Port)
	out := &conn{scheme: t.Scheme, host: t.ASCIIHost}
	var errs []string
	for i, a := range addrs {
		hostport := net.JoinHostPort(a, port)
		peer := trace.Peer{Name: t.ASCIIHost, Addr: hostport}
		if r, ok := c.Dialer.(dial.Routing); ok {
			peer.Via, _ = r.Route("tcp", hostport)
		}
		if peer.Name == a {
			peer.Name = ""
		}
		why := fmt.Sprintf("Opening a TCP connection to %s: a SYN goes out, the server answers SYN-ACK, we send ACK.", hostport)
		if i > 0 {
			why = fmt.Sprintf("The previous address failed, so the next one DNS gave is tried: %s.", hostport)
		}
		if err := rec.Wait(ctx, trace.Pending{Stage: stage, Peer: peer, Transport: trace.TransportTCP, Why: why}); err != nil {
			return nil, err
		}
		dctx, cancel := context.WithTimeout(ctx, c.timeout())
		start := time.Now()
		// Shown as the SYN leaves: a lost SYN is sent again only after a
		// second, and a view shows the connection being opened meanwhile.
		fly := &trace.Exchange{Kind: "tcp", Label: "TCP connect to " + hostport, Peer: peer, Transport: trace.TransportTCP,
			Start: rec.Offset(start), InFlight: true, Outcome: "SYN sent; the connection is not set up yet"}
		rec.AddExchange(stage, fly)
		raw, err := c.Dialer.DialContext(dctx, "tcp", hostport)
		took := time.Since(start)
		cancel()
		att := trace.ConnectAttempt{Addr: hostport, Via: peer.Via, Start: rec.Offset(start), Duration: took}
		ex := &trace.Exchange{Kind: "tcp", Label: "TCP connect to " + hostport, Peer: peer, Transport: trace.TransportTCP,
			Start: att.Start, Duration: took}
		if err != nil {
			att.Error = dialError(ctx, err, c.timeout())
			ex.Error = att.Error
			out.attempts = append(out.attempts, att)
			rec.ReplaceExchange(stage, fly, ex)
			errs = append(errs, hostport+": "+att.Error)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		att.Local = raw.LocalAddr().String()
		ex.Local = att.Local
		ex.Outcome = fmt.Sprintf("connected in %s: the three-way handshake is done", trace.Dur(took))
		out.attempts = append(out.attempts, att)
		rec.ReplaceExchange(stage, fly, ex)
		out.raw, out.Conn = raw, raw
		out.remote, out.via, out.local = hostport, peer.Via, att.Local
		out.startOff, out.tcp = att.Start, took
		break
	}
	if out.raw == nil {
		if len(addrs) == 0 {
			return out, fmt.Errorf("%w: no address to connect to for %s", ErrConnect, t.ASCIIHost)
		}
		err := fmt.Errorf("%w to %s on port %d: %s", ErrConnect, t.ASCIIHost, t.Port, strings.Join(errs, "; "))
		if overMaxTime(ctx) || timedOutOnly(out.attempts) {
			return out, timeoutf([]error{err, context.DeadlineExceeded}, "%s", err)
		}
		return out, err
	}
	// A cancelled journey (Ctrl-C, --max-time) wakes any blocked read or write.
	raw := out.raw
	out.stop = context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	if t.Scheme != "https" {
		return out, nil
	}
	if err := c.handshake(ctx, stage, out, t); err != nil {
		out.Close()
		return out, err
	}
	return out, nil
}

// timedOutOnly reports whether every attempt ran out of time (--timeout).
func timedOutOnly(atts []trace.ConnectAttempt) bool {
	for _, a := range atts {
		if !strings.Contains(a.Error, "(--timeout)") {
			return false
		}
	}
	return len(atts) > 0
}

// dialError says why a connect failed, in the user's terms.
func dialError(ctx context.Context, err error, timeout time.Duration) string {
	switch {
	case overMaxTime(ctx):
		return maxTimeRanOut
	case ctx.Err() != nil:
		return cancelled
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %s (--timeout): a firewall may be dropping the SYN", timeout)
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused: nothing listens on that port (the server answered RST)"
	}
	return err.Error()
}

// handshake does the TLS handshake over a recording wrapper, verifies the
// chain itself (so it can say why it failed, and go on under -k), and
// records the handshake's records as one exchange.
func (c *Client) handshake(ctx context.Context, stage trace.StageKind, cn *conn, t *trace.Address) error {
	rec := c.Recorder
	rc := newRecordConn(cn.raw, MaxHandshakeCapture)
	peer := cn.peer()
	// The ClientHello is held at the gate before the handshake's time
	// (--timeout) starts: a person may look at it for longer than that.
	// The gate runs inside the handshake's first write, so it shows the
	// exact bytes; the handshake's deadline is set on the socket once they
	// may leave, and the handshake itself runs under the journey's context
	// alone (--max-time, Ctrl-C).
	var timedOutAt time.Time
	rc.gate = func(b []byte) error {
		// A copy: crypto/tls reuses its buffer for the next records, and
		// the pending packet is kept (a renderer shows it, a trace holds it).
		b = slices.Clone(b)
		if err := rec.Wait(ctx, trace.Pending{Stage: stage, Peer: peer, Transport: trace.TransportTLS, Bytes: b, Fields: (&tlswire.Conn{}).Read(tlswire.Client, b).Fields,
			Why: "The ClientHello opens the TLS handshake: the name we want (SNI), the protocols (ALPN), the cipher suites we accept, and our half of the key exchange (key shares)."}); err != nil {
			return err
		}
		timedOutAt = deadline(ctx, c.timeout())
		cn.raw.SetDeadline(timedOutAt)
		if ctx.Err() != nil {
			// The journey ended as the deadline was set: wake the
			// handshake now, as the context's watch would have.
			cn.raw.SetDeadline(time.Now())
		}
		return nil
	}
	info := &trace.TLS{ALPNOffered: []string{"http/1.1"}, Insecure: c.Insecure}
	var verifyErr error
	// The session's secrets, as crypto/tls derives them: journey decrypts
	// its own records with them, and --keylog writes them for Wireshark.
	keys := &tlswire.KeyLog{Out: c.KeyLog}
	cfg := &tls.Config{
		NextProtos: info.ALPNOffered,
		MaxVersion: c.TLSMax,
		// Verification is done below, by hand, so a failure can be shown
		// and, under -k, gone past.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				verifyErr = errors.New("the server sent no certificate")
			} else {
				inter := x509.NewCertPool()
				for _, ic := range cs.PeerCertificates[1:] {
					inter.AddCert(ic)
				}
				_, verifyErr = cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: t.ASCIIHost, Roots: c.RootCAs, Intermediates: inter})
			}
			if verifyErr != nil && !c.Insecure {
				return fmt.Errorf("%w: %w", ErrBadCertificate, verifyErr)
			}
			return nil
		},
	}
	cfg.KeyLogWriter = keys
	if _, err := netip.ParseAddr(t.ASCIIHost); err != nil {
		cfg.ServerName = t.ASCIIHost // SNI carries names only, never an IP address (RFC 6066)
		info.ServerName = t.ASCIIHost
	}
	tc := tls.Client(rc, cfg)
	err := tc.HandshakeContext(ctx)
	end := time.Now()
	sent, recv, first := rc.cut(MaxRecordCapture)
	wire := &tlswire.Conn{Keys: keys, ServerName: t.ASCIIHost}
	// The server's side first: its ServerHello says the version and cipher
	// suite both sides' encrypted records need.
	rr := wire.Read(tlswire.Server, recv.buf)
	sr := wire.Read(tlswire.Client, sent.buf)
	if first.IsZero() {
		first = end
	}
	cn.tls = end.Sub(first)
	info.Start, info.Handshake = rec.Offset(first), cn.tls
	cs := tc.ConnectionState()
	info.Version = tls.VersionName(cs.Version)
	if cs.CipherSuite != 0 {
		info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	}
	info.ALPN = cs.NegotiatedProtocol
	if cs.CurveID != 0 {
		info.KeyExchange = cs.CurveID.String()
	}
	info.Resumed = cs.DidResume
	for _, pc := range cs.PeerCertificates {
		info.Chain = append(info.Chain, certificate(pc))
	}
	info.Verified = verifyErr == nil && len(cs.PeerCertificates) > 0
	if verifyErr != nil {
		info.VerifyError = verifyErr.Error()
	}
	cn.tlsInfo = info

	ex := &trace.Exchange{Kind: "tls", Label: "TLS handshake with " + peerName(peer), Peer: peer, Local: cn.local, Transport: trace.TransportTLS,
		Start: info.Start, Duration: cn.tls,
		Sent:     trace.Message{Bytes: sent.buf, Dropped: sent.dropped, Fields: sr.Fields, Decrypted: sr.Decrypted},
		Received: trace.Message{Bytes: recv.buf, Dropped: recv.dropped, Fields: rr.Fields, Decrypted: rr.Decrypted},
	}
	if err := keys.OutErr(); err != nil {
		rec.Note(stage, "--keylog: the TLS secrets could not be written: "+err.Error())
	}
	if why := cmp.Or(rr.Undecrypted, sr.Undecrypted); why != "" {
		ex.Notes = append(ex.Notes, "journey could not decrypt the encrypted records ("+why+"): they are shown as they crossed the wire.")
	}
	if err != nil {
		switch {
		case errors.Is(err, ErrBadCertificate):
			err = fmt.Errorf("%w: %s: %v (-k skips this check, unsafely)", ErrBadCertificate, peerName(peer), verifyErr)
		case overMaxTime(ctx):
			err = timeoutf([]error{err, context.DeadlineExceeded}, "TLS handshake with %s: %s", peerName(peer), maxTimeRanOut)
		case ctx.Err() != nil:
			err = fmt.Errorf("TLS handshake with %s: %s: %w", peerName(peer), cancelled, ctx.Err())
		case errors.Is(err, os.ErrDeadlineExceeded) && !timedOutAt.IsZero():
			err = timeoutf([]error{err, context.DeadlineExceeded}, "TLS handshake with %s: no answer within %s (--timeout)", peerName(peer), c.timeout())
		default:
			err = fmt.Errorf("TLS handshake with %s failed: %w", peerName(peer), err)
		}
		ex.Error = err.Error()
		rec.AddExchange(stage, ex)
		return err
	}
	ex.Outcome = fmt.Sprintf("%s, %s, ALPN %s", info.Version, info.CipherSuite, orNone(info.ALPN))
	switch {
	case verifyErr != nil:
		ex.Notes = append(ex.Notes, "CERTIFICATE NOT VERIFIED: "+verifyErr.Error()+". -k went on anyway: anyone on the path could read and change this exchange.")
	case c.Insecure:
		ex.Notes = append(ex.Notes, "-k was given, but the certificate verified anyway.")
	}
	rec.AddExchange(stage, ex)
	if verifyErr != nil {
		rec.Note(stage, "WARNING: -k: the certificate of "+peerName(peer)+" did NOT verify ("+verifyErr.Error()+"); the connection went on unverified.")
	}
	cn.Conn = tc
	cn.records, cn.wire = rc, wire
	return nil
}

func peerName(p trace.Peer) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Addr
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// certificate is what the renderers show of one certificate.
func certificate(c *x509.Certificate) trace.Certificate {
	out := trace.Certificate{
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
		DNSNames:  c.DNSNames,
		IsCA:      c.IsCA,
		Signature: c.SignatureAlgorithm.String(),
	}
	if c.SerialNumber != nil {
		out.Serial = c.SerialNumber.Text(16)
	}
	for _, ip := range c.IPAddresses {
		out.IPs = append(out.IPs, ip.String())
	}
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		out.KeyType = "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		out.KeyType = fmt.Sprintf("RSA %d bits", k.N.BitLen())
	default:
		out.KeyType = c.PublicKeyAlgorithm.String()
	}
	return out
}
