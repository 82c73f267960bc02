package tlswire

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"journey/internal/lab"
	"journey/internal/trace"
)

// tap keeps what crosses a connection, both ways.
type tap struct {
	net.Conn
	mu         sync.Mutex
	sent, recv bytes.Buffer
}

func (t *tap) Write(p []byte) (int, error) {
	n, err := t.Conn.Write(p)
	t.mu.Lock()
	t.sent.Write(p[:n])
	t.mu.Unlock()
	return n, err
}

func (t *tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.mu.Lock()
	t.recv.Write(p[:n])
	t.mu.Unlock()
	return n, err
}

// session is one https request to the lab's web server, as the wire saw
// it, with the secrets and what crypto/tls agreed.
type session struct {
	sent, recv []byte
	keys       *KeyLog
	state      tls.ConnectionState
}

var (
	labOnce sync.Once
	theLab  *lab.Lab
	labErr  error
)

// labSession asks the lab's https server for / with TLS at most maxVersion,
// on loopback, and returns the bytes both ways.
func labSession(t testing.TB, maxVersion uint16) session {
	t.Helper()
	labOnce.Do(func() { theLab, labErr = lab.Start(context.Background(), lab.Options{Latency: 0}) })
	if labErr != nil {
		t.Fatal(labErr)
	}
	real, ok := theLab.Dialer().Route("tcp", "203.0.113.10:443")
	if !ok {
		t.Fatal("the lab routes no https address")
	}
	raw, err := net.Dial("tcp4", real)
	if err != nil {
		t.Fatal(err)
	}
	tp := &tap{Conn: raw}
	keys := &KeyLog{}
	tc := tls.Client(tp, &tls.Config{ServerName: "www.example.com", RootCAs: theLab.RootCAs(), NextProtos: []string{"http/1.1"},
		MaxVersion: maxVersion, KeyLogWriter: keys})
	defer tc.Close()
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tc, "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n")
	if _, err := io.Copy(io.Discard, tc); err != nil {
		t.Fatal(err)
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return session{sent: bytes.Clone(tp.sent.Bytes()), recv: bytes.Clone(tp.recv.Bytes()), keys: keys, state: tc.ConnectionState()}
}

// find returns the fields named name, depth first.
func find(fs []trace.Field, name string) []trace.Field {
	var out []trace.Field
	for _, f := range fs {
		if f.Name == name {
			out = append(out, f)
		}
		out = append(out, find(f.Children, name)...)
	}
	return out
}

func walk(fs []trace.Field, fn func(trace.Field)) {
	for _, f := range fs {
		fn(f)
		walk(f.Children, fn)
	}
}

func checkBounds(t *testing.T, n int, fields []trace.Field) {
	t.Helper()
	walk(fields, func(f trace.Field) {
		if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > n {
			t.Errorf("field %q at %d+%d is outside %d bytes", f.Name, f.Offset, f.Length, n)
		}
	})
}

