package http

import (
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"journey/internal/trace"
)

// TLS record content types (RFC 8446, section 5.1).
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
)

// Handshake message types (RFC 8446, section 4).
const (
	handshakeClientHello = 1
	handshakeServerHello = 2
)

// maxRecordFields bounds the fields made from one capture, so a peer
// sending thousands of tiny records cannot blow up the trace.
const maxRecordFields = 512

var recordTypeNames = map[byte]string{
	recordChangeCipherSpec: "ChangeCipherSpec",
	recordAlert:            "Alert",
	recordHandshake:        "Handshake",
	recordApplicationData:  "Application Data",
}

var extensionNames = map[uint16]string{
	0: "server_name", 5: "status_request", 10: "supported_groups", 11: "ec_point_formats",
	13: "signature_algorithms", 16: "application_layer_protocol_negotiation",
	18: "signed_certificate_timestamp", 23: "extended_master_secret", 35: "session_ticket",
	41: "pre_shared_key", 42: "early_data", 43: "supported_versions", 45: "psk_key_exchange_modes",
	51: "key_share", 65281: "renegotiation_info",
}

func versionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// RecordFields annotates a byte stream of TLS records as one side sent
// them: each record's header (type, version, length) and, in the clear
// handshake records, the ClientHello's and ServerHello's main fields. The
// bytes are the peer's: anything short or odd is named, never trusted.
func RecordFields(b []byte) []trace.Field {
	var (
		fields    []trace.Field
		encrypted bool // after ChangeCipherSpec, handshake records are encrypted
		count     int
	)
	for off := 0; off < len(b); {
		if count++; count > maxRecordFields {
			fields = append(fields, trace.Field{Name: "more records", Offset: off, Length: len(b) - off, Value: fmt.Sprintf("%d bytes not annotated", len(b)-off)})
			break
		}
		if len(b)-off < 5 {
			fields = append(fields, trace.Field{Name: "incomplete record header", Offset: off, Length: len(b) - off})
			break
		}
		typ := b[off]
		ver := binary.BigEndian.Uint16(b[off+1:])
		n := int(binary.BigEndian.Uint16(b[off+3:]))
		body := min(n, len(b)-off-5)
		name, ok := recordTypeNames[typ]
		if !ok {
			name = fmt.Sprintf("unknown (%d)", typ)
		}
		f := trace.Field{Name: "TLS record: " + name, Offset: off, Length: 5 + body,
			Value: fmt.Sprintf("%s, %d bytes", name, n)}
		f.Children = []trace.Field{
			{Name: "content type", Offset: off, Length: 1, Value: fmt.Sprintf("%s (%d)", name, typ)},
			{Name: "legacy version", Offset: off + 1, Length: 2, Value: versionName(ver)},
			{Name: "length", Offset: off + 3, Length: 2, Value: fmt.Sprint(n)},
		}
		payload := b[off+5 : off+5+body]
		switch {
		case body < n:
			f.Children = append(f.Children, trace.Field{Name: "payload (cut short)", Offset: off + 5, Length: body, Value: fmt.Sprintf("%d of %d bytes captured", body, n)})
		case typ == recordHandshake && !encrypted:
			f.Children = append(f.Children, handshakeFields(payload, off+5)...)
		case typ == recordChangeCipherSpec:
			encrypted = true
			f.Children = append(f.Children, trace.Field{Name: "change cipher spec", Offset: off + 5, Length: body, Value: "from here on, this side's records are encrypted"})
		case typ == recordAlert && !encrypted && body == 2:
			f.Children = append(f.Children, trace.Field{Name: "alert", Offset: off + 5, Length: 2, Value: alertName(payload[0], payload[1])})
		case body > 0:
			f.Children = append(f.Children, trace.Field{Name: "encrypted payload", Offset: off + 5, Length: body})
		}
		if typ == recordApplicationData {
			encrypted = true
		}
		fields = append(fields, f)
		off += 5 + body
	}
	return fields
}

func alertName(level, desc byte) string {
	l := "warning"
	if level == 2 {
		l = "fatal"
	}
	names := map[byte]string{0: "close_notify", 10: "unexpected_message", 40: "handshake_failure", 42: "bad_certificate",
		43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
		48: "unknown_ca", 70: "protocol_version", 80: "internal_error", 112: "unrecognized_name", 120: "no_application_protocol"}
	if n, ok := names[desc]; ok {
		return l + ": " + n
	}
	return fmt.Sprintf("%s: %d", l, desc)
}

// cursor reads big-endian fields from untrusted bytes; any read past the
// end sets bad and returns zeros.
type cursor struct {
	b    []byte
	pos  int
	base int // offset of b[0] in the whole message
	bad  bool
}

func (c *cursor) take(n int) []byte {
	if c.bad || n < 0 || len(c.b)-c.pos < n {
		c.bad = true
		return nil
	}
	p := c.b[c.pos : c.pos+n]
	c.pos += n
	return p
}

func (c *cursor) uint(n int) int {
	v := 0
	for _, x := range c.take(n) {
		v = v<<8 | int(x)
	}
	return v
}

func (c *cursor) at() int { return c.base + c.pos }

