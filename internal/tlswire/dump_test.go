package tlswire

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"testing"

	"journey/internal/trace"
)

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
	var p func([]trace.Field, int)
	p = func(fs []trace.Field, d int) {
		for _, f := range fs {
			fmt.Printf("%s%s [%d+%d] = %s\n", strings.Repeat("  ", d), f.Name, f.Offset, f.Length, f.Value)
			p(f.Children, d+1)
		}
	}
	p(c.Read(Server, s.recv).Fields, 0)
	fmt.Println("=== client")
	p(c.Read(Client, s.sent).Fields, 0)
}
