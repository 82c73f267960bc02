package lab

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"journey/internal/trace"
)

// TestHoldServerRelease checks who holds the server: the last journey to
// ask, and a journey's release gives back only its own hold (after r, the
// old run's release must not free the new run's).
func TestHoldServerRelease(t *testing.T) {
	l, err := Start(context.Background(), Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	wait := func(context.Context, trace.Pending) error { return nil }
	release1 := l.HoldServer(wait)
	first := l.web.hold.Load()
	release2 := l.HoldServer(wait)
	second := l.web.hold.Load()
	if first == nil || second == nil || first == second {
		t.Fatal("HoldServer did not hold the server for each journey")
	}
	release1()
	if l.web.hold.Load() != second {
		t.Error("the first journey's release freed the second's hold")
	}
	release2()
	if l.web.hold.Load() != nil {
		t.Error("the server is still held after the last release")
	}
}

// TestHeldConn checks the held response: kept until serveHeld sends it,
// written through once past maxHeld, never closed by the site.
func TestHeldConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &heldConn{Conn: a}
	if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\n")); err != nil {
		t.Fatal(err)
	}
	if c.through || c.buf.Len() != 17 {
		t.Fatalf("a small response was not held: through %v, %d bytes", c.through, c.buf.Len())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		var all bytes.Buffer
		buf := make([]byte, 1<<16)
		for all.Len() < maxHeld+17 {
			n, err := b.Read(buf)
			all.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- all.Bytes()
	}()
	big := bytes.Repeat([]byte("x"), maxHeld)
	if _, err := c.Write(big); err != nil {
		t.Fatal(err)
	}
	if !c.through {
		t.Error("a response past maxHeld is still held")
	}
	if out := <-got; len(out) != maxHeld+17 || !bytes.HasPrefix(out, []byte("HTTP/1.1 200 OK\r\n")) {
		t.Errorf("written through: %d bytes, want the held %d and the rest", len(out), maxHeld+17)
	}
}

func TestResponseReady(t *testing.T) {
	for _, tt := range []struct {
		name, out, want string
	}{
		{"a page", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", "(200 OK): it is about to leave"},
		{"no view", "HTTP/1.1 404 Not Found\r\n\r\n", "(404 Not Found)"},
		{"a view that failed", "HTTP/1.1 500 Internal Server Error\r\n\r\n", "(500 Internal Server Error)"},
		{"no status line", "garbage", "serialised the response: it is about"},
		{"a long reason", "HTTP/1.1 200 " + strings.Repeat("x", 500) + "\r\n\r\n", "(200 " + strings.Repeat("x", maxStatusSaid-4) + ")"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := responseReady([]byte(tt.out))
			if !strings.Contains(got, tt.want) || strings.Contains(got, "view answered") {
				t.Errorf("responseReady = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
