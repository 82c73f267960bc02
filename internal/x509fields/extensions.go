package x509fields

import (
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"

	"journey/internal/trace"
)

// extensions annotates the [3] extensions: each one's OID, whether it is
// critical, and its value, decoded for the ones a client checks.
func (a *annotator) extensions(e tlv) (trace.Field, error) {
	f := a.field(e, "extensions", "")
	seq, err := read(a.b, e.content(), e.end())
	if err != nil || seq.tag != tagSequence {
		return f, fmt.Errorf("extensions: %v", orEmpty(err))
	}
	exts, err := children(a.b, seq, maxExtensions)
	if err != nil {
		return f, fmt.Errorf("extensions: %w", err)
	}
	f.Value = fmt.Sprintf("%d extensions", len(exts))
	for _, x := range exts {
		parts, err := children(a.b, x, 3)
		if err != nil || len(parts) < 2 {
			return f, fmt.Errorf("extension: %v", orEmpty(err))
		}
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(a.raw(parts[0]), &oid); err != nil {
			return f, fmt.Errorf("extension: %w", err)
		}
		ef := a.field(x, oidName(oid), "")
		ef.Children = append(ef.Children, a.field(parts[0], "extension id", fmt.Sprintf("%s (%s)", oidName(oid), oid)))
		val := parts[len(parts)-1]
		if len(parts) == 3 {
			var crit bool
			if _, err := asn1.Unmarshal(a.raw(parts[1]), &crit); err != nil {
				return f, fmt.Errorf("extension %s, critical: %w", oidName(oid), err)
			}
			ef.Children = append(ef.Children, a.field(parts[1], "critical", fmt.Sprint(crit)))
			if crit {
				ef.Value = "critical: a client that cannot read it must refuse the certificate; "
			}
		}
		if val.tag != tagOctetString {
			return f, fmt.Errorf("extension %s: its value is not an OCTET STRING", oidName(oid))
		}
		vf := a.field(val, "value", "")
		vf.Value, vf.Children = a.extensionValue(oid, val)
		ef.Value += vf.Value
		ef.Children = append(ef.Children, vf)
		f.Children = append(f.Children, ef)
	}
	return f, nil
}

// extensionValue decodes the extensions a client acts on.
func (a *annotator) extensionValue(oid asn1.ObjectIdentifier, octets tlv) (string, []trace.Field) {
	inner, err := read(a.b, octets.content(), octets.end())
	if err != nil {
		return fmt.Sprintf("%d bytes", octets.n), nil
	}
	raw := a.raw(inner)
	switch oid.String() {
	case "2.5.29.17": // subjectAltName
		return a.subjectAltName(inner, raw)
	case "2.5.29.15": // keyUsage
		return a.keyUsage(inner, raw)
	case "2.5.29.19": // basicConstraints
		return a.basicConstraints(inner, raw)
	case "2.5.29.37": // extKeyUsage
		return a.extKeyUsage(inner, raw)
	case "1.3.6.1.5.5.7.1.1": // authorityInfoAccess
		return a.accessDescriptions(inner)
	case "2.5.29.31": // cRLDistributionPoints
		return a.distributionPoints(inner)
	case "2.5.29.32": // certificatePolicies
		return a.policies(inner)
	case "1.3.6.1.4.1.11129.2.4.2": // signedCertificateTimestampList
		return a.scts(inner)
	case "2.5.29.14": // subjectKeyIdentifier
		var id []byte
		if _, err := asn1.Unmarshal(raw, &id); err == nil {
			return hex.EncodeToString(id), nil
		}
	case "2.5.29.35": // authorityKeyIdentifier
		var aki struct {
			ID []byte `asn1:"optional,tag:0"`
		}
		if _, err := asn1.Unmarshal(raw, &aki); err == nil && len(aki.ID) > 0 {
			var kids []trace.Field
			if parts, err := children(a.b, inner, 3); err == nil && len(parts) > 0 && parts[0].tag == 0x80 {
				kids = append(kids, a.field(parts[0], "key identifier", hex.EncodeToString(aki.ID)))
			}
			return "the issuer's key: " + hex.EncodeToString(aki.ID), kids
		}
	}
	return fmt.Sprintf("%d bytes", octets.n), nil
}

