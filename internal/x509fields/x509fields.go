// Package x509fields annotates a certificate's DER bytes field by field, as
// X.509 (RFC 5280, section 4.1) lays them out and as Wireshark's dissector
// shows them: the signed part (version, serial number, signature
// algorithm, issuer, validity, subject, public key, extensions), then the
// signature algorithm and the signature over it.
//
// The bytes come from a server: nothing is trusted. The structure is walked
// with a small DER reader that keeps every field's offset; the primitive
// values (object identifiers, times, integers) are read by encoding/asn1.
// What cannot be read is named as such, and the walk stops; it never
// panics.
package x509fields

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"journey/internal/trace"
)

// Bounds on what one certificate can make the annotator build.
const (
	// maxNameParts bounds the attributes read from one name, and the names
	// in one subjectAltName: real certificates carry a handful; public CAs
	// cap SANs at a few hundred (Let's Encrypt: 100).
	maxNameParts = 256
	// maxExtensions bounds the extensions read: a web certificate carries
	// about ten.
	maxExtensions = 64
	// maxShown bounds a hex value written out in a field's value (a key, a
	// signature): longer ones are cut, their length said.
	maxShown = 32
)

// tlv is one DER element: its tag byte, where it starts, the length of its
// tag and length bytes, and the length of its contents.
type tlv struct {
	tag byte
	off int // offset of the tag byte in the certificate
	hdr int // tag and length bytes
	n   int // content bytes
}

func (e tlv) end() int     { return e.off + e.hdr + e.n }
func (e tlv) content() int { return e.off + e.hdr }

var errShort = errors.New("element runs past its container")

// Tag bytes read here (X.690, section 8).
const (
	tagBoolean     = 0x01
	tagInteger     = 0x02
	tagBitString   = 0x03
	tagOctetString = 0x04
	tagOID         = 0x06
	tagSequence    = 0x30
	tagSet         = 0x31
)

// read reads the element at off, which must end by limit.
func read(b []byte, off, limit int) (tlv, error) {
	if off+2 > limit {
		return tlv{}, errShort
	}
	e := tlv{tag: b[off], off: off}
	if e.tag&0x1f == 0x1f {
		return tlv{}, errors.New("a multi-byte tag, which X.509 does not use")
	}
	l := int(b[off+1])
	e.hdr = 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 3 {
			return tlv{}, fmt.Errorf("a length of %d bytes (DER allows 1 to 3 in a certificate)", k)
		}
		if off+2+k > limit {
			return tlv{}, errShort
		}
		l = 0
		for _, x := range b[off+2 : off+2+k] {
			l = l<<8 | int(x)
		}
		e.hdr += k
	}
	e.n = l
	if e.end() > limit {
		return tlv{}, errShort
	}
	return e, nil
}

// children reads the elements inside a constructed element, in order.
func children(b []byte, e tlv, max int) ([]tlv, error) {
	var out []tlv
	for off := e.content(); off < e.end(); {
		if len(out) == max {
			return out, fmt.Errorf("more than %d elements", max)
		}
		c, err := read(b, off, e.end())
		if err != nil {
			return out, err
		}
		out = append(out, c)
		off = c.end()
	}
	return out, nil
}

// Annotate returns the fields of the DER certificate der, their offsets
// shifted by base (where der starts in the message shown). It never fails:
// what cannot be read is one last field saying why.
func Annotate(der []byte, base int) []trace.Field {
	a := &annotator{b: der, base: base}
	f, err := a.certificate()
	if err != nil {
		a.bad(&f, err)
	}
	return []trace.Field{f}
}

type annotator struct {
	b    []byte
	base int
}

func (a *annotator) field(e tlv, name, value string) trace.Field {
	return trace.Field{Name: name, Offset: a.base + e.off, Length: e.hdr + e.n, Value: value}
}

