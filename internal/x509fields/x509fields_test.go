package x509fields

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"journey/internal/trace"
)

// newCert makes a certificate shaped like the lab's leaf: a SAN with a
// name and an address, key usage, basic constraints.
func newCert(t testing.TB, isCA bool) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x1234567890),
		Subject:      pkix.Name{CommonName: "www.example.com", Organization: []string{"journey lab"}},
		NotBefore:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		NotAfter:     time.Date(2056, 1, 2, 3, 4, 5, 0, time.UTC), // GeneralizedTime past 2049
		DNSNames:     []string{"www.example.com", "example.com"},
		IPAddresses:  []net.IP{net.ParseIP("192.0.2.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         isCA, BasicConstraintsValid: true,
		OCSPServer:            []string{"http://ocsp.example.net"},
		IssuingCertificateURL: []string{"http://ca.example.net/ca.crt"},
		CRLDistributionPoints: []string{"http://crl.example.net/ca.crl"},
		Policies:              []x509.OID{dvPolicy(t)},
		ExtraExtensions:       []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}, Value: sctList(t)}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sctList is a signed certificate timestamp list holding one SCT (RFC
// 6962, 3.2): version 0, a log id of 0xab bytes, 2023-11-14 22:13 UTC, no
// extensions, a 4-byte signature; TLS-encoded, inside an OCTET STRING.
func sctList(t testing.TB) []byte {
	sct := []byte{0}
	sct = append(sct, bytes.Repeat([]byte{0xab}, 32)...)
	sct = append(sct, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00) // 1700000000000 ms
	sct = append(sct, 0, 0, 4, 3, 0, 4, 1, 2, 3, 4)
	list := append([]byte{0, byte(len(sct))}, sct...)
	list = append([]byte{0, byte(len(list))}, list...)
	der, err := asn1.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// dvPolicy is the CA/Browser Forum's domain-validated policy.
func dvPolicy(t testing.TB) x509.OID {
	oid, err := x509.OIDFromInts([]uint64{2, 23, 140, 1, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	return oid
}

// find returns the first field named name, depth first.
func find(fs []trace.Field, name string) *trace.Field {
	for i := range fs {
		if fs[i].Name == name {
			return &fs[i]
		}
		if f := find(fs[i].Children, name); f != nil {
			return f
		}
	}
	return nil
}

func TestAnnotateAgreesWithCryptoX509(t *testing.T) {
	for _, tt := range []struct {
		name string
		isCA bool
		bc   string
	}{
		{"leaf", false, "CA: false"},
		{"authority", true, "CA: true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCert(t, tt.isCA)
			const base = 7
			fields := Annotate(c.Raw, base)
			checkBounds(t, len(c.Raw)+base, fields)
			if find(fields, "unreadable") != nil {
				t.Fatalf("unreadable: %+v", find(fields, "unreadable"))
			}
			want := map[string]string{
				"certificate":           c.Subject.String(),
				"version":               "v3 (2)",
				"serial number":         c.SerialNumber.Text(16),
				"issuer":                c.Issuer.String(),
				"subject":               c.Subject.String(),
				"not before":            c.NotBefore.UTC().Format("2006-01-02 15:04:05 UTC") + " (UTCTime)",
				"not after":             c.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC") + " (GeneralizedTime)",
				"DNS name":              c.DNSNames[0],
				"IP address":            c.IPAddresses[0].String(),
				"CN (common name)":      "www.example.com",
				"subject public key":    "65 bytes: ",
				"signature algorithm":   "ecdsa-with-SHA256",
				"basicConstraints":      tt.bc,
				"keyUsage":              "digitalSignature",
				"extKeyUsage":           "serverAuth",
				"subjectAltName":        "www.example.com, example.com, 192.0.2.1",
				"algorithm":             "ecdsa-with-SHA256 (1.2.840.10045.4.3.2)",
				"signature":             "bytes: the issuer's signature",
				"authorityInfoAccess":   "OCSP http://ocsp.example.net, caIssuers http://ca.example.net/ca.crt",
				"cRLDistributionPoints": "the revocation list: http://crl.example.net/ca.crl",
				"certificatePolicies":   "domain validated",
				"access method":         "OCSP (1.3.6.1.5.5.7.48.1)",
				"URI":                   "http://crl.example.net/ca.crl",
				"policy identifier":     "domain validated (2.23.140.1.2.1)",
			}
			for name, v := range want {
				f := find(fields, name)
				if f == nil {
					t.Errorf("no field %q", name)
					continue
				}
				if !strings.Contains(f.Value, v) {
					t.Errorf("%s = %q, want it to hold %q", name, f.Value, v)
				}
			}
			// The signature field covers the signature's bytes.
			sig := find(fields, "signature")
			if got := c.Raw[sig.Offset-base+sig.Length-len(c.Signature) : sig.Offset-base+sig.Length]; string(got) != string(c.Signature) {
				t.Error("the signature field does not end with the signature")
			}
			tbs := find(fields, "signed part (tbsCertificate)")
			if string(c.Raw[tbs.Offset-base:tbs.Offset-base+tbs.Length]) != string(c.RawTBSCertificate) {
				t.Error("the signed part's bytes are not crypto/x509's RawTBSCertificate")
			}
		})
	}
}

func TestAnnotateBadInput(t *testing.T) {
	good := newCert(t, false).Raw
	for _, tt := range []struct {
		name string
		der  []byte
		want string
	}{
		{"empty", nil, "unreadable"},
		{"not a sequence", []byte{0x02, 0x01, 0x00}, "tag 0x02"},
		{"cut short", good[:len(good)/2], "unreadable"},
		{"long length", []byte{0x30, 0x84, 1, 0, 0, 0}, "a length of 4 bytes"},
		{"multi-byte tag", []byte{0x1f, 0x01, 0x00}, "multi-byte tag"},
		{"trailing", append(append([]byte{}, good...), 0, 0), "trailing bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fields := Annotate(tt.der, 0)
			checkBounds(t, len(tt.der), fields)
			var all strings.Builder
			walk(fields, func(f trace.Field) { all.WriteString(f.Name + "=" + f.Value + "\n") })
			if !strings.Contains(all.String(), tt.want) {
				t.Errorf("annotation lacks %q:\n%s", tt.want, all.String())
			}
		})
	}
}

func walk(fs []trace.Field, fn func(trace.Field)) {
	for _, f := range fs {
		fn(f)
		walk(f.Children, fn)
	}
}

func checkBounds(t *testing.T, n int, fields []trace.Field) {
	t.Helper()
	walk(fields, func(f trace.Field) {
		if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > n {
			t.Errorf("field %q at %d+%d is outside %d bytes", f.Name, f.Offset, f.Length, n)
		}
	})
}

// FuzzAnnotate feeds the certificate annotator arbitrary bytes: it must
// never panic, and every field must lie inside the bytes.
func FuzzAnnotate(f *testing.F) {
	leaf := newCert(f, false).Raw
	f.Add(leaf)
	f.Add(newCert(f, true).Raw)
	f.Add(leaf[:100])
	f.Add([]byte{0x30, 0x03, 0x30, 0x01, 0x00})
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, der []byte) {
		checkBounds(t, len(der), Annotate(der, 0))
	})
}
