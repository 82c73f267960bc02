// Package trace owns the data model of one journey: its stages, the exchanges
// inside each stage, the bytes that crossed the wire with their annotated
// fields, and the timings. The engine builds a trace as it runs (through a
// Recorder); every renderer (TUI, plain text, JSON) only reads it.
//
// Timings are offsets from the journey's start, taken from the monotonic
// clock, and durations; both are time.Duration and encode as nanoseconds.
package trace

import "time"

// Format names the JSON document this package's types encode to. A reader
// accepts any document whose format is exactly this string.
const Format = "journey/1"

// Mode says where a journey ran.
type Mode string

const (
	ModeLive Mode = "live" // the real internet
	ModeLab  Mode = "lab"  // the built-in lab internet on loopback
)

// StageKind names one of the journey's stages.
type StageKind string

const (
	StageAddress StageKind = "address" // the TARGET taken apart
	StageDNS     StageKind = "dns"     // the name resolved to addresses
	StageConnect StageKind = "connect" // TCP, and TLS for https
	StageHTTP    StageKind = "http"    // the request and the response
	StageGateway StageKind = "gateway" // the server turns bytes into an environment
	StageRouter  StageKind = "router"  // the URL router picks a view
)

// StageOrder is the order in which stages happen and are shown.
var StageOrder = []StageKind{StageAddress, StageDNS, StageConnect, StageHTTP, StageGateway, StageRouter}

// Title is the stage's name as shown to a person.
func (k StageKind) Title() string {
	switch k {
	case StageAddress:
		return "the address"
	case StageDNS:
		return "DNS"
	case StageConnect:
		return "connect"
	case StageHTTP:
		return "HTTP"
	case StageGateway:
		return "gateway"
	case StageRouter:
		return "router and view"
	}
	return string(k)
}

// Index is the stage's number (0 for the address), or -1 if unknown.
func (k StageKind) Index() int {
	for i, s := range StageOrder {
		if s == k {
			return i
		}
	}
	return -1
}

// Status is where a stage stands.
type Status string

const (
	StatusPending Status = "pending" // not started yet
	StatusRunning Status = "running"
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"  // Stage.Error says why
	StatusSkipped Status = "skipped" // not needed (an IP literal needs no DNS); a note says why
)

// Transport is how an exchange's bytes travelled.
type Transport string

const (
	TransportUDP     Transport = "udp"
	TransportTCP     Transport = "tcp"
	TransportTLS     Transport = "tls"
	TransportProcess Transport = "in-process" // server-side steps: no wire
)

// Journey is one whole trace.
type Journey struct {
	Format   string        `json:"format"`  // always Format
	Version  string        `json:"version"` // the program version that made it
	Target   string        `json:"target"`  // TARGET as the user typed it
	Mode     Mode          `json:"mode"`
	Started  time.Time     `json:"started"` // wall clock, for display only
	Duration time.Duration `json:"duration_ns"`
	Stages   []*Stage      `json:"stages"`
	Error    string        `json:"error,omitempty"` // set when a stage failed
	// Timing is the journey's timing in curl -w's terms, set when the
	// journey ends; nil in a recording made before it existed.
	Timing *Summary `json:"timing,omitempty"`
	// Warm is the second visit to the same target in the same run
	// (--warm), as a browser's: the name from its cache, the connection
	// kept open, the page revalidated. A journey of its own, with its
	// own time axis (starting when the second visit started); nil
	// without --warm.
	Warm *Journey `json:"warm,omitempty"`
}

// Stage returns the journey's stage of that kind, or nil.
func (j *Journey) Stage(kind StageKind) *Stage {
	for _, s := range j.Stages {
		if s.Kind == kind {
			return s
		}
	}
	return nil
}

// Stage is one step of the journey.
type Stage struct {
	Kind      StageKind     `json:"kind"`
	Status    Status        `json:"status"`
	Start     time.Duration `json:"start_ns"`
	Duration  time.Duration `json:"duration_ns"`
	Error     string        `json:"error,omitempty"`
	Notes     []string      `json:"notes,omitempty"` // plain-words facts of this run (a limit hit, a fallback)
	Exchanges []*Exchange   `json:"exchanges,omitempty"`

	// Exactly one of these is set, matching Kind, once the stage has run.
	Address *Address `json:"address,omitempty"`
	DNS     *DNS     `json:"dns,omitempty"`
	Connect *Connect `json:"connect,omitempty"`
	HTTP    *HTTP    `json:"http,omitempty"`
	Gateway *Gateway `json:"gateway,omitempty"`
	Router  *Router  `json:"router,omitempty"`
}