// bad appends, to f, a field naming what could not be read.
func (a *annotator) bad(f *trace.Field, err error) {
	if f.Name == "" {
		f.Name, f.Offset, f.Length = "certificate", a.base, len(a.b)
	}
	f.Children = append(f.Children, trace.Field{Name: "unreadable", Offset: f.Offset, Length: f.Length, Value: err.Error()})
}

// expect reads the element at off and checks its tag.
func (a *annotator) expect(off, limit int, tag byte, what string) (tlv, error) {
	e, err := read(a.b, off, limit)
	if err != nil {
		return e, fmt.Errorf("%s: %w", what, err)
	}
	if e.tag != tag {
		return e, fmt.Errorf("%s: tag 0x%02x where 0x%02x belongs", what, e.tag, tag)
	}
	return e, nil
}

func (a *annotator) raw(e tlv) []byte { return a.b[e.off:e.end()] }

func (a *annotator) certificate() (trace.Field, error) {
	cert, err := a.expect(0, len(a.b), tagSequence, "Certificate")
	if err != nil {
		return trace.Field{}, err
	}
	f := a.field(cert, "certificate", "")
	if cert.end() != len(a.b) {
		f.Children = append(f.Children, trace.Field{Name: "trailing bytes", Offset: a.base + cert.end(), Length: len(a.b) - cert.end()})
	}
	parts, err := children(a.b, cert, 3)
	if err != nil || len(parts) != 3 {
		if err == nil {
			err = fmt.Errorf("%d parts where X.509 has 3", len(parts))
		}
		return f, fmt.Errorf("Certificate: %w", err)
	}
	tbs, subject, err := a.tbs(parts[0])
	f.Children = append(f.Children, tbs)
	f.Value = subject
	if err != nil {
		return f, err
	}
	alg, err := a.algorithm(parts[1], "signature algorithm")
	if err != nil {
		return f, err
	}
	alg.Value += " (the issuer's, over the signed part)"
	f.Children = append(f.Children, alg)
	if parts[2].tag != tagBitString {
		return f, errors.New("signatureValue: not a BIT STRING")
	}
	sig := a.field(parts[2], "signature", fmt.Sprintf("%d bytes: the issuer's signature over the signed part", max(parts[2].n-1, 0)))
	sig.Children = a.bitString(parts[2])
	f.Children = append(f.Children, sig)
	return f, nil
}