// subjectAltName reads the names the certificate is good for.
func (a *annotator) subjectAltName(inner tlv, raw []byte) (string, []trace.Field) {
	names, err := children(a.b, inner, maxNameParts)
	var vals []string
	var kids []trace.Field
	for _, n := range names {
		v := a.b[n.content():n.end()]
		var label, s string
		switch n.tag {
		case 0x82:
			label, s = "DNS name", string(v)
		case 0x87:
			label, s = "IP address", net.IP(v).String()
		case 0x81:
			label, s = "email", string(v)
		case 0x86:
			label, s = "URI", string(v)
		default:
			label, s = fmt.Sprintf("name of kind [%d]", n.tag&0x1f), fmt.Sprintf("%d bytes", n.n)
		}
		vals = append(vals, s)
		kids = append(kids, a.field(n, label, s))
	}
	v := "the names this certificate is good for: " + strings.Join(vals, ", ")
	if err != nil {
		v += " (then unreadable: " + err.Error() + ")"
	}
	return v, kids
}

// keyUsage reads what the key may do, one field per bit.
func (a *annotator) keyUsage(inner tlv, raw []byte) (string, []trace.Field) {
	var bits asn1.BitString
	if _, err := asn1.Unmarshal(raw, &bits); err != nil {
		return "unreadable: " + err.Error(), nil
	}
	names := []string{"digitalSignature", "contentCommitment (nonRepudiation)", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}
	var on []string
	kids := a.bitString(inner)
	for i, n := range names {
		set := bits.At(i) == 1
		if set {
			on = append(on, n)
		}
		// Each bit sits in the byte after the count of unused bits; DER
		// leaves off trailing zero bytes, so a bit past the end is
		// shown on the last byte, as Wireshark does, and is false.
		byteOff := min(inner.content()+1+i/8, inner.end()-1)
		if byteOff > inner.content() {
			kids = append(kids, trace.Field{Name: n, Offset: a.base + byteOff, Length: 1, Value: fmt.Sprintf("bit %d: %t", i, set)})
		}
	}
	return "what the key may do: " + strings.Join(on, ", "), kids
}

// basicConstraints reads whether the certificate is an authority, and how deep below it a chain may go.
func (a *annotator) basicConstraints(inner tlv, raw []byte) (string, []trace.Field) {
	var bc struct {
		IsCA       bool `asn1:"optional"`
		MaxPathLen int  `asn1:"optional,default:-1"`
	}
	if _, err := asn1.Unmarshal(raw, &bc); err != nil {
		return "unreadable: " + err.Error(), nil
	}
	var kids []trace.Field
	if parts, err := children(a.b, inner, 2); err == nil {
		for _, p := range parts {
			switch p.tag {
			case tagBoolean:
				kids = append(kids, a.field(p, "cA", fmt.Sprint(bc.IsCA)))
			case tagInteger:
				kids = append(kids, a.field(p, "path length constraint", fmt.Sprintf("%d: at most that many authorities below this one", bc.MaxPathLen)))
			}
		}
	}
	if !bc.IsCA {
		return "CA: false (it cannot sign other certificates)", kids
	}
	if bc.MaxPathLen >= 0 {
		return fmt.Sprintf("CA: true, path length at most %d", bc.MaxPathLen), kids
	}
	return "CA: true (it may sign other certificates)", kids
}

// extKeyUsage reads the purposes the key may serve (serverAuth for a web server).
func (a *annotator) extKeyUsage(inner tlv, raw []byte) (string, []trace.Field) {
	var oids []asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(raw, &oids); err != nil {
		return "unreadable: " + err.Error(), nil
	}
	var ns []string
	var kids []trace.Field
	ids, _ := children(a.b, inner, maxNameParts)
	for i, o := range oids {
		ns = append(ns, oidName(o))
		if i < len(ids) {
			kids = append(kids, a.field(ids[i], "key purpose", fmt.Sprintf("%s (%s)", oidName(o), o)))
		}
	}
	return strings.Join(ns, ", "), kids
}

// accessDescriptions reads authorityInfoAccess: where to fetch the
// issuer's certificate and where to ask whether this one is revoked.
func (a *annotator) accessDescriptions(e tlv) (string, []trace.Field) {
	descs, err := children(a.b, e, maxNameParts)
	var kids []trace.Field
	var vals []string
	for _, d := range descs {
		parts, err := children(a.b, d, 2)
		if err != nil || len(parts) != 2 {
			break
		}
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(a.raw(parts[0]), &oid); err != nil {
			break
		}
		loc := generalName(a.b, parts[1])
		f := a.field(d, "access description", oidName(oid)+": "+loc)
		f.Children = []trace.Field{a.field(parts[0], "access method", fmt.Sprintf("%s (%s)", oidName(oid), oid)), a.field(parts[1], "access location", loc)}
		kids = append(kids, f)
		vals = append(vals, oidName(oid)+" "+loc)
	}
	return orUnreadable(strings.Join(vals, ", "), err), kids
}