// Peer is the other end of an exchange.
type Peer struct {
	Name string `json:"name,omitempty"` // host name where known (a.root-servers.net)
	Addr string `json:"addr,omitempty"` // IP:port as the journey sees it
	// Via is the loopback address the bytes really went to, when the lab
	// routed Addr there.
	Via string `json:"via,omitempty"`
}

// String names the peer the one way every view names it: the host name
// with the address it was reached at, "a.root-servers.net (198.41.0.4:53)";
// the address alone when no name is known; "the server" when there is
// neither. The address keeps its port: with -p, @SERVER:PORT or a URL's
// port it is part of what was asked. It lives here, beside the type, so
// the engine's labels (dns) and the renderers (facts.Peer) cannot name a
// peer two ways. Via is not part of the name: the lab's routing is told
// apart, where a view shows it at all.
func (p Peer) String() string {
	switch {
	case p.Name != "" && p.Addr != "":
		return p.Name + " (" + p.Addr + ")"
	case p.Name != "":
		return p.Name
	case p.Addr != "":
		return p.Addr
	}
	return "the server"
}

// Exchange is one round trip: bytes sent, bytes received.
type Exchange struct {
	Kind      string        `json:"kind"`            // "dns", "tcp", "tls", "http", ...
	Label     string        `json:"label"`           // one line: "a.root-servers.net: referral to com."
	Depth     int           `json:"depth,omitempty"` // nesting (a nameserver looked up inside a lookup)
	Peer      Peer          `json:"peer"`
	Local     string        `json:"local,omitempty"` // our local address
	Transport Transport     `json:"transport,omitempty"`
	Start     time.Duration `json:"start_ns"`
	Duration  time.Duration `json:"duration_ns"`
	Sent      Message       `json:"sent"`
	Received  Message       `json:"received"`
	Outcome   string        `json:"outcome,omitempty"` // what came back, in words
	Error     string        `json:"error,omitempty"`   // why it failed
	Notes     []string      `json:"notes,omitempty"`
	// InFlight marks a request sent whose answer is not in yet: recorded
	// as soon as it leaves, so a view shows it while the server works (or
	// waits for the class, in step mode), and replaced by the finished
	// exchange when the answer comes or the wait fails.
	InFlight bool `json:"in_flight,omitempty"`

	DNS *DNSExchange `json:"dns,omitempty"` // set for DNS exchanges
}

// Failed reports whether the exchange ended in an error.
func (e *Exchange) Failed() bool { return e.Error != "" }

// Message is the bytes of one direction of an exchange.
type Message struct {
	Bytes []byte `json:"bytes,omitempty"` // exactly as on the wire, up to a capture cap
	// Dropped counts the bytes past the capture cap: seen, counted, not kept.
	Dropped int64   `json:"dropped,omitempty"`
	Fields  []Field `json:"fields,omitempty"`
	// Decrypted is Bytes with each TLS record's plaintext laid over its
	// ciphertext, at the same offsets (an AEAD cipher's ciphertext is as
	// long as its plaintext), so Fields locate the decrypted content too;
	// nil when nothing was decrypted. journey holds its own session's
	// secrets: this is what the encrypted records carried.
	Decrypted []byte `json:"decrypted,omitempty"`
	// Records, for a message sent over TLS (an HTTP request or response),
	// are the encrypted records that carried it, as they crossed the wire.
	Records *Message `json:"records,omitempty"`
}

// Size is the number of bytes that crossed the wire, kept or not.
func (m Message) Size() int64 { return int64(len(m.Bytes)) + m.Dropped }

// Field is one annotated part of a message: the tree Wireshark shows.
// Offset and Length locate it in the message's Bytes.
type Field struct {
	Name     string  `json:"name"`
	Offset   int     `json:"offset"`
	Length   int     `json:"length"`
	Value    string  `json:"value,omitempty"`
	Children []Field `json:"children,omitempty"`
}
