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
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"time"
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
	pool, cert, err := issueLabCerts(time.Now())
	if err != nil {
		return fmt.Errorf("issuing the lab's certificates: %w", err)
	}
	plain, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	tlsRaw, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		plain.Close()
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &webServer{ca: pool, plain: plain, stop: stop,
		tls: tls.NewListener(tlsRaw, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})}
	l.web = w
	for _, a := range webAddrs {
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
// the site after the web server's latency.
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
// byte, stands in for the network's latency, and hands the connection to
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
	if err == nil {
		// Stand in for the network between client and server: the
		// request takes this long to arrive, counted from its first byte
		// so the time to first byte shows it however long the client
		// waited before sending.
		select {
		case <-time.After(l.WebLatency()):
		case <-ctx.Done():
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

// serve is the one place the web server calls the site.
func (l *Lab) serve(ctx context.Context, conn net.Conn, scheme string) {
	l.site.ServeConn(ctx, conn, scheme)
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

// issueLabCerts makes the lab's PKI as a real one is shaped: a root CA,
// an intermediate it signs, and the web server's leaf signed by the
// intermediate. The server sends leaf and intermediate; clients trust the
// root.
func issueLabCerts(now time.Time) (*x509.CertPool, tls.Certificate, error) {
	newKey := func() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
		return n
	}
	rootKey, err := newKey()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	root := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "journey lab root CA", Organization: []string{"journey lab"}},
		NotBefore: now.Add(-clockSkew), NotAfter: now.Add(caLifetime),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	rootCert, _ := x509.ParseCertificate(rootDER)

	interKey, err := newKey()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	inter := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "journey lab issuing CA", Organization: []string{"journey lab"}},
		NotBefore: now.Add(-clockSkew), NotAfter: now.Add(caLifetime),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	interDER, err := x509.CreateCertificate(rand.Reader, inter, rootCert, &interKey.PublicKey, rootKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	interCert, _ := x509.ParseCertificate(interDER)

	leafKey, err := newKey()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leaf := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "www.example.com"},
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
	pool.AddCert(rootCert)
	return pool, tls.Certificate{Certificate: [][]byte{leafDER, interDER}, PrivateKey: leafKey}, nil
}
