package http

import (
	"bytes"
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"journey/internal/lab"
	"journey/internal/tlswire"
	"journey/internal/trace"
)

// TestTLSInside runs https journeys against the lab's web server and checks
// that journey shows what its encrypted records carried: the handshake's
// messages, and the request and response inside the application data
// records; and that the secrets go to the key log in the SSLKEYLOGFILE
// format.
func TestTLSInside(t *testing.T) {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tt := range []struct {
		name     string
		max      uint16
		version  string
		labels   []string
		inRecord string // a handshake message only decryption shows
	}{
		{"TLS 1.3", tls.VersionTLS13, "TLS 1.3", []string{tlswire.LabelClientHandshakeTraffic, tlswire.LabelServerHandshakeTraffic, tlswire.LabelClientTraffic, tlswire.LabelServerTraffic}, "encrypted: Certificate"},
		{"TLS 1.2", tls.VersionTLS12, "TLS 1.2", []string{tlswire.LabelClientRandom}, "encrypted: Finished"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var keylog bytes.Buffer
			c := &Client{Dialer: l.Dialer(), RootCAs: l.RootCAs(), KeyLog: &keylog, TLSMax: tt.max}
			_, conn, h, err := run(t, context.Background(), c, "https://www.example.com/", "203.0.113.10")
			if err != nil {
				t.Fatal(err)
			}
			if v := conn.Connect.TLS.Version; v != tt.version {
				t.Errorf("version %s, want %s", v, tt.version)
			}
			for _, label := range tt.labels {
				if !strings.Contains(keylog.String(), label+" ") {
					t.Errorf("the key log lacks %s:\n%s", label, keylog.String())
				}
			}
			hs := conn.Exchanges[len(conn.Exchanges)-1]
			if hs.Received.Decrypted == nil || hs.Sent.Decrypted == nil {
				t.Fatal("the handshake's records were not decrypted")
			}
			if !strings.Contains(fieldText(hs.Received.Fields), tt.inRecord) {
				t.Errorf("no record says %q:\n%s", tt.inRecord, fieldText(hs.Received.Fields))
			}
			ex := h.Exchanges[0]
			for _, m := range []trace.Message{ex.Sent, ex.Received} {
				if m.Records == nil || m.Records.Decrypted == nil {
					t.Fatalf("the HTTP message's records: %+v", m.Records)
				}
				checkFields(t, m.Records.Bytes, m.Records.Fields)
				if strings.Contains(fieldText(m.Records.Fields), "not decrypted") {
					t.Errorf("a record was not decrypted:\n%s", fieldText(m.Records.Fields))
				}
			}
			// Inside the records: exactly the request sent, and the response read.
			if !bytes.Contains(ex.Sent.Records.Decrypted, ex.Sent.Bytes) {
				t.Error("the request is not inside the records that carried it")
			}
			head := ex.Received.Bytes[:bytes.Index(ex.Received.Bytes, []byte("\r\n\r\n"))]
			if !bytes.Contains(ex.Received.Records.Decrypted, head) {
				t.Error("the response is not inside the records that carried it")
			}
		})
	}
}

func fieldText(fs []trace.Field) string {
	var b strings.Builder
	var walk func([]trace.Field, int)
	walk = func(fs []trace.Field, depth int) {
		for _, f := range fs {
			b.WriteString(strings.Repeat("  ", depth) + f.Name + " = " + f.Value + "\n")
			walk(f.Children, depth+1)
		}
	}
	walk(fs, 0)
	return b.String()
}
