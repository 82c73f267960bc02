package tlswire

import (
	"crypto/tls"
	"fmt"
	"strings"

	"journey/internal/trace"
)

// Extension types journey names (IANA's TLS ExtensionType registry, with
// the names Wireshark uses).
var extensionNames = map[uint16]string{
	0: "server_name", 1: "max_fragment_length", 5: "status_request", 10: "supported_groups", 11: "ec_point_formats",
	13: "signature_algorithms", 14: "use_srtp", 15: "heartbeat", 16: "application_layer_protocol_negotiation",
	18: "signed_certificate_timestamp", 21: "padding", 22: "encrypt_then_mac", 23: "extended_master_secret",
	27: "compress_certificate", 28: "record_size_limit", 35: "session_ticket", 41: "pre_shared_key", 42: "early_data",
	43: "supported_versions", 44: "cookie", 45: "psk_key_exchange_modes", 47: "certificate_authorities",
	49: "post_handshake_auth", 50: "signature_algorithms_cert", 51: "key_share", 57: "quic_transport_parameters",
	17513: "application_settings", 65037: "encrypted_client_hello", 65281: "renegotiation_info",
}

func extensionName(t uint16) string {
	if n, ok := extensionNames[t]; ok {
		return n
	}
	if t&0x0f0f == 0x0a0a {
		return "GREASE"
	}
	return fmt.Sprintf("unknown extension %d", t)
}

// Named groups (IANA's TLS Supported Groups registry).
var groupNames = map[int]string{
	0x0017: "secp256r1", 0x0018: "secp384r1", 0x0019: "secp521r1", 0x001d: "x25519", 0x001e: "x448",
	0x0100: "ffdhe2048", 0x0101: "ffdhe3072", 0x0102: "ffdhe4096", 0x0103: "ffdhe6144", 0x0104: "ffdhe8192",
	0x11eb: "SecP256r1MLKEM768", 0x11ec: "X25519MLKEM768", 0x11ed: "SecP384r1MLKEM1024",
	0x6399: "X25519Kyber768Draft00",
}

func groupName(v int) string {
	n, ok := groupNames[v]
	switch {
	case !ok && v&0x0f0f == 0x0a0a:
		n = "GREASE"
	case !ok:
		n = "unknown"
	}
	if v == 0x11ec {
		n += ": post-quantum (ML-KEM-768) and classic (X25519) together"
	}
	return fmt.Sprintf("%s (0x%04x)", n, v)
}

// Signature schemes (IANA's TLS SignatureScheme registry).
var schemeNames = map[int]string{
	0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384",
	0x0601: "rsa_pkcs1_sha512", 0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384",
	0x0603: "ecdsa_secp521r1_sha512", 0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384",
	0x0806: "rsa_pss_rsae_sha512", 0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
	0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512", 0x0904: "mldsa44", 0x0905: "mldsa65", 0x0906: "mldsa87",
}

func schemeName(v int) string {
	if n, ok := schemeNames[v]; ok {
		return fmt.Sprintf("%s (0x%04x)", n, v)
	}
	return fmt.Sprintf("unknown (0x%04x)", v)
}

func suiteName(id uint16) string {
	if id&0x0f0f == 0x0a0a {
		return fmt.Sprintf("GREASE (0x%04x)", id)
	}
	return fmt.Sprintf("%s (0x%04x)", tls.CipherSuiteName(id), id)
}

// list reads a vector of n-byte items: its length prefix, then the list
// as one field (Wireshark's "Supported Groups (7 groups)") with a field
// per item, named item.
func (f *fields) list(prefix int, name string, n int, item string, value func(int) string) []string {
	v := f.vector(prefix, name)
	group := trace.Field{Name: name, Offset: v.base, Length: len(v.b)}
	var out []string
	for v.more() {
		off := v.at()
		x := v.uint(n)
		if v.bad {
			f.c.bad = true
			break
		}
		out = append(out, value(x))
		it := trace.Field{Name: item, Offset: off, Length: n, Value: value(x)}
		if item == "signature algorithm" {
			it.Children = schemeParts(x, off)
		}
		group.Children = append(group.Children, it)
	}
	group.Value = fmt.Sprintf("%d %ss", len(out), item)
	f.fs = append(f.fs, group)
	return out
}