// TestDecryptLab decrypts the lab's TLS 1.3 and 1.2 handshakes and checks
// every plaintext message against what crypto/tls itself saw.
func TestDecryptLab(t *testing.T) {
	for _, tt := range []struct {
		name        string
		max         uint16
		server      []string // what each server record carried, in order (a prefix)
		client      []string
		finishedLen int
	}{
		{"TLS 1.3", tls.VersionTLS13,
			[]string{"Handshake: ServerHello", "ChangeCipherSpec", "Application Data (encrypted): EncryptedExtensions",
				"Application Data (encrypted): Certificate", "Application Data (encrypted): CertificateVerify", "Application Data (encrypted): Finished"},
			[]string{"Handshake: ClientHello", "ChangeCipherSpec", "Application Data (encrypted): Finished",
				"Application Data (encrypted): 60 bytes of application data (GET / HTTP/1.1)"},
			32},
		{"TLS 1.2", tls.VersionTLS12,
			[]string{"Handshake: ServerHello", "Handshake: Certificate", "Handshake: ServerKeyExchange", "Handshake: ServerHelloDone"},
			[]string{"Handshake: ClientHello", "Handshake: ClientKeyExchange", "ChangeCipherSpec", "Handshake (encrypted): Finished",
				"Application Data (encrypted): 60 bytes of application data (GET / HTTP/1.1)"},
			12},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := labSession(t, tt.max)
			c := &Conn{Keys: s.keys}
			server := c.Read(Server, s.recv)
			client := c.Read(Client, s.sent)
			checkBounds(t, len(s.recv), server.Fields)
			checkBounds(t, len(s.sent), client.Fields)
			if c.Version() != s.state.Version || c.suite != s.state.CipherSuite {
				t.Errorf("read %s %s, crypto/tls agreed %s %s", VersionName(c.Version()), suiteName(c.suite), VersionName(s.state.Version), suiteName(s.state.CipherSuite))
			}
			for _, side := range []struct {
				name    string
				r       Reading
				want    []string
				wire    []byte
				message string
			}{
				{"server", server, tt.server, s.recv, "HTTP/1.1 200 OK"},
				{"client", client, tt.client, s.sent, "GET / HTTP/1.1"},
			} {
				if len(side.r.Carried) < len(side.want) || strings.Join(side.r.Carried[:len(side.want)], "\n") != strings.Join(side.want, "\n") {
					t.Errorf("%s's records carried:\n%s\nwant first:\n%s", side.name, strings.Join(side.r.Carried, "\n"), strings.Join(side.want, "\n"))
				}
				walk(side.r.Fields, func(f trace.Field) {
					if strings.Contains(f.Value, "not decrypted") || f.Name == "unreadable" || strings.Contains(f.Name, "incomplete") {
						t.Errorf("%s: %s: %s", side.name, f.Name, f.Value)
					}
				})
				if len(side.r.Decrypted) != len(side.wire) || !bytes.Contains(side.r.Decrypted, []byte(side.message)) {
					t.Errorf("%s's decrypted bytes (%d of %d) lack %q", side.name, len(side.r.Decrypted), len(side.wire), side.message)
				}
			}

			// The certificates inside are the ones crypto/tls verified.
			certs := find(server.Fields, "certificate")
			var ders [][]byte
			for _, f := range certs {
				if f.Length > 100 { // the DER, not a length prefix
					ders = append(ders, plainAt(server, s.recv, f))
				}
			}
			if len(ders) != len(s.state.PeerCertificates) {
				t.Fatalf("%d certificates read, crypto/tls saw %d", len(ders), len(s.state.PeerCertificates))
			}
			for i, pc := range s.state.PeerCertificates {
				if !bytes.Equal(ders[i], pc.Raw) {
					t.Errorf("certificate %d differs from crypto/tls's", i)
				}
				subjects := find(server.Fields, "subject")
				if len(subjects) <= i || subjects[i].Value != pc.Subject.String() {
					t.Errorf("certificate %d's subject: want %q", i, pc.Subject.String())
				}
			}
			if sans := find(server.Fields, "DNS name"); len(sans) == 0 || sans[0].Value != s.state.PeerCertificates[0].DNSNames[0] {
				t.Errorf("SAN: %+v, want %v", sans, s.state.PeerCertificates[0].DNSNames)
			}
			for _, f := range find(server.Fields, "verify data") {
				if f.Length != tt.finishedLen {
					t.Errorf("verify data of %d bytes, want %d", f.Length, tt.finishedLen)
				}
			}
			if len(find(client.Fields, "verify data")) != 1 || len(find(server.Fields, "verify data")) != 1 {
				t.Error("each side's Finished should be read once")
			}
			if alpn := find(server.Fields, "ALPN next protocol"); len(alpn) != 1 || alpn[0].Value != s.state.NegotiatedProtocol {
				t.Errorf("ALPN agreed %+v, crypto/tls says %q", alpn, s.state.NegotiatedProtocol)
			}
			sig := find(server.Fields, "signature algorithm")
			if len(sig) == 0 || !strings.HasPrefix(sig[len(sig)-1].Value, "ecdsa_secp256r1_sha256") {
				t.Errorf("the server's signature algorithm: %+v", sig)
			}
		})
	}
}

// plainAt is the decrypted bytes under f, or the wire's when in the clear.
func plainAt(r Reading, wire []byte, f trace.Field) []byte {
	b := wire
	if r.Decrypted != nil {
		b = r.Decrypted
	}
	return b[f.Offset : f.Offset+f.Length]
}

