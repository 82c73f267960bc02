// Package tlswire reads TLS as it crosses the wire: the records, the
// handshake messages inside them, every field named as Wireshark's
// dissector names it, and, with the secrets crypto/tls hands to
// Config.KeyLogWriter, the plaintext of the encrypted records.
//
// journey is the client: it holds its own session's secrets, so it can show
// what an onlooker cannot: the certificate TLS 1.3 hides, the signature and
// the Finished MAC that prove the server's identity, and the HTTP bytes
// inside the application data records. The encrypted bytes are kept as
// they crossed the wire; the plaintext is laid at the same offsets (an AEAD
// cipher's ciphertext is as long as its plaintext), so every decrypted
// field points at the wire bytes that carried it.
//
// A Conn reads one connection, each side's bytes in order, in as many
// pieces as they were captured. The bytes are the peer's: anything short
// or odd is named, never trusted, and nothing here panics.
package tlswire

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"strings"

	"journey/internal/trace"
)

// Side is one direction of a connection.
type Side int

const (
	Client Side = iota // what the client sent
	Server             // what the server sent
)

func (s Side) String() string {
	if s == Client {
		return "client"
	}
	return "server"
}

// TLS record content types (RFC 8446, section 5.1).
const (
	RecordChangeCipherSpec = 20
	RecordAlert            = 21
	RecordHandshake        = 22
	RecordApplicationData  = 23
)

// Bounds on what one capture can make the reader build.
const (
	// maxRecords bounds the records annotated in one piece, so a peer
	// sending thousands of tiny records cannot blow up the trace.
	maxRecords = 512
	// maxRecordLen is the longest record payload TLS allows: 2^14 bytes of
	// plaintext plus 256 of expansion (RFC 8446, section 5.2).
	maxRecordLen = 1<<14 + 256
	// tagLen is the authentication tag of every AEAD suite journey reads.
	tagLen = 16
	// gcmExplicitNonce is the per-record nonce a TLS 1.2 GCM record
	// carries (RFC 5288, section 3).
	gcmExplicitNonce = 8
	// previewLen bounds the text shown of application data in a field's
	// value; the whole plaintext is in the decrypted bytes.
	previewLen = 60
)

var recordTypeNames = map[byte]string{
	RecordChangeCipherSpec: "ChangeCipherSpec",
	RecordAlert:            "Alert",
	RecordHandshake:        "Handshake",
	RecordApplicationData:  "Application Data",
}

func recordTypeName(t byte) string {
	if n, ok := recordTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("unknown (%d)", t)
}

// VersionName names a protocol version as TLS writes it.
func VersionName(v uint16) string {
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
	if v&0x0f0f == 0x0a0a {
		return fmt.Sprintf("GREASE (0x%04x)", v)
	}
	return fmt.Sprintf("0x%04x", v)
}

// Conn reads the records of one connection, both ways. Keys, when set,
// holds the connection's secrets: records are then decrypted once the
// hellos have said which version and cipher suite were agreed.
type Conn struct {
	Keys *KeyLog
	// ServerName is the host the client asked for, when known: the words
	// about the certificate say which name the client checks it against.
	ServerName string

	version      uint16 // agreed, from the ServerHello; 0 until then
	suite        uint16
	alpn         string // the protocol agreed, from the server's ALPN extension
	clientRandom []byte
	serverRandom []byte
	sides        [2]sideState
}

// sideState is where one direction stands.
type sideState struct {
	ccs       bool        // a ChangeCipherSpec was sent (TLS 1.2: what follows is encrypted)
	keys      *recordKeys // nil until known
	phase     int         // TLS 1.3: 0 before keys, 1 handshake keys, 2 application keys
	stopped   string      // why decryption stopped on this side
	decrypted int         // records decrypted
	frag      *fragment   // the start of a handshake message split across records
}

// Reading is what one piece of a side's bytes held.
type Reading struct {
	Fields []trace.Field
	// Decrypted is the bytes with each decrypted record's plaintext laid
	// over its ciphertext (same length as the bytes read); nil when
	// nothing was decrypted.
	Decrypted []byte
	// Carried says, record by record, what each carried: "Handshake:
	// Certificate", "Application Data (encrypted): EncryptedExtensions".
	Carried []string
	// Undecrypted says why encrypted records were left as they crossed the
	// wire (no secrets, a cipher suite journey does not read, a record that
	// failed its check); empty when every encrypted record was decrypted.
	Undecrypted string
}

// Version is the protocol version agreed, once the ServerHello is read.
func (c *Conn) Version() uint16 { return c.version }