// distributionPoints reads cRLDistributionPoints: where the issuer
// publishes the list of certificates it revoked.
func (a *annotator) distributionPoints(e tlv) (string, []trace.Field) {
	points, err := children(a.b, e, maxNameParts)
	var kids []trace.Field
	var vals []string
	for _, p := range points {
		f := a.field(p, "distribution point", "")
		var uris []string
		a.eachName(p, 0, func(n tlv) {
			u := generalName(a.b, n)
			uris = append(uris, u)
			f.Children = append(f.Children, a.field(n, "URI", u))
		})
		f.Value = strings.Join(uris, ", ")
		vals = append(vals, uris...)
		kids = append(kids, f)
	}
	return orUnreadable("the revocation list: "+strings.Join(vals, ", "), err), kids
}

// eachName calls fn for every context-tagged IA5String (a URI, a DNS name)
// found under e, at most depth 4 deep: the distribution point's names sit
// under two or three explicit tags.
func (a *annotator) eachName(e tlv, depth int, fn func(tlv)) {
	if depth > 4 || e.tag&0x20 == 0 {
		return
	}
	kids, _ := children(a.b, e, maxNameParts)
	for _, k := range kids {
		if k.tag == 0x86 || k.tag == 0x82 {
			fn(k)
			continue
		}
		a.eachName(k, depth+1, fn)
	}
}

// policies reads certificatePolicies: the rules the issuer says it
// followed (for a web certificate, how the domain was validated).
func (a *annotator) policies(e tlv) (string, []trace.Field) {
	infos, err := children(a.b, e, maxNameParts)
	var kids []trace.Field
	var vals []string
	for _, info := range infos {
		parts, err := children(a.b, info, 2)
		if err != nil || len(parts) == 0 {
			break
		}
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(a.raw(parts[0]), &oid); err != nil {
			break
		}
		f := a.field(info, "policy information", policyName(oid))
		f.Children = []trace.Field{a.field(parts[0], "policy identifier", fmt.Sprintf("%s (%s)", policyName(oid), oid))}
		if len(parts) == 2 {
			f.Children = append(f.Children, a.field(parts[1], "policy qualifiers", fmt.Sprintf("%d bytes", parts[1].n)))
		}
		kids = append(kids, f)
		vals = append(vals, policyName(oid))
	}
	return orUnreadable(strings.Join(vals, ", "), err), kids
}

// scts reads the signed certificate timestamps (RFC 6962, 3.3): proofs that
// the certificate was logged publicly, which browsers require. The list is
// TLS-encoded inside an OCTET STRING: a 2-byte length, then each SCT with
// its own 2-byte length.
func (a *annotator) scts(e tlv) (string, []trace.Field) {
	if e.tag != tagOctetString || e.n < 2 {
		return fmt.Sprintf("%d bytes", e.n), nil
	}
	b := a.b[e.content():e.end()]
	off := 2
	var kids []trace.Field
	for off+2 <= len(b) && len(kids) < maxNameParts {
		n := int(b[off])<<8 | int(b[off+1])
		if off+2+n > len(b) {
			break
		}
		v := fmt.Sprintf("%d bytes", n)
		if n >= 41 && b[off+2] == 0 { // v1: version, log id (32), timestamp (8)
			ms := int64(0)
			for _, x := range b[off+35 : off+43] {
				ms = ms<<8 | int64(x)
			}
			v = fmt.Sprintf("log %s…, logged %s", hex.EncodeToString(b[off+3:off+11]), time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 UTC"))
		}
		kids = append(kids, trace.Field{Name: "signed certificate timestamp", Offset: a.base + e.content() + off, Length: 2 + n, Value: v})
		off += 2 + n
	}
	return fmt.Sprintf("%d timestamp(s) from public certificate logs, which browsers require", len(kids)), kids
}

// generalName says a GeneralName's value: a URI, a DNS name, an address.
func generalName(b []byte, n tlv) string {
	v := b[n.content():n.end()]
	switch n.tag {
	case 0x86, 0x82, 0x81:
		return string(v)
	case 0x87:
		return net.IP(v).String()
	}
	return fmt.Sprintf("name of kind [%d], %d bytes", n.tag&0x1f, n.n)
}

func orUnreadable(v string, err error) string {
	if err != nil {
		return v + " (then unreadable: " + err.Error() + ")"
	}
	return v
}

// policyName names the CA/Browser Forum's validation policies.
func policyName(oid asn1.ObjectIdentifier) string {
	switch oid.String() {
	case "2.23.140.1.2.1":
		return "domain validated"
	case "2.23.140.1.2.2":
		return "organization validated"
	case "2.23.140.1.2.3":
		return "individual validated"
	case "2.23.140.1.1":
		return "extended validation"
	case "2.5.29.32.0":
		return "any policy"
	}
	return oidName(oid)
}