// tbs annotates the TBSCertificate: the part the issuer signs.
func (a *annotator) tbs(e tlv) (trace.Field, string, error) {
	f := a.field(e, "signed part (tbsCertificate)", "what the issuer signed")
	if e.tag != tagSequence {
		return f, "", errors.New("tbsCertificate: not a SEQUENCE")
	}
	parts, err := children(a.b, e, 11)
	if err != nil {
		return f, "", fmt.Errorf("tbsCertificate: %w", err)
	}
	i := 0
	next := func(what string) (tlv, error) {
		if i == len(parts) {
			return tlv{}, fmt.Errorf("tbsCertificate ends before its %s", what)
		}
		i++
		return parts[i-1], nil
	}
	if len(parts) > 0 && parts[0].tag == 0xa0 { // [0] EXPLICIT version
		v := parts[0]
		var n int
		if inner, err := read(a.b, v.content(), v.end()); err == nil {
			if _, err := asn1.Unmarshal(a.b[inner.off:inner.end()], &n); err != nil {
				return f, "", fmt.Errorf("version: %w", err)
			}
		}
		f.Children = append(f.Children, a.field(v, "version", fmt.Sprintf("v%d (%d)", n+1, n)))
		i++
	} else {
		f.Children = append(f.Children, trace.Field{Name: "version", Offset: a.base + e.content(), Value: "v1 (absent: the default)"})
	}
	serial, err := next("serial number")
	if err != nil {
		return f, "", err
	}
	var sn *big.Int
	if _, err := asn1.Unmarshal(a.raw(serial), &sn); err != nil {
		return f, "", fmt.Errorf("serial number: %w", err)
	}
	f.Children = append(f.Children, a.field(serial, "serial number", sn.Text(16)))
	algE, err := next("signature algorithm")
	if err != nil {
		return f, "", err
	}
	alg, err := a.algorithm(algE, "signature algorithm")
	if err != nil {
		return f, "", err
	}
	alg.Value += " (the issuer's, repeated inside the signed part)"
	f.Children = append(f.Children, alg)
	issuerE, err := next("issuer")
	if err != nil {
		return f, "", err
	}
	issuer, err := a.name(issuerE, "issuer")
	f.Children = append(f.Children, issuer)
	if err != nil {
		return f, "", err
	}
	valE, err := next("validity")
	if err != nil {
		return f, "", err
	}
	val, err := a.validity(valE)
	f.Children = append(f.Children, val)
	if err != nil {
		return f, "", err
	}
	subjE, err := next("subject")
	if err != nil {
		return f, "", err
	}
	subject, err := a.name(subjE, "subject")
	f.Children = append(f.Children, subject)
	if err != nil {
		return f, subject.Value, err
	}
	spkiE, err := next("subject public key info")
	if err != nil {
		return f, subject.Value, err
	}
	spki, err := a.publicKey(spkiE)
	f.Children = append(f.Children, spki)
	if err != nil {
		return f, subject.Value, err
	}
	for ; i < len(parts); i++ {
		p := parts[i]
		switch p.tag {
		case 0x81:
			f.Children = append(f.Children, a.field(p, "issuer unique ID", fmt.Sprintf("%d bytes", p.n)))
		case 0x82:
			f.Children = append(f.Children, a.field(p, "subject unique ID", fmt.Sprintf("%d bytes", p.n)))
		case 0xa3:
			ext, err := a.extensions(p)
			f.Children = append(f.Children, ext)
			if err != nil {
				return f, subject.Value, err
			}
		default:
			return f, subject.Value, fmt.Errorf("tbsCertificate: unexpected tag 0x%02x", p.tag)
		}
	}
	return f, subject.Value, nil
}

// algorithm annotates an AlgorithmIdentifier: the algorithm's OID and its
// parameters.
func (a *annotator) algorithm(e tlv, name string) (trace.Field, error) {
	f := a.field(e, name, "")
	if e.tag != tagSequence {
		return f, fmt.Errorf("%s: not a SEQUENCE", name)
	}
	parts, err := children(a.b, e, 2)
	if err != nil || len(parts) == 0 {
		return f, fmt.Errorf("%s: %v", name, orEmpty(err))
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(a.raw(parts[0]), &oid); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	f.Value = oidName(oid)
	f.Children = append(f.Children, a.field(parts[0], "algorithm", fmt.Sprintf("%s (%s)", oidName(oid), oid)))
	if len(parts) == 2 {
		p := parts[1]
		v := "NULL"
		if p.tag == tagOID {
			var po asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(a.raw(p), &po); err == nil {
				v = fmt.Sprintf("%s (%s)", oidName(po), po)
				f.Value += ", " + oidName(po)
			}
		} else if p.tag != 0x05 {
			v = fmt.Sprintf("%d bytes", p.n)
		}
		f.Children = append(f.Children, a.field(p, "parameters", v))
	}
	return f, nil
}

func orEmpty(err error) error {
	if err == nil {
		return errors.New("empty")
	}
	return err
}

// name annotates an X.501 Name: a sequence of sets of attribute and value.
func (a *annotator) name(e tlv, label string) (trace.Field, error) {
	f := a.field(e, label, "")
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a.raw(e), &rdns); err != nil || len(rest) > 0 {
		return f, fmt.Errorf("%s: %v", label, orEmpty(err))
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdns)
	f.Value = n.String() // as crypto/x509 says it, so the two can be compared
	sets, err := children(a.b, e, maxNameParts)
	if err != nil {
		return f, fmt.Errorf("%s: %w", label, err)
	}
	for _, set := range sets {
		atvs, err := children(a.b, set, maxNameParts)
		if err != nil {
			return f, fmt.Errorf("%s: %w", label, err)
		}
		// Each part of a name is a set of attributes (almost always one):
		// the set is a field, as Wireshark's RDNSequence item.
		rdn := a.field(set, "relative distinguished name", fmt.Sprintf("%d attribute(s)", len(atvs)))
		outer := f.Children
		f.Children = nil
		for _, atv := range atvs {
			var v struct {
				Type  asn1.ObjectIdentifier
				Value any
			}
			if _, err := asn1.Unmarshal(a.raw(atv), &v); err != nil {
				return f, fmt.Errorf("%s: %w", label, err)
			}
			af := a.field(atv, attributeName(v.Type), fmt.Sprint(v.Value))
			if kids, err := children(a.b, atv, 2); err == nil && len(kids) == 2 {
				af.Children = []trace.Field{
					a.field(kids[0], "type", fmt.Sprintf("%s (%s)", attributeName(v.Type), v.Type)),
					a.field(kids[1], "value", fmt.Sprintf("%s (%s)", fmt.Sprint(v.Value), stringKind(kids[1].tag))),
				}
			}
			f.Children = append(f.Children, af)
		}
		rdn.Children = f.Children
		f.Children = append(outer, rdn)
	}
	return f, nil
}

