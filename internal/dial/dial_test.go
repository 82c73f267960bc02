package dial

import (
	"context"
	"errors"
	"net"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:53", true},
		{"127.9.8.7", true},
		{"[::1]:80", true},
		{"::1", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"192.0.2.1:53", false},
		{"198.41.0.4:53", false},
		{"localhost:53", false}, // names are not resolved
		{"[2001:db8::1]:53", false},
	}
	for _, tc := range tests {
		if got := IsLoopback(tc.addr); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestRouterRoutesAndRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	r := &Router{LoopbackOnly: true}
	r.Add("tcp", "192.0.2.1:80", ln.Addr().String())
	ctx := context.Background()

	c, err := r.DialContext(ctx, "tcp4", "192.0.2.1:80")
	if err != nil {
		t.Fatalf("routed dial: %v", err)
	}
	if got := c.RemoteAddr().String(); got != ln.Addr().String() {
		t.Errorf("routed dial reached %s, want %s", got, ln.Addr())
	}
	c.Close()

	if _, err := r.DialContext(ctx, "tcp", "192.0.2.2:80"); !errors.Is(err, ErrRefused) {
		t.Errorf("unrouted non-loopback dial: err = %v, want ErrRefused", err)
	}
	if _, ok := r.Route("udp", "192.0.2.1:80"); ok {
		t.Error("a tcp route must not apply to udp")
	}
}
