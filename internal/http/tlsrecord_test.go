package http

import (
	"crypto/tls"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"journey/internal/trace"
)

// handshakeBytes captures a real handshake with a loopback TLS server:
// what the client sent and what it received.
func handshakeBytes(t testing.TB) (sent, recv []byte) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nethttp.NotFoundHandler())
	srv.EnableHTTP2 = false
	srv.StartTLS()
	defer srv.Close()
	raw, err := net.Dial("tcp4", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	rc := newRecordConn(raw, MaxHandshakeCapture)
	tc := tls.Client(rc, &tls.Config{ServerName: "example.com", InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	s, r, _ := rc.stop()
	tc.Close()
	return s.buf, r.buf
}

func TestRecordFields(t *testing.T) {
	sent, recv := handshakeBytes(t)
	tests := []struct {
		name string
		b    []byte
		want []string // must appear in the annotation
	}{
		{"client", sent, []string{"TLS record: Handshake", "ClientHello", "server_name", "host name", "example.com", "protocol", "http/1.1", "cipher suites offered", "TLS_AES_128_GCM_SHA256", "supported_versions", "TLS 1.3"}},
		{"server", recv, []string{"ServerHello", "cipher suite chosen", "supported_versions", "TLS record: Application Data", "encrypted payload"}},
		{"cut short", sent[:40], []string{"payload (cut short)"}},
		{"header only", sent[:3], []string{"incomplete record header"}},
		{"alert", []byte{21, 3, 3, 0, 2, 2, 42}, []string{"fatal: bad_certificate"}},
		{"unknown type", []byte{99, 3, 3, 0, 0}, []string{"unknown (99)"}},
		{"garbage handshake", []byte{22, 3, 1, 0, 4, 1, 0, 0, 9}, []string{"incomplete or split"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := RecordFields(tt.b)
			checkFields(t, tt.b, fields)
			var all strings.Builder
			var walk func([]trace.Field)
			walk = func(fs []trace.Field) {
				for _, f := range fs {
					all.WriteString(f.Name + "=" + f.Value + "\n")
					walk(f.Children)
				}
			}
			walk(fields)
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("annotation lacks %q:\n%s", w, all.String())
				}
			}
		})
	}
}

// FuzzRecordFields feeds the TLS record annotator arbitrary bytes: it must
// never panic, and every field must lie inside the bytes.
func FuzzRecordFields(f *testing.F) {
	sent, recv := handshakeBytes(f)
	f.Add(sent)
	f.Add(recv)
	f.Add(sent[:60])
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Add([]byte{22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0})
	f.Add([]byte{20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFields(t, b, RecordFields(b))
	})
}
