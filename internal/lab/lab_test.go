package lab

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"journey/internal/dial"
)

// exchange asks the lab server behind shown (a documentation address) over
// network, through the lab's dialer.
func exchange(t *testing.T, l *Lab, network, shown, name string) (*dns.Msg, time.Duration, error) {
	t.Helper()
	conn, err := l.Dialer().DialContext(context.Background(), network, shown)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &dns.Client{Net: network, Timeout: 300 * time.Millisecond}
	q := new(dns.Msg)
	q.SetQuestion(name, dns.TypeA)
	q.SetEdns0(1232, false)
	return c.ExchangeWithConn(q, &dns.Conn{Conn: conn})
}

func TestLabServesOnRealSockets(t *testing.T) {
	l, err := Start(context.Background(), Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if len(l.Roots()) != 2 || l.Roots()[0].Addr != "192.0.2.1:53" {
		t.Errorf("roots = %v", l.Roots())
	}
	for _, lis := range l.Listeners() {
		if !dial.IsLoopback(lis.Real) {
			t.Errorf("%s listens on %s, not loopback", lis.Name, lis.Real)
		}
	}
	for _, network := range []string{"udp", "tcp"} {
		m, _, err := exchange(t, l, network, "198.51.100.1:53", "www.example.com.")
		if err != nil {
			t.Fatalf("%s: %v", network, err)
		}
		if len(m.Answer) != 1 || !m.Authoritative {
			t.Errorf("%s: answer %v", network, m.Answer)
		}
	}
	if _, err := l.Dialer().DialContext(context.Background(), "udp", "8.8.8.8:53"); err == nil {
		t.Error("the lab's dialer reached an address outside the lab")
	}
}

func TestLabTruncatesOverUDP(t *testing.T) {
	l, err := Start(context.Background(), Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m, _, err := exchange(t, l, "udp", "198.51.100.1:53", "big.example.com.")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Truncated {
		t.Error("a 90-address answer over UDP is not truncated")
	}
	m, _, err = exchange(t, l, "tcp", "198.51.100.1:53", "big.example.com.")
	if err != nil {
		t.Fatal(err)
	}
	if m.Truncated || len(m.Answer) != 90 {
		t.Errorf("over TCP: truncated %v, %d answers, want all 90", m.Truncated, len(m.Answer))
	}
}

func TestLabLatencyAndLoss(t *testing.T) {
	l, err := Start(context.Background(), Options{Latency: 60 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, rtt, err := exchange(t, l, "udp", "192.0.2.1:53", "com.")
	if err != nil {
		t.Fatal(err)
	}
	// The lower bound is the point; the upper one only catches a latency
	// applied twice, with room for a loaded machine.
	if rtt < 60*time.Millisecond || rtt > 600*time.Millisecond {
		t.Errorf("round trip %s with a 60ms latency", rtt)
	}

	lossy, err := Start(context.Background(), Options{Latency: 0, Loss: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer lossy.Close()
	if _, _, err := exchange(t, lossy, "udp", "192.0.2.1:53", "com."); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("with 100%% loss: err = %v, want a timeout", err)
	}
}

// TestBasePort: with a base port every server listens where lab serve
// --port says, so slides and scripts can name fixed addresses.
func TestBasePort(t *testing.T) {
	var l *Lab
	var base int
	var err error
	for _, base = range []int{47310, 51730, 38410} { // any free run of ports will do
		if l, err = Start(context.Background(), Options{BasePort: base}); err == nil {
			break
		}
	}
	if err != nil {
		t.Skipf("no free run of ports: %v", err)
	}
	defer l.Close()
	want := map[string]string{
		"web tcp 203.0.113.10:80":             fmt.Sprintf("127.0.0.1:%d", base),
		"web (https) tcp 203.0.113.10:443":    fmt.Sprintf("127.0.0.1:%d", base+1),
		"a.root-servers.net udp 192.0.2.1:53": fmt.Sprintf("127.0.0.1:%d", base+2),
		"ns1.example.com tcp 198.51.100.1:53": fmt.Sprintf("127.0.0.1:%d", base+9),
	}
	for _, lis := range l.Listeners() {
		key := lis.Name + " " + lis.Network + " " + lis.Shown
		if w, ok := want[key]; ok && lis.Real != w {
			t.Errorf("%s listens on %s, want %s", key, lis.Real, w)
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("not listening: %v", want)
	}
}
