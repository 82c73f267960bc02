package tlswire

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// Labels of the SSLKEYLOGFILE format (NSS's key log format, as crypto/tls
// writes it to Config.KeyLogWriter).
const (
	LabelClientRandom           = "CLIENT_RANDOM" // TLS 1.2: the master secret
	LabelClientHandshakeTraffic = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	LabelServerHandshakeTraffic = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	LabelClientTraffic          = "CLIENT_TRAFFIC_SECRET_0"
	LabelServerTraffic          = "SERVER_TRAFFIC_SECRET_0"
)

// maxKeyLogLine bounds one key log line: a label, a 32-byte random and a
// 48-byte secret in hex are under 200 characters.
const maxKeyLogLine = 512

// KeyLog gathers the secrets of one connection as crypto/tls hands them to
// Config.KeyLogWriter, and copies each line to Out when set (--keylog).
// It is safe for concurrent use.
type KeyLog struct {
	Out io.Writer

	mu           sync.Mutex
	secrets      map[string][]byte
	clientRandom []byte
	outErr       error
}

// Write takes one or more key log lines.
func (k *KeyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sc := bufio.NewScanner(bytes.NewReader(p))
	sc.Buffer(nil, maxKeyLogLine)
	for sc.Scan() {
		k.add(sc.Text())
	}
	if k.Out != nil && k.outErr == nil {
		_, k.outErr = k.Out.Write(p)
	}
	// crypto/tls stops the handshake on a KeyLogWriter error: a key log
	// file that cannot be written must not break the journey. OutErr says.
	return len(p), nil
}

// OutErr is the first error writing to Out, if any.
func (k *KeyLog) OutErr() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.outErr
}

// add reads one line: LABEL <client random, hex> <secret, hex>.
func (k *KeyLog) add(line string) {
	f := strings.Fields(line)
	if len(f) != 3 || strings.HasPrefix(line, "#") {
		return
	}
	random, err1 := hex.DecodeString(f[1])
	secret, err2 := hex.DecodeString(f[2])
	if err1 != nil || err2 != nil {
		return
	}
	if k.secrets == nil {
		k.secrets = map[string][]byte{}
	}
	k.secrets[f[0]] = secret
	k.clientRandom = random
}

// Secret returns the secret of that label, or nil.
func (k *KeyLog) Secret(label string) []byte {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secrets[label]
}

// Labels lists the labels of the secrets held.
func (k *KeyLog) Labels() []string {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for l := range k.secrets {
		out = append(out, l)
	}
	return out
}

// suite is what decrypting a cipher suite's records takes.
type suite struct {
	keyLen int
	hash   func() hash.Hash
	chacha bool // ChaCha20-Poly1305; otherwise AES-GCM
	aead   string
}

// suites are the AEAD cipher suites journey decrypts: all of TLS 1.3's
// that crypto/tls speaks, and TLS 1.2's GCM and ChaCha20-Poly1305 ones.
var suites = map[uint16]suite{
	0x1301: {16, sha256.New, false, "AES-128-GCM"},      // TLS_AES_128_GCM_SHA256
	0x1302: {32, sha512.New384, false, "AES-256-GCM"},   // TLS_AES_256_GCM_SHA384
	0x1303: {32, sha256.New, true, "ChaCha20-Poly1305"}, // TLS_CHACHA20_POLY1305_SHA256
	0xc02b: {16, sha256.New, false, "AES-128-GCM"},      // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	0xc02f: {16, sha256.New, false, "AES-128-GCM"},      // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	0xc02c: {32, sha512.New384, false, "AES-256-GCM"},   // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	0xc030: {32, sha512.New384, false, "AES-256-GCM"},   // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	0x009c: {16, sha256.New, false, "AES-128-GCM"},      // TLS_RSA_WITH_AES_128_GCM_SHA256
	0x009d: {32, sha512.New384, false, "AES-256-GCM"},   // TLS_RSA_WITH_AES_256_GCM_SHA384
	0xcca8: {32, sha256.New, true, "ChaCha20-Poly1305"}, // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	0xcca9: {32, sha256.New, true, "ChaCha20-Poly1305"}, // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
}

// recordKeys are one direction's keys for one phase of a connection.
type recordKeys struct {
	aead   cipher.AEAD
	iv     []byte // TLS 1.3 and ChaCha: the full 12-byte IV; TLS 1.2 GCM: the 4-byte salt
	secret []byte // TLS 1.3: the traffic secret, for a KeyUpdate
	name   string // which key, in words
	seq    uint64
}

