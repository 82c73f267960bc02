package lab

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"journey/internal/safetext"
	"journey/internal/trace"
)

// The lab's web server: every web name of the zone files points at these
// documentation addresses, routed to the listeners below.
var webAddrs = []string{"203.0.113.10", "2001:db8:113::10"}

// webNames are the names the lab's certificate is valid for: every web
// host of the zone files (café.example.com as its punycode).
var webNames = []string{
	"www.example.com", "example.com", "xn--caf-dma.example.com", "v6.example.com", "big.example.com",
	"example.org", "www.example.org", "www.example.co.uk", "example.co.uk",
	"shop.example.com", "shops.example.net", "example.net", "www.example.net",
}

// Certificate lifetimes: the lab's CA lives as long as one run needs and a
// little more; the leaf as long as a short-lived real one (Let's Encrypt
// issues for 90 days). Both start an hour back so a skewed clock still
// accepts them.
const (
	caLifetime   = 365 * 24 * time.Hour
	leafLifetime = 90 * 24 * time.Hour
	clockSkew    = time.Hour
)

// How long the lab's web server waits for a client. A loopback handshake
// or request takes a millisecond; 10 s is gunicorn's and the gateway's
// read timeout, and lets go of a client that stalls.
const (
	// webHandshakeTimeout bounds the TLS handshake.
	webHandshakeTimeout = 10 * time.Second
	// webFirstByteTimeout bounds the wait for the request's first byte.
	webFirstByteTimeout = 10 * time.Second
	// webStepTimeout replaces both when a person holds each packet
	// (--step): a lesson may pause on one packet for minutes; half an
	// hour is longer than anyone reads one, and a client gone for good
	// is still let go.
	webStepTimeout = 30 * time.Minute
)

// webServer is the lab's web server: listeners for http and https.
type webServer struct {
	ca    *x509.CertPool
	plain net.Listener
	tls   net.Listener
	stop  context.CancelFunc
	wg    sync.WaitGroup
	hold  atomic.Pointer[holder] // a journey in step mode: see hold.go
}

// startWeb issues the lab's certificates, opens the http and https
// listeners on loopback and routes the web addresses to them.
func (l *Lab) startWeb() error {
	pool, cert, err := issueLabCerts(time.Now(), l.opts.CA)
	if err != nil {
		return fmt.Errorf("issuing the lab's certificates: %w", err)
	}
	plain, err := net.Listen("tcp4", l.loopback(portWeb))
	if err != nil {
		return err
	}
	tlsRaw, err := net.Listen("tcp4", l.loopback(portWebTLS))
	if err != nil {
		plain.Close()
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &webServer{ca: pool, plain: l.net.Listener(plain), stop: stop,
		tls: tls.NewListener(l.net.Listener(tlsRaw), &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})}
	l.web = w
	link, _ := l.opts.link(webHost)
	for _, a := range webAddrs {
		l.net.SetLink(a, link)
		l.router.Add("tcp", net.JoinHostPort(a, "80"), plain.Addr().String())
		l.router.Add("tcp", net.JoinHostPort(a, "443"), tlsRaw.Addr().String())
		l.listeners = append(l.listeners,
			Listener{Name: "web", Network: "tcp", Shown: net.JoinHostPort(a, "80"), Real: plain.Addr().String()},
			Listener{Name: "web (https)", Network: "tcp", Shown: net.JoinHostPort(a, "443"), Real: tlsRaw.Addr().String()})
	}
	w.wg.Add(2)
	go l.serveWeb(ctx, w, w.plain, "http")
	go l.serveWeb(ctx, w, w.tls, "https")
	return nil
}

// serveWeb accepts connections until the listener closes and hands each to
// handleWeb.
func (l *Lab) serveWeb(ctx context.Context, w *webServer, ln net.Listener, scheme string) {
	defer w.wg.Done()
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A failed accept (out of descriptors) must not stop the
			// server, nor spin: back off as net/http's Serve does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			l.handleWeb(ctx, conn, scheme)
		}()
	}
}

// handleWeb ends the TLS handshake, if any, waits for the request's first
// byte, takes the server's processing time, and hands the connection to
// the site.
func (l *Lab) handleWeb(ctx context.Context, conn net.Conn, scheme string) {
	handshake, firstByte := l.webWaits()
	if tc, ok := conn.(*tls.Conn); ok {
		hctx, cancel := context.WithTimeout(ctx, handshake)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			conn.Close() // a client that refused our certificate, or went away
			return
		}
	}
	// The request may come long after the connection (step mode holds it
	// for a person): the site's own read timeout starts once it begins.
	conn.SetReadDeadline(time.Now().Add(firstByte))
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	br := bufio.NewReader(conn)
	_, err := br.Peek(1)
	stop()
	if ctx.Err() != nil {
		conn.Close()
		return
	}
	fc := &firstByteConn{Conn: conn, r: br, err: err}
	if _, processing := l.opts.link(webHost); err == nil && processing > 0 {
		// The server's own time (a database, a template): the link
		// model carries the request here and the response back.
		if l.net.Process(ctx, "tcp", conn.RemoteAddr(), processing) != nil {
			conn.Close()
			return
		}
	}
	if h := l.web.hold.Load(); h != nil && err == nil {
		l.serveHeld(ctx, h, conn, fc, br, scheme)
		return
	}
	l.serve(ctx, fc, scheme)
}