func TestClientHelloFields(t *testing.T) {
	s := labSession(t, tls.VersionTLS13)
	c := &Conn{}
	fields := c.Read(Client, s.sent).Fields
	all := map[string][]string{}
	walk(fields, func(f trace.Field) { all[f.Name] = append(all[f.Name], f.Value) })
	for _, tt := range []struct{ name, value string }{
		{"handshake type", "ClientHello (1)"},
		{"group", "X25519MLKEM768: post-quantum (ML-KEM-768) and classic (X25519) together (0x11ec)"},
		{"group", "x25519 (0x001d)"},
		{"key share entry", "X25519MLKEM768, 1216-byte key"},
		{"signature_algorithms_cert", ""},
		{"signature algorithm", "ecdsa_secp256r1_sha256 (0x0403)"},
		{"server name", "www.example.com"},
		{"server name length", "15"},
		{"ALPN string length", "8"},
		{"ALPN next protocol", "http/1.1"},
		{"type", "key_share (51)"},
		{"type", "signature_algorithms_cert (50)"},
		{"supported version", "TLS 1.3"},
		{"cipher suite", "TLS_AES_128_GCM_SHA256 (0x1301)"},
		{"session id length", "32"},
	} {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			for _, v := range all[tt.name] {
				if tt.value == "" || v == tt.value {
					return
				}
			}
			t.Errorf("no field %q = %q; values: %q", tt.name, tt.value, all[tt.name])
		})
	}
	// The host name's field covers the name's bytes, not its length prefix.
	for _, f := range find(fields, "server name") {
		if got := string(s.sent[f.Offset : f.Offset+f.Length]); got != "www.example.com" {
			t.Errorf("server name points at %q", got)
		}
	}
}

func TestReadBadInput(t *testing.T) {
	s := labSession(t, tls.VersionTLS13)
	for _, tt := range []struct {
		name string
		side Side
		b    []byte
		want string
	}{
		{"cut short", Client, s.sent[:40], "payload (cut short)"},
		{"header only", Client, s.sent[:3], "incomplete record header"},
		{"alert", Server, []byte{21, 3, 3, 0, 2, 2, 42}, "fatal: bad_certificate"},
		{"unknown type", Server, []byte{99, 3, 3, 0, 0}, "unknown (99)"},
		{"garbage handshake", Client, []byte{22, 3, 1, 0, 4, 1, 0, 0, 9}, "continued in the next record"},
		{"no secrets", Server, s.recv, "not decrypted: no secrets"},
		{"too long", Server, []byte{23, 3, 3, 0xff, 0xff}, "cut short"},
		{"tag only", Server, append([]byte{23, 3, 3, 0, 4}, 1, 2, 3, 4), "too short"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := (&Conn{}).Read(tt.side, tt.b)
			checkBounds(t, len(tt.b), r.Fields)
			var all strings.Builder
			walk(r.Fields, func(f trace.Field) { fmt.Fprintf(&all, "%s=%s\n", f.Name, f.Value) })
			if !strings.Contains(all.String(), tt.want) {
				t.Errorf("annotation lacks %q:\n%s", tt.want, all.String())
			}
		})
	}
}

// recorded is a lab session kept under testdata/sessions (its bytes each
// way and its key log), so the fuzz targets start without a lab.
func recorded(t testing.TB, name string) (client, server []byte, keys *KeyLog) {
	t.Helper()
	read := func(ext string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "sessions", name+"."+ext))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	keys = &KeyLog{}
	keys.Write(read("keylog"))
	return read("client"), read("server"), keys
}

// TestRecordedSessions decrypts the recorded sessions whole: the fuzz
// targets' seeds are real, decryptable sessions.
func TestRecordedSessions(t *testing.T) {
	for _, name := range []string{"tls13", "tls12"} {
		t.Run(name, func(t *testing.T) {
			client, server, keys := recorded(t, name)
			c := &Conn{Keys: keys}
			for _, r := range []Reading{c.Read(Server, server), c.Read(Client, client)} {
				if r.Decrypted == nil {
					t.Error("nothing decrypted")
				}
				walk(r.Fields, func(f trace.Field) {
					if strings.Contains(f.Value, "not decrypted") {
						t.Errorf("%s: %s", f.Name, f.Value)
					}
				})
			}
		})
	}
}

