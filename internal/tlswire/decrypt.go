package tlswire

import (
	"crypto/tls"
	"fmt"
	"strings"

	"journey/internal/trace"
)

// encrypted reports whether a record of typ from side is encrypted: every
// application data record, and in TLS 1.2 whatever follows the side's
// ChangeCipherSpec.
func (c *Conn) encrypted(side Side, typ byte) bool {
	if typ == RecordApplicationData {
		return true
	}
	return c.version != tls.VersionTLS13 && c.sides[side].ccs && (typ == RecordHandshake || typ == RecordAlert)
}

// decrypt annotates one encrypted record, decrypting it when the keys are
// known, and says what it carried.
func (c *Conn) decrypt(side Side, r *Reading, b []byte, off int, typ byte, ver uint16, payload []byte) ([]trace.Field, string) {
	st := &c.sides[side]
	base := off + 5
	var kids []trace.Field
	explicit, tail := 0, tagLen
	s, known := suites[c.suite]
	cbc := c.version == tls.VersionTLS12 && known && s.cbc
	switch {
	case cbc:
		explicit, tail = cbcBlock, 0 // the MAC is inside the encryption
	case c.version == tls.VersionTLS12 && known && !s.chacha:
		explicit = gcmExplicitNonce
	}
	if len(payload) < explicit+tail {
		return []trace.Field{{Name: "encrypted payload", Offset: base, Length: len(payload), Value: "too short to hold its authentication tag"}}, ""
	}
	switch {
	case cbc:
		kids = append(kids, trace.Field{Name: "IV", Offset: base, Length: explicit, Value: "the record's initialisation vector for AES-CBC (TLS 1.2)"})
	case explicit > 0:
		kids = append(kids, trace.Field{Name: "explicit nonce", Offset: base, Length: explicit, Value: "the record's own part of the AES-GCM nonce (TLS 1.2)"})
	}
	ctLen := len(payload) - explicit - tail
	enc := trace.Field{Name: "encrypted data", Offset: base + explicit, Length: ctLen, Value: fmt.Sprintf("%d bytes an onlooker cannot read", ctLen)}
	var after []trace.Field
	if tail > 0 {
		after = append(after, trace.Field{Name: "authentication tag", Offset: base + explicit + ctLen, Length: tail,
			Value: "proves the record came from the holder of the key, unchanged: decryption fails otherwise"})
	}
	plain, n, err := c.open(side, typ, ver, b[off:off+5], payload, explicit)
	if err != nil {
		if st.stopped == "" {
			st.stopped = err.Error()
		}
		enc.Value += " (not decrypted: " + st.stopped + ")"
		if r.Undecrypted == "" {
			r.Undecrypted = st.stopped
		}
		return append(append(kids, enc), after...), ""
	}
	st.decrypted++
	used := st.keysName() // before a Finished moves the side to its next keys
	if r.Decrypted == nil {
		r.Decrypted = append([]byte(nil), b...)
	}
	ptBase := base + explicit
	copy(r.Decrypted[ptBase:], plain)
	inner := typ
	content := plain[:n]
	var trailer []trace.Field // after the content: TLS 1.3's inner type and padding, CBC's MAC and padding
	if cbc {
		trailer = append(trailer,
			trace.Field{Name: "MAC", Offset: ptBase + n, Length: cbcMACLen, Value: "HMAC-SHA1 over the record's content, encrypted with it: checked, it matches"},
			trace.Field{Name: "padding", Offset: ptBase + n + cbcMACLen, Length: len(plain) - n - cbcMACLen, Value: "fills the last AES block; each byte says the padding's length"})
	}
	if c.version == tls.VersionTLS13 {
		// TLSInnerPlaintext: content, the real type, then zero padding.
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 {
			enc.Children = append(enc.Children, trace.Field{Name: "padding", Offset: ptBase, Length: len(plain), Value: "all zeros: no content type (the peer must close)"})
			return append(append(kids, enc), after...), "nothing"
		}
		inner = plain[i]
		content = plain[:i]
		trailer = append(trailer, trace.Field{Name: "inner content type", Offset: ptBase + i, Length: 1, Value: fmt.Sprintf("%s (%d): the record's real type, hidden inside", recordTypeName(inner), inner)})
		if pad := len(plain) - i - 1; pad > 0 {
			trailer = append(trailer, trace.Field{Name: "padding", Offset: ptBase + i + 1, Length: pad, Value: fmt.Sprintf("%d zero bytes, to hide the true length", pad)})
		}
	}
	fs, what := c.inner(side, inner, content, ptBase)
	enc.Children = append(enc.Children, fs...)
	enc.Value = fmt.Sprintf("%d bytes, decrypted with %s (%s)", ctLen, used, s.cipher)
	enc.Children = append(enc.Children, trailer...)
	return append(append(kids, enc), after...), what
}

