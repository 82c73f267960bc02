package gateway

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"journey/internal/router"
)

// BenchmarkGatewayRoundTrip is one whole request through the gateway, bytes
// in and bytes out: parse, environment, middleware down, route, view,
// middleware up, serialise, with every step recorded.
func BenchmarkGatewayRoundTrip(b *testing.B) {
	site := NewSite(router.Demo())
	raw := "GET /articles/2024/ HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: journey/bench\r\nAccept: */*\r\n\r\n"
	b.ReportAllocs()
	for b.Loop() {
		sv := site.Handle(strings.NewReader(raw), io.Discard, ConnInfo{Client: "127.0.0.1:40000", Scheme: "http"})
		if sv.Status != 200 {
			b.Fatal(sv.Status)
		}
	}
}

// BenchmarkGatewayLoopback is the same request over a real loopback TCP
// connection: dial, write, ServeConn, read the response.
func BenchmarkGatewayLoopback(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(router.Demo())
	ctx := context.Background()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go srv.ServeConn(ctx, c, "http")
		}
	}()
	raw := "GET /articles/2024/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n"
	b.ReportAllocs()
	for b.Loop() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		io.WriteString(c, raw)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		c.Close()
	}
}
