package gateway

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"journey/internal/dial/dialtest"
	"journey/internal/router"
)

// TestKeepAlive: a client that asks (Connection: keep-alive) is served
// request after request on one connection: the page, then its
// revalidation answered 304, then a request saying close, after which the
// server closes. Each request's stages are kept in turn.
func TestKeepAlive(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(router.Demo())
	var before atomic.Int32 // the lab's processing time goes here
	srv.BeforeNext = func(context.Context, net.Conn) error { before.Add(1); return nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(done)
			return
		}
		srv.ServeConn(ctx, c, "http")
		close(done)
	}()
	conn, err := dialtest.Loopback(t).DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	etag := ""
	for _, tc := range []struct {
		name       string
		extra      string
		wantStatus int
		wantConn   string
	}{
		{"first visit", "Connection: keep-alive\r\n", http.StatusOK, "keep-alive"},
		{"revalidation", "Connection: keep-alive\r\nIf-None-Match: ETAG\r\n", http.StatusNotModified, "keep-alive"},
		{"last, closing", "Connection: close\r\n", http.StatusOK, "close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := strings.ReplaceAll(tc.extra, "ETAG", etag)
			io.WriteString(conn, "GET / HTTP/1.1\r\nHost: www.example.com\r\n"+extra+"\r\n")
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			got := resp.Header.Get("Connection")
			if resp.Close {
				got = "close" // net/http takes the header into Close
			}
			if resp.StatusCode != tc.wantStatus || got != tc.wantConn {
				t.Errorf("%d, Connection: %s; want %d, %s", resp.StatusCode, got, tc.wantStatus, tc.wantConn)
			}
			if etag == "" {
				etag = resp.Header.Get("ETag")
			}
			sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
			defer scancel()
			stages, err := srv.Stages(sctx, conn.LocalAddr().String())
			if err != nil || stages[0].Gateway.Response.Status != tc.wantStatus {
				t.Errorf("the request's stages: %v, %v", stages, err)
			}
		})
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close, read %v, want EOF", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ServeConn did not return after the closing request")
	}
	if n := before.Load(); n != 2 {
		t.Errorf("BeforeNext called %d times, want 2 (before the second and third requests)", n)
	}
}

// TestKeepAliveClientLeaves: a kept-alive connection the client closes
// ends ServeConn at once, with no request recorded for it.
func TestKeepAliveClientLeaves(t *testing.T) {
	c1, c2 := net.Pipe()
	srv := NewServer(router.Demo())
	done := make(chan struct{})
	go func() { srv.ServeConn(context.Background(), c2, "http"); close(done) }()
	go func() {
		io.WriteString(c1, "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c1), nil)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
		}
		c1.Close()
	}()
	select {
	case <-done:
	case <-time.After(KeepAliveTimeout + 3*time.Second):
		t.Fatal("ServeConn did not return after the client left")
	}
	srv.mu.Lock()
	n := len(srv.kept)
	srv.mu.Unlock()
	if n != 1 {
		t.Errorf("%d requests kept, want the one served", n)
	}
}