// FuzzRead feeds the record and handshake annotators arbitrary bytes, as
// either side, with and without the secrets of the recorded sessions: they
// must never panic, and every field must lie inside the bytes.
func FuzzRead(f *testing.F) {
	var keys []*KeyLog
	for _, name := range []string{"tls13", "tls12"} {
		client, server, k := recorded(f, name)
		keys = append(keys, k)
		f.Add(client, false)
		f.Add(server, true)
		f.Add(server[:len(server)/2], true)
	}
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0}, false)
	f.Add([]byte{22, 3, 1, 0, 8, 2, 0, 0, 4, 3, 3, 0, 0}, true)
	f.Add([]byte{20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 1, 0}, false)
	f.Fuzz(func(t *testing.T, b []byte, server bool) {
		side := Client
		if server {
			side = Server
		}
		for _, c := range []*Conn{{}, {Keys: keys[0]}, {Keys: keys[1]}} {
			r := c.Read(side, b)
			checkBounds(t, len(b), r.Fields)
			if r.Decrypted != nil && len(r.Decrypted) != len(b) {
				t.Errorf("decrypted %d bytes of %d", len(r.Decrypted), len(b))
			}
		}
	})
}

// wiresharkNames are journey's names for every kind of field Wireshark's
// dissector (4.0) names in the lab's TLS 1.3 and 1.2 sessions, as
// testdata/wireshark/compare.py maps them: none may go missing.
var wiresharkNames = []string{
	"ALPN extension length",
	"ALPN next protocol", "ALPN protocols", "ALPN string length", "DNS name", "IP address", "JA3",
	"JA3 fullstring", "JA3S", "JA3S fullstring", "alert description", "alert level", "alert message",
	"algorithm", "application data protocol", "cA", "cRLSign", "certificate",
	"certificate extensions length", "certificate length", "certificate request context length",
	"certificate status type", "certificates", "certificates length", "change cipher spec message",
	"cipher suite", "cipher suites", "cipher suites length", "client key share length",
	"compression method", "compression methods", "compression methods length", "content type",
	"contentCommitment (nonRepudiation)", "critical", "curve type", "dataEncipherment",
	"decipherOnly", "digitalSignature", "encipherOnly", "encrypted data", "extension id",
	"extensions", "extensions length", "gmt unix time", "group", "handshake type", "issuer",
	"key exchange", "key exchange length", "key identifier", "key purpose", "keyAgreement",
	"keyCertSign", "keyEncipherment", "legacy version", "length", "named curve", "not after",
	"not before", "padding (unused bits)", "parameters", "path length constraint", "point format",
	"point formats", "point formats length", "public key", "public key length", "random",
	"random bytes", "relative distinguished name", "renegotiation info length",
	"request extensions length", "responder ID list length", "serial number", "server name",
	"server name length", "server name list length", "server name type", "session id",
	"session id length", "signature", "signature algorithm", "signature hash algorithm hash",
	"signature hash algorithm signature", "signature hash algorithms",
	"signature hash algorithms length", "signature length", "signed part (tbsCertificate)", "subject",
	"subject public key", "subject public key info", "supported groups", "supported groups length",
	"supported version", "supported versions length", "type", "validity", "value", "verify data",
	"version",
}

func TestWiresharkKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		s := labSession(t, v)
		c := &Conn{Keys: s.keys}
		for _, r := range []Reading{c.Read(Server, s.recv), c.Read(Client, s.sent)} {
			walk(r.Fields, func(f trace.Field) { seen[f.Name] = true })
		}
	}
	for _, n := range wiresharkNames {
		if !seen[n] {
			t.Errorf("no field named %q: Wireshark names that kind of field", n)
		}
	}
}

func TestUndecrypted(t *testing.T) {
	client, server, keys := recorded(t, "tls13")
	for _, tt := range []struct {
		name string
		keys *KeyLog
		want string
	}{
		{"with its secrets", keys, ""},
		{"without secrets", nil, "no secrets"},
		{"with another session's", func() *KeyLog { _, _, k := recorded(t, "tls12"); return k }(), "no SERVER_HANDSHAKE_TRAFFIC_SECRET in the key log"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &Conn{Keys: tt.keys}
			r := c.Read(Server, server)
			c.Read(Client, client)
			if r.Undecrypted != tt.want {
				t.Errorf("Undecrypted = %q, want %q", r.Undecrypted, tt.want)
			}
		})
	}
}
