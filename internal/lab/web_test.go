package lab

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"testing"
	"time"

	"journey/internal/address"
	jhttp "journey/internal/http"
	"journey/internal/trace"
)

func TestLabCertificates(t *testing.T) {
	now := time.Now()
	pool, cert, err := issueLabCerts(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificate) != 2 {
		t.Fatalf("the server should send leaf and intermediate, not %d certificates", len(cert.Certificate))
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	inter, _ := x509.ParseCertificate(cert.Certificate[1])
	inters := x509.NewCertPool()
	inters.AddCert(inter)
	for _, name := range append(append([]string(nil), webNames...), webAddrs...) {
		t.Run(name, func(t *testing.T) {
			if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, Intermediates: inters, CurrentTime: now}); err != nil {
				t.Error(err)
			}
		})
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "www.example.net.evil", Roots: pool, Intermediates: inters}); err == nil {
		t.Error("the lab's certificate verified for a name it does not hold")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "www.example.com", Roots: x509.NewCertPool(), Intermediates: inters}); err == nil {
		t.Error("the lab's certificate verified without the lab's root")
	}
}

// TestLabWeb fetches from the lab's web server over http and https, IPv4
// and IPv6, through the lab's dialer, trusting only the lab's CA.
func TestLabWeb(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tests := []struct {
		url, addr string
		want      error
	}{
		{"http://www.example.com/", "203.0.113.10", nil},
		{"https://www.example.com/", "203.0.113.10", nil},
		{"https://www.example.com/", "2001:db8:113::10", nil},
		{"https://example.org/", "203.0.113.10", nil},
		{"https://203.0.113.10/", "203.0.113.10", nil},
		{"https://not-in-the-cert.example.com/", "203.0.113.10", jhttp.ErrBadCertificate},
		{"http://www.example.com/", "203.0.113.99", jhttp.ErrConnect}, // no server there: the lab refuses
	}
	for _, tt := range tests {
		t.Run(tt.url+" "+tt.addr, func(t *testing.T) {
			target, err := address.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			rec := trace.NewRecorder(tt.url, trace.ModeLab, "test", nil, nil)
			c := &jhttp.Client{Dialer: l.Dialer(), Recorder: rec, RootCAs: l.RootCAs(), UserAgent: "journey/test"}
			res, err := c.Run(ctx, target, []string{tt.addr})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			j := rec.Finish(nil)
			conn, h := j.Stage(trace.StageConnect).Connect, j.Stage(trace.StageHTTP).HTTP
			if h.Status == 0 || conn.Via == "" || res.Local == "" {
				t.Errorf("status %d, via %q, local %q", h.Status, conn.Via, res.Local)
			}
			if target.Scheme == "https" && (conn.TLS == nil || !conn.TLS.Verified || len(conn.TLS.Chain) != 2) {
				t.Errorf("tls %+v", conn.TLS)
			}
			// The server side saw our end of the connection as res.Local.
			if _, err := l.ServerStages(ctx, res.Local); err != nil {
				t.Errorf("the lab's site has no record of %s: %v", res.Local, err)
			}
		})
	}
}

// TestWebWaitsForAPerson: with a person in the loop (--step) the web
// server waits for the handshake and the request as long as a person may
// take, and for a program's time otherwise.
func TestWebWaitsForAPerson(t *testing.T) {
	tests := []struct {
		step bool
		want time.Duration
	}{
		{false, 10 * time.Second},
		{true, webStepTimeout},
	}
	for _, tt := range tests {
		l := &Lab{opts: Options{Step: tt.step}}
		hs, first := l.webWaits()
		if hs != tt.want || first != tt.want {
			t.Errorf("step %v: waits %s for the handshake, %s for the request; want %s", tt.step, hs, first, tt.want)
		}
	}
	if webStepTimeout < 10*time.Minute {
		t.Errorf("a person gets only %s to read a packet", webStepTimeout)
	}
}

// TestWebLatencyFromFirstByte: the lab's web latency is counted from the
// request's first byte, not from the connection: a client that waits
// before sending (step mode) still sees it in its time to first byte.
func TestWebLatencyFromFirstByte(t *testing.T) {
	const latency = 150 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := Start(ctx, Options{Latency: latency, Step: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conn, err := l.Dialer().DialContext(ctx, "tcp", "203.0.113.10:80")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(2 * latency) // a person reading the request before it leaves
	start := time.Now()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 12)
	if _, err := io.ReadFull(conn, b); err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if ttfb := time.Since(start); ttfb < latency {
		t.Errorf("answered %s after the request, less than the lab's web latency of %s", ttfb, latency)
	}
	if string(b[:9]) != "HTTP/1.1 " {
		t.Errorf("answer %q", b)
	}
}