// webWaits is how long the web server waits for a client's handshake and
// for its request's first byte: a program's waits, or a person's (--step).
func (l *Lab) webWaits() (handshake, firstByte time.Duration) {
	if l.opts.Step {
		return webStepTimeout, webStepTimeout
	}
	return webHandshakeTimeout, webFirstByteTimeout
}

// firstByteConn is a connection whose first bytes were already read into
// r. If waiting for them failed, every read says so, and the site answers
// as it would to a client that sent nothing (a timeout, a close).
type firstByteConn struct {
	net.Conn
	r   *bufio.Reader
	err error
}

func (c *firstByteConn) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	return c.r.Read(p)
}

// serve is the one place the web server calls the site. With an access
// log, it writes one line for the request once it is answered.
func (l *Lab) serve(ctx context.Context, conn net.Conn, scheme string) {
	start := time.Now()
	l.site.ServeConn(ctx, conn, scheme)
	if l.opts.AccessLog == nil {
		return
	}
	client := conn.RemoteAddr().String()
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	stages, err := l.site.Stages(sctx, client)
	if err != nil {
		return
	}
	l.logMu.Lock()
	defer l.logMu.Unlock()
	fmt.Fprintln(l.opts.AccessLog, accessLine(start, client, scheme, stages, time.Since(start)))
}

// accessLine is one request in the Common Log Format that web servers
// write (host, identity, user, time, request line, status, bytes), with
// the scheme and the time it took after it. The request line is the
// client's: it is made safe to print.
func accessLine(at time.Time, client, scheme string, stages []*trace.Stage, took time.Duration) string {
	host, _, _ := net.SplitHostPort(client)
	request, status, size := "-", "-", "-"
	for _, st := range stages {
		if g := st.Gateway; g != nil {
			if g.Method != "" {
				request = safetext.Line(g.Method + " " + g.Target + " " + g.Proto)
			}
			if g.Response != nil {
				status, size = strconv.Itoa(g.Response.Status), strconv.Itoa(g.Response.BodySize)
			}
		}
	}
	return fmt.Sprintf("%s - - [%s] %q %s %s %s %s", host, at.UTC().Format("02/Jan/2006:15:04:05 -0700"), request, status, size, scheme, trace.Dur(took))
}

func (l *Lab) closeWeb() {
	w := l.web
	if w == nil {
		return
	}
	w.stop()
	w.plain.Close()
	w.tls.Close()
	w.wg.Wait()
}

// RootCAs returns the pool holding the lab's certificate authority, which
// the client trusts in the lab.
func (l *Lab) RootCAs() *x509.CertPool {
	if l.web == nil {
		return nil
	}
	return l.web.ca
}

// issueLabCerts makes the lab's PKI as a real one is shaped: a root CA
// (ca, or a new one for this run), an intermediate it signs, and the web
// server's leaf signed by the intermediate. The server sends leaf and
// intermediate; clients trust the root.
func issueLabCerts(now time.Time, ca *CA) (*x509.CertPool, tls.Certificate, error) {
	if ca == nil {
		var err error
		if ca, err = newCA(now, caLifetime, false); err != nil {
			return nil, tls.Certificate{}, err
		}
	}
	newKey := func() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
	interKey, err := newKey()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	inter := &x509.Certificate{
		SerialNumber: serialNumber(), Subject: pkix.Name{CommonName: "journey lab issuing CA", Organization: []string{"journey lab"}},
		NotBefore: now.Add(-clockSkew), NotAfter: now.Add(caLifetime),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	if inter.NotAfter.After(ca.Cert.NotAfter) {
		inter.NotAfter = ca.Cert.NotAfter
	}
	interDER, err := x509.CreateCertificate(rand.Reader, inter, ca.Cert, &interKey.PublicKey, ca.Key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	interCert, _ := x509.ParseCertificate(interDER)

	leafKey, err := newKey()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leaf := &x509.Certificate{
		SerialNumber: serialNumber(), Subject: pkix.Name{CommonName: "www.example.com"},
		DNSNames:  webNames,
		NotBefore: now.Add(-clockSkew), NotAfter: now.Add(leafLifetime),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, a := range webAddrs {
		leaf.IPAddresses = append(leaf.IPAddresses, net.ParseIP(a))
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, interCert, &leafKey.PublicKey, interKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool, tls.Certificate{Certificate: [][]byte{leafDER, interDER}, PrivateKey: leafKey}, nil
}