// validity annotates the two times between which the certificate holds.
func (a *annotator) validity(e tlv) (trace.Field, error) {
	f := a.field(e, "validity", "")
	parts, err := children(a.b, e, 2)
	if err != nil || len(parts) != 2 {
		return f, fmt.Errorf("validity: %v", orEmpty(err))
	}
	var ts [2]time.Time
	for i, label := range []string{"not before", "not after"} {
		if _, err := asn1.Unmarshal(a.raw(parts[i]), &ts[i]); err != nil {
			return f, fmt.Errorf("validity, %s: %w", label, err)
		}
		kind := "UTCTime"
		if parts[i].tag == 0x18 {
			kind = "GeneralizedTime"
		}
		f.Children = append(f.Children, a.field(parts[i], label, ts[i].UTC().Format("2006-01-02 15:04:05 UTC")+" ("+kind+")"))
	}
	f.Value = fmt.Sprintf("%s to %s", ts[0].UTC().Format("2006-01-02"), ts[1].UTC().Format("2006-01-02"))
	return f, nil
}

// publicKey annotates the SubjectPublicKeyInfo: the key's algorithm and
// the key itself.
func (a *annotator) publicKey(e tlv) (trace.Field, error) {
	f := a.field(e, "subject public key info", "")
	parts, err := children(a.b, e, 2)
	if err != nil || len(parts) != 2 {
		return f, fmt.Errorf("subject public key info: %v", orEmpty(err))
	}
	alg, err := a.algorithm(parts[0], "algorithm")
	if err != nil {
		return f, err
	}
	f.Children = append(f.Children, alg)
	if parts[1].tag != tagBitString {
		return f, errors.New("subject public key: not a BIT STRING")
	}
	key := a.b[parts[1].content():parts[1].end()]
	if len(key) > 0 {
		key = key[1:] // the count of unused bits
	}
	f.Value = fmt.Sprintf("%s, %d-byte key", alg.Value, len(key))
	pk := a.field(parts[1], "subject public key", fmt.Sprintf("%d bytes: %s", len(key), shortHex(key)))
	pk.Children = a.bitString(parts[1])
	f.Children = append(f.Children, pk)
	return f, nil
}

func shortHex(b []byte) string {
	if len(b) > maxShown {
		return hex.EncodeToString(b[:maxShown]) + "…"
	}
	return hex.EncodeToString(b)
}

// bitString names a BIT STRING's first content byte: the count of unused
// bits at its end (X.690, 8.6.2), which Wireshark calls padding.
func (a *annotator) bitString(e tlv) []trace.Field {
	if e.n == 0 {
		return nil
	}
	return []trace.Field{{Name: "padding (unused bits)", Offset: a.base + e.content(), Length: 1, Value: fmt.Sprint(a.b[e.content()])}}
}
