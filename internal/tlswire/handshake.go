package tlswire

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"

	"journey/internal/trace"
	"journey/internal/x509fields"
)

// Handshake message types (RFC 8446, section 4; RFC 5246, section 7.4).
const (
	msgClientHello         = 1
	msgServerHello         = 2
	msgNewSessionTicket    = 4
	msgEncryptedExtensions = 8
	msgCertificate         = 11
	msgServerKeyExchange   = 12
	msgCertificateRequest  = 13
	msgServerHelloDone     = 14
	msgCertificateVerify   = 15
	msgClientKeyExchange   = 16
	msgFinished            = 20
	msgKeyUpdate           = 24
)

var messageNames = map[int]string{
	0: "HelloRequest", msgClientHello: "ClientHello", msgServerHello: "ServerHello", msgNewSessionTicket: "NewSessionTicket",
	5: "EndOfEarlyData", msgEncryptedExtensions: "EncryptedExtensions", msgCertificate: "Certificate",
	msgServerKeyExchange: "ServerKeyExchange", msgCertificateRequest: "CertificateRequest", msgServerHelloDone: "ServerHelloDone",
	msgCertificateVerify: "CertificateVerify", msgClientKeyExchange: "ClientKeyExchange", msgFinished: "Finished",
	22: "CertificateStatus", msgKeyUpdate: "KeyUpdate", 254: "message_hash",
}

// maxCertificates bounds the certificates annotated in one Certificate
// message: real chains hold two to four; crypto/tls itself has no limit
// below the message's 16 MB, so this only bounds the work done here.
const maxCertificates = 16

// helloRetryRandom is the ServerHello random that makes it a
// HelloRetryRequest: SHA-256 of "HelloRetryRequest" (RFC 8446, 4.1.3).
var helloRetryRandom = func() []byte { h := sha256.Sum256([]byte("HelloRetryRequest")); return h[:] }()

