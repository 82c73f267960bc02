package trace

import "time"

// Gateway is the gateway stage's result: the server turning the request's
// bytes into a WSGI-style environment (PEP 3333), passing it through the
// middleware on the way down, and serialising the response on the way up.
type Gateway struct {
	// Reenacted is set live: the steps ran on this machine on the bytes
	// that were sent, not on the real site, which runs its own software.
	Reenacted bool   `json:"reenacted,omitempty"`
	Software  string `json:"software,omitempty"` // what played the server
	Client    string `json:"client,omitempty"`   // the client's address as the server saw it
	Scheme    string `json:"scheme,omitempty"`   // http or https (TLS ended before the gateway)

	Method   string `json:"method,omitempty"`
	Target   string `json:"target,omitempty"` // the request-target as sent: /articles/2024/?page=2
	Proto    string `json:"proto,omitempty"`
	BodySize int64  `json:"body_size,omitempty"` // wsgi.input's length

	Environ    []EnvVar         `json:"environ,omitempty"` // in the order a WSGI server builds it
	Steps      []GatewayStep    `json:"steps,omitempty"`   // parse, environ, middleware, view, serialise
	Middleware []MiddlewareStep `json:"middleware,omitempty"`
	Response   *Response        `json:"response,omitempty"`

	// Origin is the moment the stage's offsets count from while the server
	// records them; the engine rebases them onto the journey. Not encoded.
	Origin time.Time `json:"-"`
}

// EnvVar is one key of the WSGI environment.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`          // as Python would print it
	From  string `json:"from,omitempty"` // where it comes from: "request line", "Host header", "the server"
}

// GatewayStep is one timed step of the gateway.
type GatewayStep struct {
	Name     string        `json:"name"`
	Start    time.Duration `json:"start_ns"`
	Duration time.Duration `json:"duration_ns"`
	Detail   string        `json:"detail,omitempty"`
}

// Middleware directions: the onion is crossed down on the request and up
// on the response.
const (
	DirectionDown = "request"
	DirectionUp   = "response"
)

// MiddlewareStep is one middleware's turn, on the way down or up.
type MiddlewareStep struct {
	Middleware string        `json:"middleware"` // django.middleware.common.CommonMiddleware
	Direction  string        `json:"direction"`  // DirectionDown or DirectionUp
	Start      time.Duration `json:"start_ns"`
	Duration   time.Duration `json:"duration_ns"`
	Action     string        `json:"action"` // what it did, in words ("passed", "301 to /articles/2024/")
	Answered   bool          `json:"answered,omitempty"`
}

// Response is the response the gateway wrote.
type Response struct {
	Status   int      `json:"status"`
	Reason   string   `json:"reason"`
	Headers  []Header `json:"headers,omitempty"`
	BodySize int      `json:"body_size"`
}

// Header is one header line, in order.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Router is the router stage's result: the URL patterns tried in order,
// the match, what each converter extracted, and the view.
type Router struct {
	URLConf string        `json:"urlconf,omitempty"` // which configuration: the demo site or a --urls file
	Path    string        `json:"path"`              // what was matched: PATH_INFO without its leading slash
	Tried   []PatternTry  `json:"tried,omitempty"`
	Resolve time.Duration `json:"resolve_ns"`      // how long trying the patterns took
	Match   *RouteMatch   `json:"match,omitempty"` // nil: no pattern matched
	View    string        `json:"view,omitempty"`  // the view called, as the URL file wrote it
	Args    []Argument    `json:"args,omitempty"`  // what the view received
	Status  int           `json:"status,omitempty"`
	Error   string        `json:"error,omitempty"` // why the view failed (a 500)
	Start   time.Duration `json:"start_ns"`        // the view's call
	Took    time.Duration `json:"took_ns"`         // how long the view ran

	Origin time.Time `json:"-"` // as Gateway.Origin
}

// PatternTry is one pattern tried, in order.
type PatternTry struct {
	Route   string `json:"route"` // with its include() prefixes, as Django's debug 404 lists it
	Name    string `json:"name,omitempty"`
	Depth   int    `json:"depth,omitempty"`
	Include bool   `json:"include,omitempty"`
	Matched bool   `json:"matched,omitempty"`
	Why     string `json:"why"`
	Line    int    `json:"line,omitempty"` // in the URL file
}

// RouteMatch is the pattern that matched.
type RouteMatch struct {
	Route      string      `json:"route"`
	Name       string      `json:"name,omitempty"`
	Converters []Converted `json:"converters,omitempty"`
}

// Converted is what one converter took from the path and what it made of it.
type Converted struct {
	Name      string `json:"name"`
	Converter string `json:"converter"`
	Regex     string `json:"regex,omitempty"`
	Text      string `json:"text"`
	Value     string `json:"value"`
	Type      string `json:"type"`
}

// Argument is one argument the view received.
type Argument struct {
	Name  string `json:"name,omitempty"` // empty for a positional one
	Value string `json:"value"`
}
