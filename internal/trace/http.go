package trace

import "time"

// Connect is the connect stage's result: TCP, and TLS for https. With -L it
// describes the first connection; each later hop's connection is in its
// HTTPHop and in the stage's exchanges.
type Connect struct {
	Remote string `json:"remote,omitempty"` // the server's address as shown (203.0.113.10:443)
	Via    string `json:"via,omitempty"`    // the loopback address the lab routed Remote to
	Local  string `json:"local,omitempty"`  // our end of the connection
	// Attempts are the TCP connects tried, in order; the last one that
	// succeeded is the connection used.
	Attempts []ConnectAttempt `json:"attempts,omitempty"`
	TCP      time.Duration    `json:"tcp_ns"` // the successful connect, SYN to established
	TLS      *TLS             `json:"tls,omitempty"`
}

// ConnectAttempt is one TCP connect to one address.
type ConnectAttempt struct {
	Addr     string        `json:"addr"`
	Via      string        `json:"via,omitempty"`
	Local    string        `json:"local,omitempty"`
	Start    time.Duration `json:"start_ns"`
	Duration time.Duration `json:"duration_ns"`
	Error    string        `json:"error,omitempty"`
}

// TLS is what the TLS handshake agreed and what the server proved.
type TLS struct {
	ServerName  string        `json:"server_name,omitempty"` // the SNI sent; empty for an IP address
	Version     string        `json:"version,omitempty"`     // TLS 1.3
	CipherSuite string        `json:"cipher_suite,omitempty"`
	KeyExchange string        `json:"key_exchange,omitempty"` // the key shares' group: X25519MLKEM768 (ML-KEM with X25519)
	ALPN        string        `json:"alpn,omitempty"`         // the protocol agreed; empty when the server chose none
	ALPNOffered []string      `json:"alpn_offered,omitempty"`
	Chain       []Certificate `json:"chain,omitempty"` // as the server sent it, leaf first
	// Verified is true when the chain led to a trusted root and named the host.
	Verified    bool   `json:"verified"`
	VerifyError string `json:"verify_error,omitempty"` // why it did not verify
	// Insecure is -k: the chain is still checked (Verified says how it
	// went), but a failure does not stop the connection.
	Insecure  bool          `json:"insecure,omitempty"`
	Start     time.Duration `json:"start_ns"`
	Handshake time.Duration `json:"handshake_ns"` // ClientHello written to Finished
	Resumed   bool          `json:"resumed,omitempty"`
}

// Certificate is one certificate of the chain, as the renderers show it.
type Certificate struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	IPs       []string  `json:"ips,omitempty"`
	IsCA      bool      `json:"is_ca,omitempty"`
	KeyType   string    `json:"key_type,omitempty"`  // ECDSA P-256
	Signature string    `json:"signature,omitempty"` // ECDSA-SHA256
}

// HTTP is the HTTP stage's result: the final response, and every hop when
// redirects were followed.
type HTTP struct {
	Status    int    `json:"status,omitempty"` // the last response's status code
	Reason    string `json:"reason,omitempty"`
	Proto     string `json:"proto,omitempty"`
	URL       string `json:"url,omitempty"` // the last URL asked for
	Redirects int    `json:"redirects"`     // redirects followed
	// Hops are the requests made, in order; with -L, one per redirect
	// followed. Hop i's request and response are HTTP exchange Hops[i].Exchange.
	Hops []HTTPHop `json:"hops,omitempty"`
}

// HTTPHop is one request and its response.
type HTTPHop struct {
	Exchange int    `json:"exchange"` // index in the HTTP stage's exchanges
	URL      string `json:"url"`
	Method   string `json:"method"`
	Remote   string `json:"remote,omitempty"` // the server's address as shown
	Local    string `json:"local,omitempty"`
	Status   int    `json:"status,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Proto    string `json:"proto,omitempty"`
	Location string `json:"location,omitempty"` // a redirect's target, resolved against URL

	// Framing of the body as received.
	Chunked       bool     `json:"chunked,omitempty"`
	ContentLength int64    `json:"content_length"`      // -1 when the response gave none
	Encodings     []string `json:"encodings,omitempty"` // Content-Encoding, in the order applied
	// Body is the body after chunked framing and content encodings are
	// undone, up to the capture cap; nil when it equals the raw body bytes
	// in the exchange (no framing, no encoding).
	Body []byte `json:"body,omitempty"`
	// BodySize counts the body's bytes on the wire (after chunked framing
	// is undone, before decoding); BodyDropped those not kept.
	BodySize    int64 `json:"body_size"`
	BodyDropped int64 `json:"body_dropped,omitempty"`
	// Decoded is set when the content encodings were undone (--compressed):
	// Body is then the decoded body.
	Decoded bool `json:"decoded,omitempty"`
	// DecodedSize counts the decoded body's bytes, kept or not, up to a
	// cap; DecodedCapped says the body decodes to more (a gzip bomb), so
	// DecodedSize is where counting stopped, not the size.
	DecodedSize   int64  `json:"decoded_size,omitempty"`
	DecodedCapped bool   `json:"decoded_capped,omitempty"`
	DecodeError   string `json:"decode_error,omitempty"` // the encoding could not be undone

	// TLS is the handshake of a later hop's own connection; the first
	// hop's is the connect stage's.
	TLS *TLS `json:"tls,omitempty"`

	Timing Timing `json:"timing"`
}

// Timing is where one hop's time went, split as httpstat and curl -w split
// it: offsets from the journey's start where a phase begins, durations of
// each phase. Phases follow one another, with a gap only where step mode
// held a packet.
type Timing struct {
	Start      time.Duration `json:"start_ns"`       // offset of the TCP connect
	TLSStart   time.Duration `json:"tls_start_ns"`   // offset of the ClientHello; 0 for http
	WriteStart time.Duration `json:"write_start_ns"` // offset of the request's first byte written
	Connect    time.Duration `json:"connect_ns"`     // TCP handshake
	TLS        time.Duration `json:"tls_ns"`         // TLS handshake; 0 for http
	Write      time.Duration `json:"write_ns"`       // writing the request
	TTFB       time.Duration `json:"ttfb_ns"`        // request written to the response's first byte: server processing
	Transfer   time.Duration `json:"transfer_ns"`    // first byte to last byte
	Total      time.Duration `json:"total_ns"`       // connect start to last byte, on the journey's clock (step mode's pauses left out)
	FirstByte  time.Duration `json:"first_byte_ns"`  // offset of the first byte from the journey's start
}