// cursor reads big-endian fields from untrusted bytes; any read past the
// end sets bad and returns zeros.
type cursor struct {
	b    []byte
	pos  int
	base int // offset of b[0] in the whole capture
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

func (c *cursor) at() int    { return c.base + c.pos }
func (c *cursor) more() bool { return !c.bad && c.pos < len(c.b) }

// fields gathers the fields of one structure as a cursor walks it.
type fields struct {
	c  *cursor
	fs []trace.Field
}

// num reads an n-byte number as a field; value words it.
func (f *fields) num(n int, name string, value func(int) string) int {
	off := f.c.at()
	v := f.c.uint(n)
	if !f.c.bad {
		f.fs = append(f.fs, trace.Field{Name: name, Offset: off, Length: n, Value: value(v)})
	}
	return v
}

// bytes reads n bytes as a field; value words them.
func (f *fields) bytes(n int, name string, value func([]byte) string) []byte {
	off := f.c.at()
	b := f.c.take(n)
	if !f.c.bad {
		f.fs = append(f.fs, trace.Field{Name: name, Offset: off, Length: n, Value: value(b)})
	}
	return b
}

// vector reads a length prefix of n bytes, as its own field, and returns
// a cursor over the vector's contents.
func (f *fields) vector(n int, name string) *cursor {
	l := f.num(n, name+" length", func(v int) string { return fmt.Sprint(v) })
	off := f.c.at()
	b := f.c.take(l)
	if f.c.bad {
		return &cursor{bad: true}
	}
	return &cursor{b: b, base: off}
}

func decimal(v int) string     { return fmt.Sprint(v) }
func hexBytes(b []byte) string { return short(b) }
func count(b []byte) string    { return fmt.Sprintf("%d bytes", len(b)) }

// short is b in hex, cut past 32 bytes with its length said.
func short(b []byte) string {
	if len(b) > 32 {
		return fmt.Sprintf("%s… (%d bytes)", hex.EncodeToString(b[:32]), len(b))
	}
	return hex.EncodeToString(b)
}

func messageName(t int) string {
	if n, ok := messageNames[t]; ok {
		return n
	}
	return fmt.Sprintf("handshake message type %d", t)
}

// maxJoined bounds the bytes of a handshake message joined across records:
// crypto/tls accepts handshake messages of 64 KiB (its maxHandshake), which
// is also what journey captures of a handshake each way.
const maxJoined = 64 * 1024

// piece is one record's part of a handshake message joined across
// records: where it lies in the joined bytes and on the wire.
type piece struct{ joined, wire, n int }

// fragment is the start of a handshake message whose record ended before
// it did, kept until the next record of the same side completes it.
type fragment struct {
	b      []byte
	pieces []piece
}

// handshake annotates the handshake messages in one record's payload p
// (its plaintext, for an encrypted one), p starting at base. A message
// split across records (a long certificate chain) is joined and annotated
// in the record that completes it; its fields point at the wire bytes of
// each part, a field that straddles two records spanning the header
// between them. It returns the fields and the messages' names.
func (c *Conn) handshake(side Side, p []byte, base int) ([]trace.Field, []string) {
	st := &c.sides[side]
	buf := p
	pieces := []piece{{0, base, len(p)}}
	if fr := st.frag; fr != nil {
		st.frag = nil
		buf = append(append([]byte(nil), fr.b...), p...)
		pieces = append(append([]piece(nil), fr.pieces...), piece{len(fr.b), base, len(p)})
	}
	out, names, rest := c.messages(side, buf)
	if rest < len(buf) {
		if len(buf)-rest <= maxJoined {
			st.frag = &fragment{b: buf[rest:], pieces: shiftPieces(pieces, rest)}
		}
		typ, n := "", 0
		if tail := buf[rest:]; len(tail) >= 4 {
			typ, n = messageName(int(tail[0])), int(tail[1])<<16|int(tail[2])<<8|int(tail[3])
		}
		start := max(rest, len(buf)-len(p)) // this record's part of it
		out = append(out, trace.Field{Name: "handshake message (continued in the next record)", Offset: start, Length: len(buf) - start,
			Value: fmt.Sprintf("%s, %d bytes announced: the rest comes in the side's next record, where the whole message is read", typ, n)})
		names = append(names, "part of "+cmp.Or(typ, "a handshake message"))
	}
	remap(out, pieces)
	return out, names
}

// shiftPieces keeps the pieces from joined offset from on, renumbered from 0.
func shiftPieces(ps []piece, from int) []piece {
	var out []piece
	for _, p := range ps {
		if p.joined+p.n <= from {
			continue
		}
		if p.joined < from {
			d := from - p.joined
			p.joined, p.wire, p.n = from, p.wire+d, p.n-d
		}
		p.joined -= from
		out = append(out, p)
	}
	return out
}

// remap moves fields from offsets in the joined bytes to the wire's.
func remap(fs []trace.Field, ps []piece) {
	at := func(v int) int {
		for _, p := range ps {
			if v < p.joined+p.n {
				return p.wire + v - p.joined
			}
		}
		last := ps[len(ps)-1]
		return last.wire + last.n
	}
	for i := range fs {
		f := &fs[i]
		start := at(f.Offset)
		end := start
		if f.Length > 0 {
			end = at(f.Offset+f.Length-1) + 1
		}
		f.Offset, f.Length = start, end-start
		remap(f.Children, ps)
	}
}

// messages annotates the whole handshake messages at the start of p, at
// offsets from p's start. rest is where an unfinished message begins, or
// len(p).
func (c *Conn) messages(side Side, p []byte) (out []trace.Field, names []string, rest int) {
	cur := &cursor{b: p}
	for cur.more() {
		start := cur.at()
		typ := cur.uint(1)
		n := cur.uint(3)
		if cur.bad || len(p)-cur.pos < n {
			return out, names, start
		}
		body := &cursor{b: cur.take(n), base: cur.at() - n}
		name := messageName(typ)
		if typ == msgServerHello && n >= 34 && bytes.Equal(body.b[2:34], helloRetryRandom) {
			name = "HelloRetryRequest"
		}
		f := trace.Field{Name: name, Offset: start, Length: 4 + n}
		fl := &fields{c: body}
		fl.fs = []trace.Field{
			{Name: "handshake type", Offset: start, Length: 1, Value: fmt.Sprintf("%s (%d)", messageName(typ), typ)},
			{Name: "length", Offset: start + 1, Length: 3, Value: fmt.Sprint(n)},
		}
		f.Value = c.message(side, typ, name, fl)
		if body.bad {
			fl.fs = append(fl.fs, trace.Field{Name: "unreadable", Offset: start, Length: 4 + n, Value: "the message ends before its fields do"})
		} else if body.pos < len(body.b) {
			fl.fs = append(fl.fs, trace.Field{Name: "trailing bytes", Offset: body.at(), Length: len(body.b) - body.pos})
		}
		f.Children = fl.fs
		out = append(out, f)
		names = append(names, name)
	}
	return out, names, len(p)
}

// message annotates one message's body and says, in words, what it is
// for. Those words are the lesson: what the message carries and what the
// client checks with it.
func (c *Conn) message(side Side, typ int, name string, f *fields) string {
	switch typ {
	case msgClientHello:
		return c.hello(f, true)
	case msgServerHello:
		if name == "HelloRetryRequest" {
			c.hello(f, false)
			return "the server asks the client to start again with a key share it supports"
		}
		return c.hello(f, false)
	case msgEncryptedExtensions:
		c.extensions(f, typ)
		return "the server's answers to the client's extensions (the protocol agreed, ALPN), encrypted from here on"
	case msgCertificate:
		return c.certificate(f)
	case msgCertificateVerify:
		f.num(2, "signature algorithm", schemeName)
		sig := f.vector(2, "signature")
		f.fs = append(f.fs, trace.Field{Name: "signature", Offset: sig.base, Length: len(sig.b), Value: short(sig.b)})
		return "the server's signature over the whole handshake so far, made with its certificate's private key: the client checks it with the certificate's public key, so the server proves it holds that key and that both saw the same handshake"
	case msgFinished:
		f.bytes(len(f.c.b), "verify data", hexBytes)
		if side == Server {
			return "a MAC over the whole handshake, keyed from the handshake secret: the client computes the same MAC and compares, so nobody in between changed a byte of the handshake"
		}
		return "the client's MAC over the whole handshake: the server checks it the same way; after it, both sides switch to the application keys"
	case msgNewSessionTicket:
		f.num(4, "ticket lifetime", func(v int) string { return fmt.Sprintf("%d seconds", v) })
		if c.version == tls.VersionTLS13 {
			f.num(4, "ticket age add", decimal)
			n := f.vector(1, "ticket nonce")
			f.fs = append(f.fs, trace.Field{Name: "ticket nonce", Offset: n.base, Length: len(n.b), Value: hexBytes(n.b)})
		}
		t := f.vector(2, "ticket")
		f.fs = append(f.fs, trace.Field{Name: "ticket", Offset: t.base, Length: len(t.b), Value: count(t.b)})
		if c.version == tls.VersionTLS13 && f.c.more() {
			c.extensions(f, typ)
		}
		return "a ticket the client may present next time, to resume the session without a full handshake; it is opaque to the client"
	case msgServerKeyExchange:
		f.num(1, "curve type", func(v int) string {
			if v == 3 {
				return "named_curve (3)"
			}
			return decimal(v)
		})
		f.num(2, "named curve", groupName)
		k := f.vector(1, "public key")
		f.fs = append(f.fs, trace.Field{Name: "public key", Offset: k.base, Length: len(k.b), Value: short(k.b)})
		f.num(2, "signature algorithm", schemeName)
		sig := f.vector(2, "signature")
		f.fs = append(f.fs, trace.Field{Name: "signature", Offset: sig.base, Length: len(sig.b), Value: short(sig.b)})
		return "the server's half of the key exchange (ECDHE), signed with its certificate's key: the client checks the signature, so the key share is the certificate holder's"
	case msgServerHelloDone:
		return "the server's flight is over: the client's turn"
	case msgClientKeyExchange:
		k := f.vector(1, "public key")
		f.fs = append(f.fs, trace.Field{Name: "public key", Offset: k.base, Length: len(k.b), Value: short(k.b)})
		return "the client's half of the key exchange: from the two halves both sides compute the same secret, which never crossed the wire"
	case msgKeyUpdate:
		f.num(1, "request update", func(v int) string {
			if v == 1 {
				return "update_requested (1)"
			}
			return "update_not_requested (0)"
		})
		return "fresh keys from here on"
	case msgCertificateRequest:
		f.c.take(len(f.c.b))
		return "the server asks the client for a certificate of its own"
	}
	f.c.take(len(f.c.b))
	return ""
}

// hello annotates a ClientHello or ServerHello, and learns from it what
// decryption needs: the randoms, the version and suite agreed.
func (c *Conn) hello(f *fields, client bool) string {
	legacy := f.num(2, "legacy version", func(v int) string { return VersionName(uint16(v)) })
	random := f.bytes(32, "random", hexBytes)
	if !f.c.bad {
		// Wireshark still splits the random as TLS 1.0 did (RFC 2246,
		// 7.4.1.2): a time, then random bytes. Today all 32 are random.
		r := &f.fs[len(f.fs)-1]
		r.Children = []trace.Field{
			{Name: "gmt unix time", Offset: r.Offset, Length: 4, Value: "once the sender's clock; now random too (RFC 8446 and Go send 32 random bytes)"},
			{Name: "random bytes", Offset: r.Offset + 4, Length: 28, Value: hexBytes(random[4:])},
		}
	}
	var suite int
	sid := f.vector(1, "session id")
	if len(sid.b) > 0 {
		f.fs = append(f.fs, trace.Field{Name: "session id", Offset: sid.base, Length: len(sid.b), Value: hexBytes(sid.b)})
	}
	if client {
		suites := f.vector(2, "cipher suites")
		list := trace.Field{Name: "cipher suites", Offset: suites.base, Length: len(suites.b), Value: fmt.Sprintf("%d suites", len(suites.b)/2)}
		for suites.more() {
			off := suites.at()
			id := uint16(suites.uint(2))
			if !suites.bad {
				list.Children = append(list.Children, trace.Field{Name: "cipher suite", Offset: off, Length: 2, Value: suiteName(id)})
			}
		}
		f.fs = append(f.fs, list)
		f.list(1, "compression methods", 1, "compression method", func(v int) string {
			if v == 0 {
				return "null (0): the only one TLS 1.3 allows"
			}
			return decimal(v)
		})
	} else {
		suite = f.num(2, "cipher suite", func(v int) string { return suiteName(uint16(v)) })
		f.num(1, "compression method", func(v int) string { return fmt.Sprintf("null (%d)", v) })
	}
	if f.c.bad {
		return ""
	}
	if client {
		c.clientRandom = random
	} else {
		// The supported_versions extension, read next, says TLS 1.3.
		c.serverRandom, c.suite, c.version = random, uint16(suite), uint16(legacy)
	}
	if f.c.more() {
		c.extensions(f, map[bool]int{true: msgClientHello, false: msgServerHello}[client])
	}
	f.fs = append(f.fs, fingerprint(f.c.b, f.c.base, client)...)
	if client {
		return "the client's opening: the versions, cipher suites and key shares it offers, and the name of the site it wants (SNI)"
	}
	return fmt.Sprintf("the server's choices: %s, %s, and its key share", VersionName(c.version), suiteName(c.suite))
}

// certificate annotates a Certificate message: TLS 1.3's entries (each
// with extensions) after a request context, or TLS 1.2's plain list. Each
// certificate is annotated field by field as X.509 lays it out.
func (c *Conn) certificate(f *fields) string {
	tls13 := c.version == tls.VersionTLS13
	if tls13 {
		ctx := f.vector(1, "certificate request context")
		if len(ctx.b) > 0 {
			f.fs = append(f.fs, trace.Field{Name: "certificate request context", Offset: ctx.base, Length: len(ctx.b), Value: hexBytes(ctx.b)})
		}
	}
	list := f.vector(3, "certificates")
	// The certificates go into one field, as Wireshark's "Certificates".
	outer := f.fs
	f.fs = nil
	defer func() {
		group := trace.Field{Name: "certificates", Offset: list.base, Length: len(list.b), Value: fmt.Sprintf("%d bytes", len(list.b)), Children: f.fs}
		f.fs = append(outer, group)
	}()
	n := 0
	for list.more() {
		if n == maxCertificates {
			f.fs = append(f.fs, trace.Field{Name: "more certificates", Offset: list.at(), Length: len(list.b) - list.pos, Value: fmt.Sprintf("not annotated: journey reads %d at most", maxCertificates)})
			list.take(len(list.b) - list.pos)
			break
		}
		n++
		start := list.at()
		entry := &fields{c: list}
		der := entry.vector(3, "certificate")
		if der.bad {
			break
		}
		role := "intermediate: the issuer of the one before"
		if n == 1 {
			role = "leaf: the server's own"
		}
		entry.fs = append(entry.fs, x509fields.Annotate(der.b, der.base)...)
		if tls13 {
			ext := entry.vector(2, "certificate extensions")
			if len(ext.b) > 0 {
				entry.fs = append(entry.fs, trace.Field{Name: "certificate extensions", Offset: ext.base, Length: len(ext.b), Value: count(ext.b)})
			}
		}
		cf := trace.Field{Name: fmt.Sprintf("certificate %d (%s)", n, role), Offset: start, Length: list.at() - start, Children: entry.fs}
		if len(entry.fs) > 1 {
			cf.Value = entry.fs[1].Value // the subject, as the X.509 annotation says it
		}
		f.fs = append(f.fs, cf)
	}
	if f.c.bad || list.bad {
		return ""
	}
	if n == 0 {
		return "an empty certificate list: the server sent no certificate"
	}
	host := "the host asked for"
	if c.ServerName != "" {
		host = c.ServerName + ", the host asked for"
	}
	certs := fmt.Sprintf("%d certificates", n)
	if n == 1 {
		certs = "1 certificate"
	}
	return fmt.Sprintf("the server's certificate chain, %s, leaf first: the client checks that each is signed by the next, that the chain ends at a root it trusts, that the leaf names %s, and that none has expired", certs, host)
}

// extensions annotates an extension block: its length, then each
// extension's type, length and data as fields of their own.
func (c *Conn) extensions(f *fields, msg int) {
	block := f.vector(2, "extensions")
	all := trace.Field{Name: "extensions", Offset: block.base, Length: len(block.b)}
	k := 0
	for block.more() {
		start := block.at()
		e := &fields{c: block}
		typ := e.num(2, "type", func(v int) string { return fmt.Sprintf("%s (%d)", extensionName(uint16(v)), v) })
		// The length of the extension's data: Wireshark's "Length".
		l := e.num(2, "length", decimal)
		dataOff := block.at()
		data := &cursor{b: block.take(l), base: dataOff}
		if block.bad {
			break
		}
		k++
		ef := trace.Field{Name: extensionName(uint16(typ)), Offset: start, Length: block.at() - start}
		d := &fields{c: data}
		ef.Value = extensionData(uint16(typ), d, msg)
		if typ == 16 && msg != msgClientHello {
			c.alpn = ef.Value
		}
		if typ == 43 && msg == msgServerHello && len(data.b) == 2 {
			c.version = uint16(data.b[0])<<8 | uint16(data.b[1])
		}
		if d.c.bad {
			d.fs = append(d.fs, trace.Field{Name: "unreadable", Offset: data.base, Length: len(data.b), Value: "the extension ends before its fields do"})
		}
		ef.Children = append(e.fs, d.fs...)
		all.Children = append(all.Children, ef)
	}
	all.Value = fmt.Sprintf("%d extensions", k)
	f.fs = append(f.fs, all)
}