func newAEAD(s suite, key []byte) (cipher.AEAD, error) {
	if s.chacha {
		return chacha20poly1305.New(key)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// expandLabel is TLS 1.3's HKDF-Expand-Label (RFC 8446, section 7.1).
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) ([]byte, error) {
	var info []byte
	info = append(info, byte(n>>8), byte(n))
	info = append(info, byte(len("tls13 "+label)))
	info = append(info, "tls13 "+label...)
	info = append(info, 0) // an empty context
	return hkdf.Expand(h, secret, string(info), n)
}

// keys13 derives a TLS 1.3 traffic key and IV from a traffic secret
// (RFC 8446, section 7.3).
func keys13(s suite, secret []byte, name string) (*recordKeys, error) {
	key, err := expandLabel(s.hash, secret, "key", s.keyLen)
	if err != nil {
		return nil, err
	}
	iv, err := expandLabel(s.hash, secret, "iv", 12)
	if err != nil {
		return nil, err
	}
	a, err := newAEAD(s, key)
	if err != nil {
		return nil, err
	}
	return &recordKeys{aead: a, iv: iv, secret: secret, name: name}, nil
}

// prf12 is TLS 1.2's PRF, P_hash with the suite's hash (RFC 5246, section 5).
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	seed = append([]byte(label), seed...)
	out := make([]byte, 0, n)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil) // A(1)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = append(out, mac.Sum(nil)...)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out[:n]
}

// keys12 derives both directions' keys from a TLS 1.2 master secret: the
// key block (RFC 5246, section 6.3), which for an AEAD suite holds no MAC
// keys, then each side's key and IV (4 bytes of salt for GCM, RFC 5288;
// 12 for ChaCha20-Poly1305, RFC 7905).
func keys12(s suite, master, clientRandom, serverRandom []byte) (client, server *recordKeys, err error) {
	ivLen := 4
	if s.chacha {
		ivLen = 12
	}
	seed := append(append([]byte{}, serverRandom...), clientRandom...)
	kb := prf12(s.hash, master, "key expansion", seed, 2*s.keyLen+2*ivLen)
	ck, sk := kb[:s.keyLen], kb[s.keyLen:2*s.keyLen]
	civ, siv := kb[2*s.keyLen:2*s.keyLen+ivLen], kb[2*s.keyLen+ivLen:]
	ca, err := newAEAD(s, ck)
	if err != nil {
		return nil, nil, err
	}
	sa, err := newAEAD(s, sk)
	if err != nil {
		return nil, nil, err
	}
	return &recordKeys{aead: ca, iv: civ, name: "the client's write key (from the master secret)"},
		&recordKeys{aead: sa, iv: siv, name: "the server's write key (from the master secret)"}, nil
}

var errNoKeys = errors.New("no key for this record")

// open13 decrypts one TLS 1.3 record: the nonce is the IV XORed with the
// record's sequence number, the additional data is the record's header
// (RFC 8446, section 5.2-5.3).
func (k *recordKeys) open13(header, payload []byte) ([]byte, error) {
	nonce := make([]byte, 12)
	copy(nonce, k.iv)
	for i := 0; i < 8; i++ {
		nonce[11-i] ^= byte(k.seq >> (8 * i))
	}
	out, err := k.aead.Open(nil, nonce, payload, header)
	if err != nil {
		return nil, fmt.Errorf("record %d with %s: %w", k.seq, k.name, err)
	}
	k.seq++
	return out, nil
}

// open12 decrypts one TLS 1.2 AEAD record. GCM: the record starts with 8
// bytes of explicit nonce after the 4-byte salt; ChaCha: the nonce is
// made as in TLS 1.3. The additional data is the sequence number, type,
// version and plaintext length.
func (k *recordKeys) open12(typ byte, version uint16, payload []byte, explicit int) ([]byte, error) {
	var nonce []byte
	if explicit > 0 {
		if len(payload) < explicit {
			return nil, errors.New("record shorter than its nonce")
		}
		nonce = append(append([]byte{}, k.iv...), payload[:explicit]...)
		payload = payload[explicit:]
	} else {
		nonce = make([]byte, 12)
		copy(nonce, k.iv)
		for i := 0; i < 8; i++ {
			nonce[11-i] ^= byte(k.seq >> (8 * i))
		}
	}
	n := len(payload) - k.aead.Overhead()
	if n < 0 {
		return nil, errors.New("record shorter than its tag")
	}
	ad := make([]byte, 13)
	for i := 0; i < 8; i++ {
		ad[7-i] = byte(k.seq >> (8 * i))
	}
	ad[8], ad[9], ad[10], ad[11], ad[12] = typ, byte(version>>8), byte(version), byte(n>>8), byte(n)
	out, err := k.aead.Open(nil, nonce, payload, ad)
	if err != nil {
		return nil, fmt.Errorf("record %d with %s: %w", k.seq, k.name, err)
	}
	k.seq++
	return out, nil
}
