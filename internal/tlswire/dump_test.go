package tlswire

import (
	"crypto/tls"
	"encoding/json"
	"os"
	"testing"
)

// TestDump writes one lab session's bytes, annotation and key log for the
// side-by-side check with Wireshark's dissector: testdata/wireshark/
// capture.sh runs it under tshark, compare.py compares. Skipped unless
// DUMP is set (to 12 or 13, the TLS version).
func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	v := uint16(tls.VersionTLS13)
	if os.Getenv("DUMP") == "12" {
		v = tls.VersionTLS12
	}
	s := labSession(t, v)
	c := &Conn{Keys: s.keys}
	srv := c.Read(Server, s.recv)
	cli := c.Read(Client, s.sent)
	out, _ := json.Marshal(map[string]any{"client": cli.Fields, "server": srv.Fields, "client_bytes": s.sent, "server_bytes": s.recv,
		"client_plain": cli.Decrypted, "server_plain": srv.Decrypted})
	if err := os.WriteFile(os.Getenv("DUMP_OUT"), out, 0o600); err != nil {
		t.Fatal(err)
	}
	var lines []byte
	for _, l := range []string{LabelClientRandom, LabelClientHandshakeTraffic, LabelServerHandshakeTraffic, LabelClientTraffic, LabelServerTraffic} {
		if sec := s.keys.Secret(l); sec != nil {
			lines = append(lines, []byte(l+" "+hexs(s.keys.clientRandom)+" "+hexs(sec)+"\n")...)
		}
	}
	if len(lines) == 0 {
		t.Fatal("no secrets were logged")
	}
	if err := os.WriteFile(os.Getenv("DUMP_KEYLOG"), lines, 0o600); err != nil {
		t.Fatal(err)
	}
}

func hexs(b []byte) string {
	const d = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, d[x>>4], d[x&15])
	}
	return string(out)
}