// inner annotates a decrypted record's content by its real type, at base,
// and says what it carried.
func (c *Conn) inner(side Side, typ byte, content []byte, base int) ([]trace.Field, string) {
	switch typ {
	case RecordHandshake:
		fs, names := c.handshake(side, content, base)
		c.afterHandshake(side, names)
		return fs, strings.Join(names, ", ")
	case RecordAlert:
		if len(content) == 2 {
			return alertFields(content, base), "Alert, " + alertName(content[0], content[1])
		}
		return nil, "Alert"
	case RecordApplicationData:
		what := fmt.Sprintf("%d bytes of application data", len(content))
		app := trace.Field{Name: "application data", Offset: base, Length: len(content), Value: preview(content)}
		if c.alpn != "" {
			app.Children = []trace.Field{{Name: "application data protocol", Offset: base, Length: len(content), Value: c.alpn + ", as the two sides agreed by ALPN"}}
		}
		if p := firstLine(content); p != "" {
			what += " (" + p + ")"
		}
		return []trace.Field{app}, what
	}
	return nil, recordTypeName(typ)
}

func (st *sideState) keysName() string {
	if st.keys == nil {
		return "?"
	}
	return st.keys.name
}

// open decrypts one record with the side's current keys, setting them up
// first when the handshake has said enough.
// It returns the decrypted bytes and how many of them are the content
// (CBC's MAC and padding follow it).
func (c *Conn) open(side Side, typ byte, ver uint16, header, payload []byte, explicit int) ([]byte, int, error) {
	st := &c.sides[side]
	if st.stopped != "" {
		return nil, 0, fmt.Errorf("%s", st.stopped)
	}
	if c.Keys == nil {
		return nil, 0, fmt.Errorf("no secrets")
	}
	s, ok := suites[c.suite]
	if !ok {
		return nil, 0, fmt.Errorf("journey does not decrypt %s", tls.CipherSuiteName(c.suite))
	}
	if st.keys == nil {
		if err := c.setKeys(side, s); err != nil {
			return nil, 0, err
		}
	}
	var out []byte
	var err error
	switch {
	case c.version == tls.VersionTLS13:
		out, err = st.keys.open13(header, payload)
	case s.cbc:
		return st.keys.openCBC(typ, ver, payload)
	default:
		out, err = st.keys.open12(typ, ver, payload, explicit)
	}
	return out, len(out), err
}

// setKeys derives the side's first keys: TLS 1.3's handshake traffic
// keys, or TLS 1.2's from the master secret.
func (c *Conn) setKeys(side Side, s suite) error {
	st := &c.sides[side]
	if c.version == tls.VersionTLS13 {
		label, name := LabelClientHandshakeTraffic, "the client's handshake key"
		if side == Server {
			label, name = LabelServerHandshakeTraffic, "the server's handshake key"
		}
		secret := c.Keys.Secret(label)
		if secret == nil {
			return fmt.Errorf("no %s in the key log", label)
		}
		k, err := keys13(s, secret, name)
		if err != nil {
			return err
		}
		st.keys, st.phase = k, 1
		return nil
	}
	master := c.Keys.Secret(LabelClientRandom)
	if master == nil {
		return fmt.Errorf("no %s in the key log", LabelClientRandom)
	}
	clientRandom := c.clientRandom
	if clientRandom == nil {
		// The server's side may be read first: the key log line names it.
		c.Keys.mu.Lock()
		clientRandom = c.Keys.clientRandom
		c.Keys.mu.Unlock()
	}
	if clientRandom == nil || c.serverRandom == nil {
		return fmt.Errorf("the hellos' random values were not seen")
	}
	ck, sk, err := keys12(s, master, clientRandom, c.serverRandom)
	if err != nil {
		return err
	}
	c.sides[Client].keys, c.sides[Server].keys = ck, sk
	return nil
}

// afterHandshake moves a TLS 1.3 side to its application keys once its
// Finished is through, and to the next generation after a KeyUpdate
// (RFC 8446, sections 7.2 and 4.6.3).
func (c *Conn) afterHandshake(side Side, names []string) {
	st := &c.sides[side]
	if c.version != tls.VersionTLS13 || st.keys == nil {
		return
	}
	s := suites[c.suite]
	for _, n := range names {
		switch {
		case n == "Finished" && st.phase == 1:
			label, name := LabelClientTraffic, "the client's application key"
			if side == Server {
				label, name = LabelServerTraffic, "the server's application key"
			}
			secret := c.Keys.Secret(label)
			if secret == nil {
				st.stopped = "no " + label + " in the key log"
				return
			}
			k, err := keys13(s, secret, name)
			if err != nil {
				st.stopped = err.Error()
				return
			}
			st.keys, st.phase = k, 2
		case n == "KeyUpdate" && st.phase == 2:
			next, err := expandLabel(s.hash, st.keys.secret, "traffic upd", s.hash().Size())
			if err == nil {
				var k *recordKeys
				if k, err = keys13(s, next, st.keys.name+" (updated)"); err == nil {
					st.keys = k
				}
			}
			if err != nil {
				st.stopped = err.Error()
			}
		}
	}
}