// Read annotates the next piece of bytes side sent, in order after the
// pieces read before. A record cut at the piece's end is named as such.
func (c *Conn) Read(side Side, b []byte) Reading {
	var r Reading
	st := &c.sides[side]
	// A message split across records is joined within one piece: the
	// offsets of an earlier piece's part are not this piece's.
	st.frag = nil
	for off, count := 0, 0; off < len(b); count++ {
		if count == maxRecords {
			r.Fields = append(r.Fields, trace.Field{Name: "more records", Offset: off, Length: len(b) - off, Value: fmt.Sprintf("%d bytes not annotated (journey annotates %d records at most)", len(b)-off, maxRecords)})
			break
		}
		if len(b)-off < 5 {
			r.Fields = append(r.Fields, trace.Field{Name: "incomplete record header", Offset: off, Length: len(b) - off})
			break
		}
		typ := b[off]
		ver := binary.BigEndian.Uint16(b[off+1:])
		n := int(binary.BigEndian.Uint16(b[off+3:]))
		body := min(n, len(b)-off-5)
		name := recordTypeName(typ)
		// The value says what the record carried, then its size:
		// "encrypted: Certificate (1174 bytes)".
		f := trace.Field{Name: "TLS record: " + name, Offset: off, Length: 5 + body}
		size := fmt.Sprintf("%d bytes", n)
		f.Children = []trace.Field{
			{Name: "content type", Offset: off, Length: 1, Value: fmt.Sprintf("%s (%d)", name, typ)},
			{Name: "legacy version", Offset: off + 1, Length: 2, Value: VersionName(ver)},
			{Name: "length", Offset: off + 3, Length: 2, Value: fmt.Sprint(n)},
		}
		payload := b[off+5 : off+5+body]
		carried := name
		switch {
		case body < n:
			f.Children = append(f.Children, trace.Field{Name: "payload (cut short)", Offset: off + 5, Length: body, Value: fmt.Sprintf("%d of %d bytes captured", body, n)})
		case n > maxRecordLen:
			f.Children = append(f.Children, trace.Field{Name: "payload (too long)", Offset: off + 5, Length: body, Value: fmt.Sprintf("%d bytes: TLS allows %d at most", n, maxRecordLen)})
		case c.encrypted(side, typ):
			var kids []trace.Field
			var what string
			kids, what = c.decrypt(side, &r, b, off, typ, ver, payload)
			f.Children = append(f.Children, kids...)
			carried = name + " (encrypted)"
			if what != "" {
				carried += ": " + what
				f.Value = "encrypted: " + what
			} else {
				f.Value = "encrypted"
			}
		case typ == RecordHandshake:
			kids, names := c.handshake(side, payload, off+5)
			f.Children = append(f.Children, kids...)
			if len(names) > 0 {
				carried += ": " + strings.Join(names, ", ")
				f.Value = strings.Join(names, ", ")
			}
		case typ == RecordChangeCipherSpec:
			st.ccs = true
			v := "from here on, this side's records are encrypted"
			if c.version == tls.VersionTLS13 {
				v = "sent only for old middleboxes' sake: in TLS 1.3 it changes nothing (RFC 8446, appendix D.4)"
			}
			f.Children = append(f.Children, trace.Field{Name: "change cipher spec message", Offset: off + 5, Length: body, Value: v})
		case typ == RecordAlert && body == 2:
			f.Children = append(f.Children, alertFields(payload, off+5)...)
			carried += ": " + alertName(payload[0], payload[1])
			f.Value = alertName(payload[0], payload[1])
		case body > 0:
			f.Children = append(f.Children, trace.Field{Name: "payload", Offset: off + 5, Length: body, Value: fmt.Sprintf("%d bytes", body)})
		}
		if f.Value == "" {
			f.Value = size
		} else {
			f.Value += " (" + size + ")"
		}
		r.Carried = append(r.Carried, carried)
		r.Fields = append(r.Fields, f)
		off += 5 + body
	}
	return r
}

func alertFields(p []byte, base int) []trace.Field {
	level := "warning"
	if p[0] == 2 {
		level = "fatal"
	}
	return []trace.Field{{Name: "alert message", Offset: base, Length: 2, Value: alertName(p[0], p[1]), Children: []trace.Field{
		{Name: "alert level", Offset: base, Length: 1, Value: fmt.Sprintf("%s (%d)", level, p[0])},
		{Name: "alert description", Offset: base + 1, Length: 1, Value: fmt.Sprintf("%s (%d)", alertName(p[0], p[1])[len(level)+2:], p[1])},
	}}}
}

func alertName(level, desc byte) string {
	l := "warning"
	if level == 2 {
		l = "fatal"
	}
	names := map[byte]string{0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow", 40: "handshake_failure", 42: "bad_certificate",
		43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter",
		48: "unknown_ca", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 80: "internal_error", 90: "user_canceled",
		109: "missing_extension", 112: "unrecognized_name", 116: "certificate_required", 120: "no_application_protocol"}
	if n, ok := names[desc]; ok {
		return l + ": " + n
	}
	return fmt.Sprintf("%s: %d", l, desc)
}

// preview is the start of application data, as text when it is text.
func preview(b []byte) string {
	if p := firstLine(b); p != "" {
		return fmt.Sprintf("%d bytes: %q…", len(b), p)
	}
	return fmt.Sprintf("%d bytes", len(b))
}

// firstLine is b's first line when b starts with printable ASCII (an HTTP
// message does), cut at previewLen; empty otherwise.
func firstLine(b []byte) string {
	end := min(len(b), previewLen)
	for i, x := range b[:end] {
		if x == '\r' || x == '\n' {
			end = i
			break
		}
		if x < 0x20 || x > 0x7e {
			return ""
		}
	}
	return string(b[:end])
}

// WholeRecords is the length of b's longest prefix made of whole records:
// where a capture can be cut so that each piece holds only whole records.
func WholeRecords(b []byte) int {
	off := 0
	for len(b)-off >= 5 {
		n := 5 + int(binary.BigEndian.Uint16(b[off+3:]))
		if len(b)-off < n {
			break
		}
		off += n
	}
	return off
}
