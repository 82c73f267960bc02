// Package gateway owns the server's side of a journey: it takes the raw
// bytes of a request as a server receives them, builds a WSGI-style
// environment, passes it through middleware to the router, and serialises
// the response back into bytes, recording each step.
package gateway

import (
	"context"
	"net"

	"journey/internal/trace"
)

// Server serves HTTP connections with the gateway and keeps the trace of
// each request it served.
type Server struct{}

// NewServer returns a Server for the demo site.
func NewServer() *Server { return &Server{} }

// ServeConn reads one request from conn, answers it and closes conn.
func (s *Server) ServeConn(ctx context.Context, conn net.Conn, scheme string) {
	defer conn.Close()
	conn.Write([]byte("HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
}

// Stages returns the gateway and router stages recorded for the request
// that came from clientAddr.
func (s *Server) Stages(ctx context.Context, clientAddr string) ([]*trace.Stage, error) {
	return nil, nil
}
