package gateway

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"journey/internal/dial/dialtest"
	"journey/internal/router"
)

// TestStreamArrivesOverTime: on a real socket, /stream/'s pieces arrive
// StreamPause apart, so a client sees the body over time, not at once;
// the gateway's step says so.
func TestStreamArrivesOverTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(router.Demo())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		srv.ServeConn(ctx, c, "http")
	}()
	conn, err := dialtest.Loopback(t).DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /stream/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Each piece is one line; time the first and the last.
	r := bufio.NewReader(resp.Body)
	var at []time.Time
	for {
		_, err := r.ReadString('\n')
		if err != nil {
			break
		}
		at = append(at, time.Now())
	}
	if len(at) != 3 {
		t.Fatalf("%d pieces, want 3", len(at))
	}
	if spread := at[2].Sub(at[0]); spread < 2*StreamPause*9/10 {
		t.Errorf("the pieces arrived within %s, want about %s apart", spread, 2*StreamPause)
	}
	stages, err := srv.Stages(ctx, conn.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range stages[0].Gateway.Steps {
		if s.Name == "write the response" && s.Duration >= 2*StreamPause*9/10 {
			found = true
		}
	}
	if !found {
		t.Errorf("the write step does not take the pauses: %+v", stages[0].Gateway.Steps)
	}
}
