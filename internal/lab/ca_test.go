package lab

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"journey/internal/trace"
)

// TestKeptCA: the CA is made once and read back the same; the lab's
// certificates chain to it; it cannot vouch for a name outside the lab.
func TestKeptCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journey")
	now := time.Now()
	ca, err := LoadCA(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadCA(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca.PEM(), again.PEM()) {
		t.Error("a second load made another CA")
	}
	if fi, err := os.Stat(filepath.Join(dir, caKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file: %v, mode %v; want 0600", err, fi.Mode())
	}
	pool, cert, err := issueLabCerts(now, again)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	inter, _ := x509.ParseCertificate(cert.Certificate[1])
	inters := x509.NewCertPool()
	inters.AddCert(inter)
	for _, name := range []string{"www.example.com", "www.example.co.uk", "203.0.113.10"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, Intermediates: inters}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A certificate for a real site, signed with the kept key, must not
	// verify: a leaked key is no danger outside the lab.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: serialNumber(), Subject: pkix.Name{CommonName: "www.bank.test"}, DNSNames: []string{"www.bank.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	evil, _ := x509.ParseCertificate(der)
	if _, err := evil.Verify(x509.VerifyOptions{DNSName: "www.bank.test", Roots: pool}); err == nil {
		t.Error("the kept CA vouches for a name outside the lab")
	}
}

func TestKeptCAErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"not PEM", map[string]string{caFile: "hello", caKeyFile: "hello"}, "not PEM"},
		{"certificate without key", map[string]string{caFile: "hello"}, "CA key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tc.files {
				os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600)
			}
			if _, err := LoadCA(dir, time.Now()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAccessLine(t *testing.T) {
	at := time.Date(2026, 11, 29, 16, 30, 7, 0, time.UTC)
	stages := []*trace.Stage{{Kind: trace.StageGateway, Gateway: &trace.Gateway{Method: "GET", Target: "/x\x1b[31m", Proto: "HTTP/1.1",
		Response: &trace.Response{Status: 404, BodySize: 978}}}}
	got := accessLine(at, "127.0.0.1:5555", "http", stages, 1200*time.Microsecond)
	want := `127.0.0.1 - - [29/Nov/2026:16:30:07 +0000] "GET /x\\x1b[31m HTTP/1.1" 404 978 http 1.2 ms`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := accessLine(at, "127.0.0.1:5555", "https", nil, 0); !strings.Contains(got, `"-" - - https`) {
		t.Errorf("a request never read: %s", got)
	}
}
