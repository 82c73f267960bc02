package story

import (
	"time"

	"journey/internal/trace"
)

// MaxNarration bounds a narration's length in characters (runes). The tour
// shows the narration under the ladder at 80x24 with six lines of 78 columns
// to spare; 450 characters wrap into at most six such lines for ordinary
// English prose. A test holds every step of every recording to it.
const MaxNarration = 450

// NarrationWidth and NarrationLines are the room the tour gives a
// narration at 80x24: six lines of 78 columns (80 less a border). Every
// narration, wrapped with Wrap at NarrationWidth, fits in NarrationLines.
const (
	NarrationWidth = 78
	NarrationLines = 6
)

// PartyKind says what a party of the story is: it decides its lane.
type PartyKind string

const (
	PartyYou     PartyKind = "you"     // this program, the client
	PartyDNS     PartyKind = "dns"     // a DNS server (one party per server met)
	PartyServer  PartyKind = "server"  // the web server's socket: TCP, TLS and HTTP end here
	PartyGateway PartyKind = "gateway" // inside the web server: bytes to an environment, the middleware
	PartyRouter  PartyKind = "router"  // inside the web server: the URL patterns
	PartyView    PartyKind = "view"    // inside the web server: the function that answers
)

// Party is one lane of the ladder: someone who sends or receives.
type Party struct {
	Kind PartyKind
	Name string // safe to print: "you", "a.root-servers.net", "www.example.com", "gateway"
	Addr string // safe to print: "192.0.2.1:53"; empty for the parties inside the server
}

// Kind names what a step is.
type Kind string

const (
	KindAddress       Kind = "address"        // the TARGET taken apart (you → you)
	KindQuery         Kind = "query"          // a DNS question sent
	KindReply         Kind = "reply"          // a DNS response received
	KindLoss          Kind = "loss"           // a DNS question that got no usable reply
	KindConnect       Kind = "connect"        // the TCP handshake
	KindTLS           Kind = "tls"            // one TLS flight, either way
	KindRequest       Kind = "request"        // the HTTP request sent
	KindRead          Kind = "read"           // the server reads the request's bytes
	KindEnviron       Kind = "environ"        // the gateway builds the environment
	KindMiddlewareIn  Kind = "middleware-in"  // one middleware on the way in
	KindRoute         Kind = "route"          // the router's search: the patterns tried
	KindMatch         Kind = "match"          // the pattern that matched, or none
	KindConvert       Kind = "convert"        // one converter's value
	KindView          Kind = "view"           // the view called, and what it returned
	KindMiddlewareOut Kind = "middleware-out" // one middleware on the way out
	KindWrite         Kind = "write"          // the response serialised and written
	KindResponse      Kind = "response"       // the HTTP response received
	KindRedirect      Kind = "redirect"       // a redirect followed: the next hop begins
	KindPage          Kind = "page"           // the body, laid out as text
	KindStop          Kind = "stop"           // a stage failed and the journey ends: why
	KindTiming        Kind = "timing"         // the finished journey: where its time went
	KindVisit         Kind = "visit"          // --warm: the second visit begins
)

// Direction says which half of an exchange a step shows.
type Direction int

const (
	DirNone     Direction = iota // no bytes of an exchange
	DirSent                      // Exchange.Sent
	DirReceived                  // Exchange.Received
)

// Step is one arrow of the story.
type Step struct {
	// ID names the step stably while the journey streams in: steps can be
	// inserted before it (the server's side arrives after the response
	// it explains), but its ID stays, so a reader keeps its place with
	// Story.Find. It is "stage/kind/n", n counting that stage's steps of
	// that kind from 0.
	ID    string
	Stage trace.StageKind
	Kind  Kind
	// From and To index Story.Parties: who sends, who receives. They are
	// equal for a step that stays with one party (the address taken apart,
	// a middleware's turn).
	From, To int
	// Start is the offset from the journey's start at which the step
	// happens; Duration how long it took (for a reply, the round trip it
	// ended; zero when unknown).
	Start, Duration time.Duration
	// Exchange is the exchange the step shows, if any, and ExchangeIndex
	// its index in the exchanges of ExchangeStage (-1 when none): the
	// stage itself, except for the response written, whose bytes are the
	// router stage's view exchange. Dir says which half.
	Exchange      *trace.Exchange
	ExchangeStage trace.StageKind
	ExchangeIndex int
	Dir           Direction
	// Bytes are the step's bytes as they crossed the wire (raw: escape
	// before printing), or the page's body; nil when the step has none.
	// Fields annotate Bytes, offsets relative to Bytes.
	Bytes  []byte
	Fields []trace.Field
	// Lesson is the field of Bytes that carries the step's lesson (offsets
	// relative to Bytes), nil when no one field does.
	Lesson *trace.Field
	// Title is the arrow's label: short, one line, safe to print.
	Title string
	// Narration is one short paragraph with this run's values that states
	// the step's lesson; safe to print, at most MaxNarration runes.
	Narration string
	// Depth is the nesting of a lookup made inside the lookup (0 for the
	// main one).
	Depth int
	// Failed marks a step that went wrong: a lost packet, a refused
	// connection, an error status.
	Failed bool
	// Page is set on the KindPage step: the body laid out as text.
	Page *Page
	// Second marks a step of the second visit (--warm): its Exchange is
	// one of Journey.Warm's, not Journey's, and ExchangeIndex is -1; its
	// Start counts from the first visit's start, as the other steps'.
	Second bool
}

// Story is a journey's steps in time order, and the parties they pass
// between, in lane order (you first, then the DNS servers in the order met,
// then the web server and the parties inside it).
type Story struct {
	Journey *trace.Journey
	Parties []Party
	Steps   []Step
}

// Find returns the index of the step with that ID, or -1.
func (s *Story) Find(id string) int {
	for i, st := range s.Steps {
		if st.ID == id {
			return i
		}
	}
	return -1
}

// FirstOf returns the index of the first step of the stage, or -1.
func (s *Story) FirstOf(stage trace.StageKind) int {
	for i, st := range s.Steps {
		if st.Stage == stage {
			return i
		}
	}
	return -1
}

// Build reads the journey's trace into its story. It never fails and never
// panics: a journey cut short gives a shorter story.
func Build(j *trace.Journey) *Story {
	b := newBuilder(j)
	if j == nil {
		return b.story()
	}
	b.address()
	b.visit()
	b.warm()
	return b.story()
}

// visit tells one visit after its address: the lookup, the connection,
// the request and the server's side, the page, a failure, and where the
// time went.
func (b *builder) visit() {
	b.dns()
	b.web()
	b.lateDNS(-1)
	b.page()
	b.stop()
	b.timing()
}
