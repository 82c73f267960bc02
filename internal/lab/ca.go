package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// A lab CA that other tools trust (curl --cacert, a browser's store) must
// outlive one run of journey lab serve: it is kept on disk, in the user's
// configuration directory, and made on first use. It can sign only the
// lab's own names and addresses (name constraints, RFC 5280 section
// 4.2.1.10), so a copy of its key is no danger to any real site, even in
// a browser that trusts it.

// caFile and caKeyFile are the kept CA's certificate and key, in CADir.
const (
	caFile    = "lab-ca.pem"
	caKeyFile = "lab-ca-key.pem"
	// keptCALifetime is how long a kept CA lasts: ten years, as mkcert's
	// do; a teacher installs it once.
	keptCALifetime = 10 * 365 * 24 * time.Hour
)

// permittedDomains and permittedNets are all the lab's CA may vouch for:
// the zone files' web names and the documentation ranges of its web
// server (RFC 2606 names, RFC 5737 and RFC 3849 addresses).
var (
	permittedDomains = []string{"example.com", "example.org", "example.net", "example.co.uk"}
	permittedNets    = []string{"203.0.113.0/24", "2001:db8::/32"}
)

// CA is a certificate authority: its certificate and its key.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// PEM is the CA's certificate in PEM, as curl --cacert reads it.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// DefaultCADir is where the kept CA lives: journey/ in the user's
// configuration directory ($XDG_CONFIG_HOME, ~/.config).
func DefaultCADir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory to keep the lab's CA in: %w", err)
	}
	return filepath.Join(dir, "journey"), nil
}

// LoadCA reads the CA kept in dir, or makes one and keeps it there.
func LoadCA(dir string, now time.Time) (*CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, caFile))
	if errors.Is(err, fs.ErrNotExist) {
		return createCA(dir, now)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the lab's CA: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, fmt.Errorf("reading the lab's CA key: %w", err)
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("the lab's CA in %s is not PEM: remove %s and %s to make a new one", dir, caFile, caKeyFile)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the lab's CA in %s: %w", dir, err)
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the lab's CA key in %s: %w", dir, err)
	}
	if !now.Before(cert.NotAfter) {
		return nil, fmt.Errorf("the lab's CA in %s expired on %s: remove %s and %s to make a new one", dir, cert.NotAfter.Format(time.DateOnly), caFile, caKeyFile)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// createCA makes a name-constrained CA and keeps it in dir: the key
// readable by its owner only, written before the certificate so a CA is
// never found without its key.
func createCA(dir string, now time.Time) (*CA, error) {
	ca, err := newCA(now, keptCALifetime, true)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keeping the lab's CA: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(ca.Key)
	if err != nil {
		return nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	if err := writeNew(filepath.Join(dir, caKeyFile), keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("keeping the lab's CA key: %w", err)
	}
	if err := writeNew(filepath.Join(dir, caFile), ca.PEM(), 0o644); err != nil {
		return nil, fmt.Errorf("keeping the lab's CA: %w", err)
	}
	return ca, nil
}

// writeNew writes a file that must not exist yet (O_EXCL: never through
// a symlink planted there, never over another file).
func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newCA makes a root CA valid from an hour back (a skewed clock still
// accepts it) for lifetime; constrained to the lab's names when asked.
func newCA(now time.Time, lifetime time.Duration, constrained bool) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serialNumber(), Subject: pkix.Name{CommonName: "journey lab root CA", Organization: []string{"journey lab"}},
		NotBefore: now.Add(-clockSkew), NotAfter: now.Add(lifetime),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	if constrained {
		tmpl.PermittedDNSDomainsCritical = true
		tmpl.PermittedDNSDomains = permittedDomains
		for _, s := range permittedNets {
			_, n, err := net.ParseCIDR(s)
			if err != nil {
				return nil, err
			}
			tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// serialNumber is a random 127-bit serial, as RFC 5280 section 4.1.2.2
// allows (positive, at most 20 octets).
func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}
