// Package gateway owns the server's side of a journey: it takes the raw
// bytes of a request as a server receives them, builds the WSGI
// environment as gunicorn does (PEP 3333: PATH_INFO and header values
// hold their bytes one latin-1 character each), passes it through the
// middleware django-admin startproject writes (with GZip first), lets the
// router (package router) pick a view, runs the view, and serialises the
// response back into bytes as gunicorn does, recording each step with its
// time. The lab's web server calls ServeConn on each connection; live, the
// engine calls Site.Handle on the bytes it sent, as a re-enactment. Its
// answers are compared with gunicorn's, wsgiref's and Django's own by the
// differential tests (wsgi_test.go here, django_test.go in package router).
package gateway

import (
	"bufio"
	"context"
	"net"
	"sync"
	"time"

	"journey/internal/router"
	"journey/internal/trace"
)

const (
	// ReadTimeout bounds reading one request from a connection: gunicorn's
	// default for a silent client is 30 s; a lab on loopback needs far
	// less, and a silent client must not hold a classroom's lab.
	ReadTimeout = 10 * time.Second
	// WriteTimeout bounds writing the response.
	WriteTimeout = 10 * time.Second
	// KeepAliveTimeout bounds the wait for a kept-alive connection's next
	// request: gunicorn's --keep-alive default, 2 s.
	KeepAliveTimeout = 2 * time.Second
	// MaxRequestsPerConn bounds the requests served on one connection:
	// nginx's keepalive_requests default of old, 100; then the connection
	// is closed and the client opens another.
	MaxRequestsPerConn = 100
	// maxKept bounds the traces kept for clients that never ask for them
	// (curl against journey lab serve): the oldest are forgotten first.
	maxKept = 256
)

// Server serves HTTP connections with a Site and keeps the trace of each
// request until the journey that made it asks for it.
type Server struct {
	site *Site
	// BeforeNext, when set, is called once a kept-alive connection's next
	// request has begun to arrive, before it is served: the lab takes the
	// server's processing time there, as it does before a connection's
	// first request. An error ends the connection.
	BeforeNext func(ctx context.Context, conn net.Conn) error

	mu    sync.Mutex
	kept  map[string]*kept
	order []*kept // oldest first, for forgetting; may hold entries already taken
}

type kept struct {
	client string
	ready  chan struct{}
	stages []*trace.Stage
}

// NewServer returns a Server for conf (router.Demo() for the demo site).
func NewServer(conf *router.URLConf) *Server {
	return &Server{site: NewSite(conf), kept: map[string]*kept{}}
}

// Site is the application the server runs.
func (s *Server) Site() *Site { return s.site }

// ServeConn reads one request from conn, answers it and closes conn; when
// the client asked to keep the connection alive (Connection: keep-alive)
// it reads the next one, up to MaxRequestsPerConn, waiting at most
// KeepAliveTimeout for each. The connection's TLS, if any, is already
// ended; scheme says which it was. Reading and writing are bounded by
// ReadTimeout and WriteTimeout, and by ctx: when it ends, the connection
// is closed. Each request's stages are kept, in order, for Stages.
func (s *Server) ServeConn(ctx context.Context, conn net.Conn, scheme string) {
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(ReadTimeout))
	// After the deadline above, so a context that has already ended wins.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	w := &deadlineWriter{ctx: ctx, conn: conn}
	client := conn.RemoteAddr().String()
	// One reader for the connection's life: what it read ahead of one
	// request is the next one's.
	br := bufio.NewReader(conn)
	for n := 1; ; n++ {
		served := s.site.Handle(br, w, ConnInfo{Client: client, Server: conn.LocalAddr().String(), Scheme: scheme})
		s.keep(client, []*trace.Stage{served.Gateway, served.Router})
		if !served.KeepAlive || n >= MaxRequestsPerConn || ctx.Err() != nil {
			return
		}
		// Wait for the next request's first byte: a client that closes
		// instead (or stays silent) ends the connection, with nothing
		// recorded.
		conn.SetReadDeadline(time.Now().Add(KeepAliveTimeout))
		if _, err := br.Peek(1); err != nil || ctx.Err() != nil {
			return
		}
		if s.BeforeNext != nil && s.BeforeNext(ctx, conn) != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(ReadTimeout))
	}
}

// deadlineWriter sets the write deadline when the response starts leaving,
// so the read deadline does not cut it.
type deadlineWriter struct {
	ctx  context.Context
	conn net.Conn
}

func (w *deadlineWriter) Write(b []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	w.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
	return w.conn.Write(b)
}

func (s *Server) entry(client string) *kept {
	k, ok := s.kept[client]
	if !ok {
		k = &kept{client: client, ready: make(chan struct{})}
		s.kept[client] = k
		s.order = append(s.order, k)
		if len(s.order) > maxKept {
			old := s.order[0]
			if s.kept[old.client] == old {
				delete(s.kept, old.client)
			}
			s.order = s.order[1:]
		}
	}
	return k
}

func (s *Server) keep(client string, stages []*trace.Stage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.entry(client)
	select {
	case <-k.ready:
		// A second request from the same address before the first's
		// stages were taken (a kept-alive connection nobody asks about,
		// curl against lab serve): keep the first.
		return
	default:
	}
	k.stages = stages
	close(k.ready)
}

// Stages returns the gateway and router stages recorded for the request
// that came from clientAddr, waiting until the server has written its
// response or ctx ends. Their offsets count from Gateway.Origin.
func (s *Server) Stages(ctx context.Context, clientAddr string) ([]*trace.Stage, error) {
	s.mu.Lock()
	k := s.entry(clientAddr)
	s.mu.Unlock()
	select {
	case <-k.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	if s.kept[clientAddr] == k {
		delete(s.kept, clientAddr)
	}
	s.mu.Unlock()
	return k.stages, nil
}
