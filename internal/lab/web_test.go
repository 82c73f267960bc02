package lab

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"journey/internal/address"
	jhttp "journey/internal/http"
	"journey/internal/trace"
)

func TestLabCertificates(t *testing.T) {
	now := time.Now()
	pool, cert, err := issueLabCerts(now)
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
