package tlswire

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha1"
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
	chacha bool   // ChaCha20-Poly1305; otherwise AES-GCM, or AES-CBC when cbc
	cipher string // the cipher, as said to a person
	cbc    bool   // TLS 1.2's AES-CBC with HMAC-SHA1: MAC, then encrypt
}

// cbcSuite is an AES-CBC suite with HMAC-SHA1 (RFC 5246, 6.2.3.2), which
// crypto/tls still offers in TLS 1.2 after the AEAD ones.
func cbcSuite(keyLen int) suite {
	return suite{keyLen: keyLen, hash: sha256.New, cipher: fmt.Sprintf("AES-%d-CBC with HMAC-SHA1", 8*keyLen), cbc: true}
}

// Sizes of the CBC suites' parts.
const (
	cbcBlock  = aes.BlockSize // the IV sent with each record, and the padding unit
	cbcMACLen = sha1.Size     // HMAC-SHA1
)

// suites are the cipher suites journey decrypts: all of TLS 1.3's that
// crypto/tls speaks, and TLS 1.2's GCM, ChaCha20-Poly1305 and CBC ones.
var suites = map[uint16]suite{
	0x1301: {keyLen: 16, hash: sha256.New, chacha: false, cipher: "AES-128-GCM"},      // TLS_AES_128_GCM_SHA256
	0x1302: {keyLen: 32, hash: sha512.New384, chacha: false, cipher: "AES-256-GCM"},   // TLS_AES_256_GCM_SHA384
	0x1303: {keyLen: 32, hash: sha256.New, chacha: true, cipher: "ChaCha20-Poly1305"}, // TLS_CHACHA20_POLY1305_SHA256
	0xc02b: {keyLen: 16, hash: sha256.New, chacha: false, cipher: "AES-128-GCM"},      // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	0xc02f: {keyLen: 16, hash: sha256.New, chacha: false, cipher: "AES-128-GCM"},      // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	0xc02c: {keyLen: 32, hash: sha512.New384, chacha: false, cipher: "AES-256-GCM"},   // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	0xc030: {keyLen: 32, hash: sha512.New384, chacha: false, cipher: "AES-256-GCM"},   // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	0x009c: {keyLen: 16, hash: sha256.New, chacha: false, cipher: "AES-128-GCM"},      // TLS_RSA_WITH_AES_128_GCM_SHA256
	0x009d: {keyLen: 32, hash: sha512.New384, chacha: false, cipher: "AES-256-GCM"},   // TLS_RSA_WITH_AES_256_GCM_SHA384
	0xcca8: {keyLen: 32, hash: sha256.New, chacha: true, cipher: "ChaCha20-Poly1305"}, // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	0xcca9: {keyLen: 32, hash: sha256.New, chacha: true, cipher: "ChaCha20-Poly1305"}, // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
	0xc009: cbcSuite(16),                                                              // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	0xc013: cbcSuite(16),                                                              // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	0xc00a: cbcSuite(32),                                                              // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
	0xc014: cbcSuite(32),                                                              // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
	0x002f: cbcSuite(16),                                                              // TLS_RSA_WITH_AES_128_CBC_SHA
	0x0035: cbcSuite(32),                                                              // TLS_RSA_WITH_AES_256_CBC_SHA
}

// recordKeys are one direction's keys for one phase of a connection.
type recordKeys struct {
	aead   cipher.AEAD
	block  cipher.Block // CBC suites: the AES key
	mac    []byte       // CBC suites: the HMAC-SHA1 key
	iv     []byte       // TLS 1.3 and ChaCha: the full 12-byte IV; TLS 1.2 GCM: the 4-byte salt
	secret []byte       // TLS 1.3: the traffic secret, for a KeyUpdate
	name   string       // which key, in words
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
	if s.cbc {
		return keys12CBC(s, master, clientRandom, serverRandom)
	}
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

// keys12CBC derives a CBC suite's keys: the key block starts with the two
// MAC keys, then the two encryption keys (RFC 5246, 6.3); each record
// carries its own IV.
func keys12CBC(s suite, master, clientRandom, serverRandom []byte) (client, server *recordKeys, err error) {
	seed := append(append([]byte{}, serverRandom...), clientRandom...)
	kb := prf12(s.hash, master, "key expansion", seed, 2*cbcMACLen+2*s.keyLen)
	cm, sm := kb[:cbcMACLen], kb[cbcMACLen:2*cbcMACLen]
	ck, sk := kb[2*cbcMACLen:2*cbcMACLen+s.keyLen], kb[2*cbcMACLen+s.keyLen:]
	cb, err := aes.NewCipher(ck)
	if err != nil {
		return nil, nil, err
	}
	sb, err := aes.NewCipher(sk)
	if err != nil {
		return nil, nil, err
	}
	return &recordKeys{block: cb, mac: cm, name: "the client's write key (from the master secret)"},
		&recordKeys{block: sb, mac: sm, name: "the server's write key (from the master secret)"}, nil
}

// openCBC decrypts one TLS 1.2 CBC record (IV, then the ciphertext) and
// checks its padding and MAC. It returns the whole decrypted run of blocks
// (content, MAC, padding) and the content's length.
func (k *recordKeys) openCBC(typ byte, version uint16, payload []byte) ([]byte, int, error) {
	if len(payload) < 2*cbcBlock || len(payload)%cbcBlock != 0 {
		return nil, 0, fmt.Errorf("record %d: %d bytes is not an IV and whole blocks", k.seq, len(payload))
	}
	out := make([]byte, len(payload)-cbcBlock)
	cipher.NewCBCDecrypter(k.block, payload[:cbcBlock]).CryptBlocks(out, payload[cbcBlock:])
	pad := int(out[len(out)-1]) + 1
	n := len(out) - pad - cbcMACLen
	if n < 0 {
		return nil, 0, fmt.Errorf("record %d with %s: bad padding", k.seq, k.name)
	}
	for _, x := range out[n+cbcMACLen:] {
		if int(x) != pad-1 {
			return nil, 0, fmt.Errorf("record %d with %s: bad padding", k.seq, k.name)
		}
	}
	mac := hmac.New(sha1.New, k.mac)
	var hdr [13]byte
	for i := 0; i < 8; i++ {
		hdr[7-i] = byte(k.seq >> (8 * i))
	}
	hdr[8], hdr[9], hdr[10], hdr[11], hdr[12] = typ, byte(version>>8), byte(version), byte(n>>8), byte(n)
	mac.Write(hdr[:])
	mac.Write(out[:n])
	if !hmac.Equal(mac.Sum(nil), out[n:n+cbcMACLen]) {
		return nil, 0, fmt.Errorf("record %d with %s: the MAC does not match", k.seq, k.name)
	}
	k.seq++
	return out, n, nil
}
