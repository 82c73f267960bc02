package http

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/trace"
)

func TestConnectAttempts(t *testing.T) {
	srv := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// Nothing listens on 127.0.0.2 at that port: refused, then the next address.
	_, conn, _, err := run(t, context.Background(), &Client{}, "http://localhost:"+port+"/", "127.0.0.2", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	a := conn.Connect.Attempts
	if len(a) != 2 || a[0].Error == "" || a[1].Error != "" || conn.Connect.Remote != "127.0.0.1:"+port {
		t.Fatalf("attempts %+v", a)
	}
	if !strings.Contains(a[0].Error, "refused") {
		t.Errorf("first attempt's error %q does not say refused", a[0].Error)
	}
	if len(conn.Exchanges) != 2 || !conn.Exchanges[0].Failed() {
		t.Errorf("each attempt should be an exchange: %d", len(conn.Exchanges))
	}

	_, conn, _, err = run(t, context.Background(), &Client{}, "http://localhost:"+port+"/", "127.0.0.2")
	if !errors.Is(err, ErrConnect) || conn.Status != trace.StatusFailed {
		t.Errorf("err %v, status %s", err, conn.Status)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.WriteString(w, "secret")
	}))
	srv.EnableHTTP2 = false
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // a refused certificate is the point, not news
	srv.StartTLS()
	defer srv.Close()
	url := strings.Replace(srv.URL, "127.0.0.1", "example.com", 1) // the test certificate's name
	trusted := x509.NewCertPool()
	trusted.AddCert(srv.Certificate())

	t.Run("bad certificate refused", func(t *testing.T) {
		_, conn, h, err := run(t, context.Background(), &Client{}, url, "127.0.0.1")
		if !errors.Is(err, ErrBadCertificate) || !strings.Contains(err.Error(), "-k") {
			t.Fatalf("err %v", err)
		}
		if conn.Status != trace.StatusFailed || h.Status != trace.StatusPending {
			t.Errorf("connect %s, http %s", conn.Status, h.Status)
		}
		tl := conn.Connect.TLS
		if tl == nil || tl.Verified || tl.VerifyError == "" || len(tl.Chain) == 0 {
			t.Errorf("tls %+v", tl)
		}
	})
	t.Run("accepted with -k, said loudly", func(t *testing.T) {
		_, conn, h, err := run(t, context.Background(), &Client{Insecure: true}, url, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		tl := conn.Connect.TLS
		if tl.Verified || !tl.Insecure || tl.VerifyError == "" || h.HTTP.Status != 200 || string(h.Exchanges[0].Received.Bytes[len(h.Exchanges[0].Received.Bytes)-6:]) != "secret" {
			t.Errorf("tls %+v, http %+v", tl, h.HTTP)
		}
		if len(conn.Notes) == 0 || !strings.Contains(conn.Notes[0], "did NOT verify") {
			t.Errorf("no loud note: %v", conn.Notes)
		}
	})
	t.Run("trusted", func(t *testing.T) {
		_, conn, h, err := run(t, context.Background(), &Client{RootCAs: trusted}, url, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		tl := conn.Connect.TLS
		if !tl.Verified || tl.ServerName != "example.com" || tl.ALPN != "http/1.1" || tl.Version == "" || tl.CipherSuite == "" || tl.Handshake <= 0 {
			t.Errorf("tls %+v", tl)
		}
		if h.Exchanges[0].Transport != trace.TransportTLS || h.HTTP.Hops[0].Timing.TLS != tl.Handshake {
			t.Errorf("transport %s, hop timing %+v", h.Exchanges[0].Transport, h.HTTP.Hops[0].Timing)
		}
		hs := conn.Exchanges[1]
		if hs.Kind != "tls" || len(hs.Sent.Bytes) == 0 || len(hs.Received.Bytes) == 0 || hs.Sent.Bytes[0] != recordHandshake {
			t.Fatalf("handshake exchange %+v", hs)
		}
		summary := fmt.Sprint(hs.Sent.Fields)
		for _, want := range []string{"ClientHello", "server_name", "example.com", "http/1.1", "cipher suites"} {
			if !strings.Contains(summary, want) {
				t.Errorf("ClientHello annotation lacks %q", want)
			}
		}
		if !strings.Contains(fmt.Sprint(hs.Received.Fields), "ServerHello") {
			t.Error("ServerHello not annotated")
		}
	})
}

// TestHandshakeTimeouts checks a TLS handshake with a server that never
// answers is said as the limit that ran out, once.
func TestHandshakeTimeouts(t *testing.T) {
	url := strings.Replace(rawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) }), "http:", "https:", 1)
	tests := []struct {
		name             string
		timeout, maxTime time.Duration
		limit            string
	}{
		{"--timeout", 200 * time.Millisecond, 0, "(--timeout)"},
		{"--max-time", time.Minute, 300 * time.Millisecond, "(--max-time) ran out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.maxTime > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.maxTime)
				defer cancel()
			}
			_, conn, _, err := run(t, ctx, &Client{Timeout: tt.timeout}, url)
			if !errors.Is(err, ErrTimedOut) {
				t.Fatalf("err = %v, want ErrTimedOut", err)
			}
			saysOnce(t, err.Error(), tt.limit)
			if conn.Status != trace.StatusFailed {
				t.Errorf("connect stage %s", conn.Status)
			}
		})
	}
}

