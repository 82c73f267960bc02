package tlswire

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"journey/internal/trace"
)

// serverCert is a self-signed certificate for www.example.com.
func serverCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"www.example.com"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// loopbackSession runs one request over TLS with a server configured by
// srv and a client by cli, on loopback, and returns the bytes both ways.
func loopbackSession(t *testing.T, srv, cli *tls.Config) session {
	t.Helper()
	cert, pool := serverCert(t)
	srv.Certificates = []tls.Certificate{cert}
	ln, err := tls.Listen("tcp4", "127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		for {
			l, err := r.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	}()
	raw, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	tp := &tap{Conn: raw}
	keys := &KeyLog{}
	cli.ServerName, cli.RootCAs, cli.KeyLogWriter = "www.example.com", pool, keys
	tc := tls.Client(tp, cli)
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tc, "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	if _, err := io.Copy(io.Discard, tc); err != nil {
		t.Fatal(err)
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return session{sent: bytes.Clone(tp.sent.Bytes()), recv: bytes.Clone(tp.recv.Bytes()), keys: keys, state: tc.ConnectionState()}
}

// TestDecryptSuites decrypts sessions with each kind of AEAD and key
// schedule journey reads, a HelloRetryRequest, and session tickets.
func TestDecryptSuites(t *testing.T) {
	for _, tt := range []struct {
		name     string
		srv, cli *tls.Config
		want     []string // in what the records carried, both sides
	}{
		{"TLS 1.2 AES-256-GCM-SHA384", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}},
			&tls.Config{MaxVersion: tls.VersionTLS12}, []string{"Handshake (encrypted): Finished"}},
		{"TLS 1.2 ChaCha20-Poly1305", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}},
			&tls.Config{MaxVersion: tls.VersionTLS12}, []string{"Handshake (encrypted): Finished"}},
		{"TLS 1.2 AES-128-CBC-SHA", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}},
			&tls.Config{MaxVersion: tls.VersionTLS12}, []string{"Handshake (encrypted): Finished"}},
		{"TLS 1.2 AES-256-CBC-SHA", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}},
			&tls.Config{MaxVersion: tls.VersionTLS12}, []string{"Handshake (encrypted): Finished"}},
		{"TLS 1.2 session ticket", &tls.Config{MaxVersion: tls.VersionTLS12},
			&tls.Config{MaxVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(1)}, []string{"Handshake: NewSessionTicket"}},
		{"TLS 1.3 HelloRetryRequest", &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}},
			&tls.Config{}, []string{"Handshake: HelloRetryRequest", "Application Data (encrypted): Certificate"}},
		{"TLS 1.3 session ticket", &tls.Config{},
			&tls.Config{ClientSessionCache: tls.NewLRUClientSessionCache(1)}, []string{"Application Data (encrypted): NewSessionTicket"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := loopbackSession(t, tt.srv, tt.cli)
			c := &Conn{Keys: s.keys}
			server := c.Read(Server, s.recv)
			client := c.Read(Client, s.sent)
			if c.suite != s.state.CipherSuite || c.Version() != s.state.Version {
				t.Errorf("read %s %s, crypto/tls agreed %s %s", VersionName(c.Version()), suiteName(c.suite), VersionName(s.state.Version), suiteName(s.state.CipherSuite))
			}
			carried := strings.Join(append(server.Carried, client.Carried...), "\n")
			for _, w := range append(tt.want, "(GET / HTTP/1.1)", "(HTTP/1.1 200 OK)") {
				if !strings.Contains(carried, w) {
					t.Errorf("no record carried %q:\n%s", w, carried)
				}
			}
			for _, r := range []Reading{server, client} {
				walk(r.Fields, func(f trace.Field) {
					if strings.Contains(f.Value, "not decrypted") || f.Name == "unreadable" || strings.Contains(f.Name, "incomplete") || f.Name == "trailing bytes" {
						t.Errorf("%s: %s", f.Name, f.Value)
					}
				})
			}
			if len(find(server.Fields, "ticket")) == 0 && strings.Contains(tt.name, "ticket") {
				t.Error("the ticket is not a field")
			}
		})
	}
}

// TestSplitMessage splits the recorded TLS 1.2 session's Certificate
// message across two records, as a server with a long chain does: it is
// joined and read whole, and each field still points at its bytes.
func TestSplitMessage(t *testing.T) {
	client, server, keys := recorded(t, "tls12")
	// Find the record carrying the Certificate (handshake type 11).
	var off, n int
	for off = 0; off+5 <= len(server); off += 5 + n {
		n = int(server[off+3])<<8 | int(server[off+4])
		if server[off] == RecordHandshake && server[off+5] == msgCertificate {
			break
		}
	}
	if off+5 > len(server) {
		t.Fatal("no Certificate record")
	}
	payload := server[off+5 : off+5+n]
	for _, cut := range []int{3, 200, n - 1} { // in the header, in a certificate, at the very end
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			var split []byte
			split = append(split, server[:off]...)
			split = append(split, RecordHandshake, 3, 3, byte(cut>>8), byte(cut))
			split = append(split, payload[:cut]...)
			split = append(split, RecordHandshake, 3, 3, byte((n-cut)>>8), byte(n-cut))
			split = append(split, payload[cut:]...)
			split = append(split, server[off+5+n:]...)
			c := &Conn{Keys: keys}
			r := c.Read(Server, split)
			c.Read(Client, client)
			checkBounds(t, len(split), r.Fields)
			if got := strings.Join(r.Carried, "\n"); !strings.Contains(got, "\nHandshake: Certificate\nHandshake: ServerKeyExchange") || !strings.Contains(got, "Handshake: part of ") {
				t.Errorf("records carried:\n%s", got)
			}
			ders := find(r.Fields, "certificate")
			var whole int
			for _, f := range ders {
				if f.Length > 100 {
					whole++
					// A DER field wholly inside one record holds the certificate's bytes.
					if f.Offset+f.Length <= off+5+cut || f.Offset >= off+10+cut {
						if b := split[f.Offset : f.Offset+f.Length]; b[0] != 0x30 {
							t.Errorf("certificate field at %d does not start a DER sequence", f.Offset)
						}
					}
				}
			}
			if whole != 2 {
				t.Errorf("%d certificates read, want 2", whole)
			}
			if len(find(r.Fields, "handshake message (continued in the next record)")) != 1 {
				t.Error("the first part is not named")
			}
			walk(r.Fields, func(f trace.Field) {
				if f.Name == "unreadable" || strings.Contains(f.Value, "not decrypted") {
					t.Errorf("%s: %s", f.Name, f.Value)
				}
			})
		})
	}
}
