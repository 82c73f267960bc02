package tlswire

import (
	"crypto/tls"
	"testing"
)

// BenchmarkRead measures reading a lab TLS 1.3 session, both ways, with
// its secrets: the cost of annotating and decrypting one handshake.
func BenchmarkRead(b *testing.B) {
	s := labSession(b, tls.VersionTLS13)
	for b.Loop() {
		c := &Conn{Keys: s.keys}
		c.Read(Server, s.recv)
		c.Read(Client, s.sent)
	}
}