// TestStepPausesLongerThanTimeout: in step mode a person may hold each
// packet longer than --timeout; the TCP connect, the ClientHello and the
// request must each still go through, and the timings must leave the
// pauses out.
func TestStepPausesLongerThanTimeout(t *testing.T) {
	const (
		timeout = 200 * time.Millisecond
		pause   = 300 * time.Millisecond
	)
	srv := httptest.NewUnstartedServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		io.WriteString(w, "ok")
	}))
	srv.EnableHTTP2 = false
	srv.StartTLS()
	defer srv.Close()
	trusted := x509.NewCertPool()
	trusted.AddCert(srv.Certificate())

	for _, url := range []string{strings.Replace(srv.URL, "127.0.0.1", "example.com", 1), rawServer(t, func(c net.Conn) {
		readRequest(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	})} {
		t.Run(url[:strings.Index(url, ":")], func(t *testing.T) {
			target, err := address.Parse(url)
			if err != nil {
				t.Fatal(err)
			}
			var held []trace.Pending
			rec := trace.NewRecorder(url, trace.ModeLab, "test", nil, func(ctx context.Context, p trace.Pending) error {
				held = append(held, p)
				select {
				case <-time.After(pause):
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			c := &Client{Dialer: dialtest.Loopback(t), Recorder: rec, Timeout: timeout, RootCAs: trusted, UserAgent: "journey/test"}
			_, err = c.Run(context.Background(), target, []string{"127.0.0.1"})
			j := rec.Finish(err)
			if err != nil {
				t.Fatalf("a %s pause with a %s timeout failed the journey: %v", pause, timeout, err)
			}
			wantHeld := 2 // TCP connect, request
			if target.Scheme == "https" {
				wantHeld = 3 // and the ClientHello
				if p := held[1]; p.Transport != trace.TransportTLS || len(p.Bytes) == 0 || p.Bytes[0] != recordHandshake {
					t.Errorf("the ClientHello was held without its bytes: %+v", p)
				}
			}
			if len(held) != wantHeld {
				t.Errorf("%d packets held, want %d", len(held), wantHeld)
			}
			hop := j.Stage(trace.StageHTTP).HTTP.Hops[0]
			if tm := hop.Timing; tm.Total >= pause || tm.TLS >= pause || tm.Start < 0 || tm.WriteStart < tm.Start+tm.Connect+tm.TLS {
				t.Errorf("the pauses count in the timings: %+v", tm)
			}
			if j.Duration >= pause {
				t.Errorf("journey's duration %s counts the pauses", j.Duration)
			}
		})
	}
}