// schemeParts reads a signature scheme's two bytes as TLS 1.2 did, a hash
// then a signature algorithm (RFC 5246, 7.4.1.4.1), as Wireshark shows
// them; TLS 1.3's schemes (RFC 8446, 4.2.3) are one number instead.
func schemeParts(v, off int) []trace.Field {
	hashes := map[int]string{0: "none", 1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512"}
	sigs := map[int]string{0: "anonymous", 1: "rsa", 2: "dsa", 3: "ecdsa"}
	h, s := v>>8, v&0xff
	hv, sv := hashes[h], sigs[s]
	if hv == "" || sv == "" {
		hv, sv = "not a hash: TLS 1.3 reads the two bytes as one scheme", "not a signature: see the scheme"
	}
	return []trace.Field{
		{Name: "signature hash algorithm hash", Offset: off, Length: 1, Value: fmt.Sprintf("%s (%d)", hv, h)},
		{Name: "signature hash algorithm signature", Offset: off + 1, Length: 1, Value: fmt.Sprintf("%s (%d)", sv, s)},
	}
}

// names strips the "(0x…)" from the words of a list, for a one-line value.
func names(vals []string) string {
	var out []string
	for _, v := range vals {
		if i := strings.Index(v, ":"); i > 0 {
			v = v[:i]
		}
		if i := strings.Index(v, " (0x"); i > 0 {
			v = v[:i]
		}
		out = append(out, v)
	}
	return strings.Join(out, ", ")
}

// extensionData annotates one extension's data and says its value in a
// line. msg is the handshake message holding it: the same extension reads
// differently in a ClientHello and a ServerHello.
func extensionData(typ uint16, f *fields, msg int) string {
	c := f.c
	if len(c.b) == 0 {
		switch msg {
		case msgClientHello:
			return "(empty: the client supports it)"
		default:
			return "(empty: the server agrees)"
		}
	}
	switch typ {
	case 0: // server_name: a list of (type, name)
		return serverName(f)
	case 10: // supported_groups
		return names(f.list(2, "supported groups", 2, "group", groupName))
	case 11: // ec_point_formats
		return names(f.list(1, "point formats", 1, "point format", func(v int) string {
			if v == 0 {
				return "uncompressed (0x00)"
			}
			return fmt.Sprintf("0x%02x", v)
		}))
	case 13, 50: // signature_algorithms, signature_algorithms_cert
		return names(f.list(2, "signature hash algorithms", 2, "signature algorithm", schemeName))
	case 16: // ALPN: a list of length-prefixed protocol names
		return alpn(f)
	case 5: // status_request
		f.num(1, "certificate status type", func(v int) string {
			if v == 1 {
				return "OCSP (1)"
			}
			return decimal(v)
		})
		if msg == msgClientHello {
			f.vector(2, "responder ID list")
			f.vector(2, "request extensions")
		}
		return "the client asks for the certificate's revocation status (OCSP stapling)"
	case 43: // supported_versions: a list in the ClientHello, one in the ServerHello
		if msg == msgClientHello {
			return names(f.list(1, "supported versions", 2, "supported version", func(v int) string { return VersionName(uint16(v)) }))
		}
		v := f.num(2, "supported version", func(v int) string { return VersionName(uint16(v)) })
		return VersionName(uint16(v))
	case 45: // psk_key_exchange_modes
		return names(f.list(1, "PSK key exchange modes", 1, "PSK key exchange mode", func(v int) string {
			switch v {
			case 0:
				return "psk_ke: resume with the ticket's key alone (0)"
			case 1:
				return "psk_dhe_ke: resume, with a fresh key exchange too (1)"
			}
			return decimal(v)
		}))
	case 51: // key_share
		return keyShare(f, msg)
	case 65281: // renegotiation_info
		v := f.vector(1, "renegotiation info")
		return fmt.Sprintf("%d bytes (empty: a new connection)", len(v.b))
	}
	f.bytes(len(c.b), "data", count)
	return fmt.Sprintf("%d bytes", len(c.b))
}

// serverName reads server_name: the host names the client asks for (SNI),
// each with its type and length.
func serverName(f *fields) string {
	c := f.c
	list := f.vector(2, "server name list")
	var hosts []string
	for list.more() {
		e := &fields{c: list}
		e.num(1, "server name type", func(v int) string {
			if v == 0 {
				return "host_name (0)"
			}
			return decimal(v)
		})
		h := e.vector(2, "server name")
		if list.bad {
			break
		}
		name := string(h.b)
		hosts = append(hosts, name)
		f.fs = append(f.fs, e.fs...)
		f.fs = append(f.fs, trace.Field{Name: "server name", Offset: h.base, Length: len(h.b), Value: name})
	}
	if list.bad {
		c.bad = true
	}
	return strings.Join(hosts, ", ")
}

// alpn reads application_layer_protocol_negotiation: the protocols
// offered, or the one agreed, each with its length.
func alpn(f *fields) string {
	c := f.c
	list := f.vector(2, "ALPN extension")
	group := trace.Field{Name: "ALPN protocols", Offset: list.base, Length: len(list.b)}
	var protos []string
	for list.more() {
		e := &fields{c: list}
		p := e.vector(1, "ALPN string")
		if list.bad {
			c.bad = true
			break
		}
		protos = append(protos, string(p.b))
		group.Children = append(group.Children, e.fs...)
		group.Children = append(group.Children, trace.Field{Name: "ALPN next protocol", Offset: p.base, Length: len(p.b), Value: string(p.b)})
	}
	group.Value = strings.Join(protos, ", ")
	f.fs = append(f.fs, group)
	return strings.Join(protos, ", ")
}

// keyShare reads key_share: the client's key shares, or the one the
// server picked (or, in a HelloRetryRequest, the group it wants).
func keyShare(f *fields, msg int) string {
	c := f.c
	switch msg {
	case msgClientHello:
		shares := f.vector(2, "client key share")
		var groups []string
		for shares.more() {
			if g := keyShareEntry(f, shares); g != "" {
				groups = append(groups, g)
			}
		}
		if shares.bad {
			c.bad = true
		}
		return "key shares for " + names(groups)
	case msgServerHello:
		if len(c.b) == 2 { // HelloRetryRequest: the group wanted
			return "the server wants a share for " + names([]string{groupName(f.num(2, "selected group", groupName))})
		}
		return "the server's key share: " + names([]string{keyShareEntry(f, c)})
	}
	f.bytes(len(c.b), "data", count)
	return fmt.Sprintf("%d bytes", len(c.b))
}

// keyShareEntry reads one KeyShareEntry (group, key exchange) from c as a
// field of f, and returns its group's words.
func keyShareEntry(f *fields, c *cursor) string {
	start := c.at()
	e := &fields{c: c}
	g := e.num(2, "group", groupName)
	k := e.vector(2, "key exchange")
	if c.bad {
		return ""
	}
	e.fs = append(e.fs, trace.Field{Name: "key exchange", Offset: k.base, Length: len(k.b), Value: short(k.b)})
	f.fs = append(f.fs, trace.Field{Name: "key share entry", Offset: start, Length: c.at() - start,
		Value: fmt.Sprintf("%s, %d-byte key", names([]string{groupName(g)}), len(k.b)), Children: e.fs})
	return groupName(g)
}