// handshakeFields annotates the handshake messages in one record's payload.
func handshakeFields(p []byte, base int) []trace.Field {
	var fields []trace.Field
	c := &cursor{b: p, base: base}
	for c.pos < len(p) && !c.bad {
		start := c.at()
		typ := c.uint(1)
		n := c.uint(3)
		if c.bad || len(p)-c.pos < n {
			fields = append(fields, trace.Field{Name: "handshake message (incomplete or split across records)", Offset: start, Length: base + len(p) - start})
			return fields
		}
		msg := &cursor{b: c.take(n), base: c.at() - n}
		f := trace.Field{Offset: start, Length: 4 + n}
		head := []trace.Field{
			{Name: "handshake type", Offset: start, Length: 1, Value: fmt.Sprint(typ)},
			{Name: "length", Offset: start + 1, Length: 3, Value: fmt.Sprint(n)},
		}
		switch typ {
		case handshakeClientHello:
			f.Name, f.Value = "ClientHello", "the client's opening: what it can do"
			f.Children = append(head, helloFields(msg, true)...)
		case handshakeServerHello:
			f.Name, f.Value = "ServerHello", "the server's choices"
			f.Children = append(head, helloFields(msg, false)...)
		default:
			f.Name = fmt.Sprintf("handshake message type %d", typ)
			f.Children = head
		}
		fields = append(fields, f)
	}
	return fields
}

// helloFields annotates a ClientHello's or ServerHello's body.
func helloFields(c *cursor, client bool) []trace.Field {
	var fs []trace.Field
	add := func(name string, off, n int, value string) {
		if !c.bad {
			fs = append(fs, trace.Field{Name: name, Offset: off, Length: n, Value: value})
		}
	}
	off := c.at()
	v := c.uint(2)
	add("legacy version", off, 2, versionName(uint16(v)))
	off = c.at()
	random := c.take(32)
	add("random", off, 32, hex.EncodeToString(random))
	off = c.at()
	sid := c.uint(1)
	c.take(sid)
	add("session id", off, 1+sid, fmt.Sprintf("%d bytes", sid))
	if client {
		off = c.at()
		n := c.uint(2)
		suites := c.take(n)
		if !c.bad {
			f := trace.Field{Name: "cipher suites offered", Offset: off, Length: 2 + n, Value: fmt.Sprintf("%d suites", n/2)}
			for i := 0; i+1 < len(suites); i += 2 {
				id := binary.BigEndian.Uint16(suites[i:])
				f.Children = append(f.Children, trace.Field{Name: "cipher suite", Offset: off + 2 + i, Length: 2, Value: tls.CipherSuiteName(id)})
			}
			fs = append(fs, f)
		}
		off = c.at()
		n = c.uint(1)
		c.take(n)
		add("compression methods", off, 1+n, fmt.Sprintf("%d (only \"none\" is allowed)", n))
	} else {
		off = c.at()
		id := c.uint(2)
		add("cipher suite chosen", off, 2, tls.CipherSuiteName(uint16(id)))
		off = c.at()
		c.uint(1)
		add("compression method", off, 1, "none")
	}
	if c.bad || c.pos == len(c.b) {
		return fs
	}
	off = c.at()
	n := c.uint(2)
	ext := &cursor{b: c.take(n), base: off + 2}
	if c.bad {
		return fs
	}
	f := trace.Field{Name: "extensions", Offset: off, Length: 2 + n}
	for ext.pos < len(ext.b) && !ext.bad {
		eoff := ext.at()
		typ := uint16(ext.uint(2))
		l := ext.uint(2)
		data := &cursor{b: ext.take(l), base: eoff + 4}
		if ext.bad {
			break
		}
		name, ok := extensionNames[typ]
		if !ok {
			name = fmt.Sprintf("extension %d", typ)
		}
		e := trace.Field{Name: name, Offset: eoff, Length: 4 + l}
		e.Value, e.Children = extensionValue(typ, data, client)
		f.Children = append(f.Children, e)
	}
	return append(fs, f)
}

// extensionValue decodes the extensions worth reading: SNI, ALPN and
// supported versions.
func extensionValue(typ uint16, c *cursor, client bool) (string, []trace.Field) {
	var (
		vals []string
		kids []trace.Field
	)
	switch typ {
	case 0: // server_name: list of (type, name)
		if len(c.b) == 0 {
			return "(acknowledged)", nil
		}
		c.uint(2)
		for c.pos < len(c.b) && !c.bad {
			c.uint(1)
			off := c.at()
			n := c.uint(2)
			name := c.take(n)
			if !c.bad {
				vals = append(vals, string(name))
				kids = append(kids, trace.Field{Name: "host name", Offset: off, Length: 2 + n, Value: string(name)})
			}
		}
	case 16: // ALPN: list of length-prefixed protocol names
		c.uint(2)
		for c.pos < len(c.b) && !c.bad {
			off := c.at()
			n := c.uint(1)
			p := c.take(n)
			if !c.bad {
				vals = append(vals, string(p))
				kids = append(kids, trace.Field{Name: "protocol", Offset: off, Length: 1 + n, Value: string(p)})
			}
		}
	case 43: // supported_versions: a list in the ClientHello, one in the ServerHello
		if client {
			c.uint(1)
		}
		for c.pos+1 < len(c.b) && !c.bad {
			vals = append(vals, versionName(uint16(c.uint(2))))
		}
	}
	return strings.Join(vals, ", "), kids
}
