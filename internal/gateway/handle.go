package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"journey/internal/router"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// captureCap bounds the bytes of each direction kept in the trace; past it
// bytes are counted, not kept (a static file can be a megabyte).
const captureCap = 64 << 10

// Site is a Django-style application behind a WSGI-style gateway: a URL
// configuration, the settings and the middleware.
type Site struct {
	conf       *router.URLConf
	settings   Settings
	middleware []Middleware
	software   string
}

// NewSite returns the site for conf, with a new Django project's settings
// and middleware.
func NewSite(conf *router.URLConf) *Site {
	return &Site{conf: conf, settings: DefaultSettings, middleware: defaultMiddleware(conf, DefaultSettings), software: ServerSoftware}
}

// URLConf is the site's URL configuration.
func (s *Site) URLConf() *router.URLConf { return s.conf }

// ConnInfo is what the gateway knows about the connection a request came on.
type ConnInfo struct {
	Client    string // the client's address as the server sees it
	Server    string // the address the server listens on (SERVER_NAME, SERVER_PORT)
	Scheme    string // http, or https when TLS was ended before the gateway
	Reenacted bool   // live: run locally on the bytes that were sent
}

// Served is one request served: the bytes, and the gateway and router
// stages recorded while serving it. Their offsets count from Origin.
type Served struct {
	Request  []byte
	Response []byte
	Status   int
	Origin   time.Time
	Gateway  *trace.Stage
	Router   *trace.Stage
	// KeepAlive says the client asked to keep the connection open and the
	// response was written so that it can be (its length known): the
	// server reads the next request from it.
	KeepAlive bool
}

// run is the recording of one request while it is served.
type run struct {
	origin time.Time
	gw     *trace.Gateway
	rt     *trace.Router
	notes  []string
	rnotes []string
	rStart time.Duration
	rEnd   time.Duration
	routed bool
}

func (x *run) since() time.Duration { return time.Since(x.origin) }

func (x *run) step(name string, start time.Duration, detail string) {
	x.gw.Steps = append(x.gw.Steps, trace.GatewayStep{Name: name, Start: start, Duration: x.since() - start, Detail: detail})
}

// Handle serves one request read from r and writes the response to w,
// recording every step. It never fails: a request it cannot read is
// answered with the status a WSGI server gives it (400, 413, 431).
func (s *Site) Handle(r io.Reader, w io.Writer, info ConnInfo) *Served {
	if info.Scheme == "" {
		info.Scheme = "http"
	}
	x := &run{origin: time.Now()}
	x.gw = &trace.Gateway{Reenacted: info.Reenacted, Software: s.software, Client: info.Client, Scheme: info.Scheme, Origin: x.origin}
	x.rt = &trace.Router{URLConf: s.conf.Name, Origin: x.origin}

	t := x.since()
	fb := &firstByte{r: r}
	in, err := readRequest(fb)
	// The stage starts when the request's first byte arrived, not when
	// the server began waiting for it.
	begin := t
	if !fb.at.IsZero() {
		begin = fb.at.Sub(x.origin)
		t = begin
	}
	var resp *Response
	var req *Request
	if err != nil {
		x.step("read the request", t, err.Error())
		resp = refusal(err)
		x.notes = append(x.notes, "the gateway refused the request before building an environment: "+err.Error())
	} else {
		x.gw.Method, x.gw.Target, x.gw.Proto = in.req.Method, in.req.RequestURI, in.req.Proto
		x.gw.BodySize = int64(len(in.body))
		x.step("read the request", t, fmt.Sprintf("%s: head %d, body %d; parsed with net/http's ReadRequest", count(len(in.raw), "byte"), in.headLen, len(in.raw)-in.headLen))

		t = x.since()
		req = buildEnviron(in, info)
		x.gw.Environ = req.Environ
		x.step("build the environment", t, count(len(req.Environ), "key")+", as PEP 3333 names them")
		x.notes = append(x.notes, req.Dropped...)
		switch {
		case req.PathInfo != req.Path:
			x.notes = append(x.notes, fmt.Sprintf("PATH_INFO is percent-decoded to bytes, one latin-1 character each as PEP 3333 says (%s); Django reads the bytes as UTF-8: %s arrived as %s", pyReprLatin1(req.PathInfo), req.Path, req.RawPath))
		case req.RawPath != req.Path:
			x.notes = append(x.notes, fmt.Sprintf("PATH_INFO is percent-decoded: %s arrived as %s", req.Path, req.RawPath))
		}
		resp = s.onion(x, req)
	}

	t = x.since()
	method := ""
	if in != nil && in.req != nil {
		method = in.req.Method
	}
	chunked := in != nil && in.req != nil && in.req.ProtoAtLeast(1, 1)
	proto := "HTTP/1.1"
	if in != nil && in.req != nil && !chunked {
		proto = "HTTP/1.0"
	}
	keepAlive := err == nil && chunked && asksKeepAlive(in.req.Header) && delimited(resp, method)
	out, fields, cuts := serialise(resp, method, proto, time.Now(), keepAlive)
	detail := fmt.Sprintf("status line, %s, %s", count(len(resp.Headers)+3, "header"), count(resp.bodyLen(), "body byte"))
	if resp.Stream != nil {
		if chunked {
			detail += fmt.Sprintf(" streamed in %s: no Content-Length, so Transfer-Encoding: chunked", count(len(resp.Stream), "chunk"))
			if !info.Reenacted && len(cuts) > 0 {
				detail += fmt.Sprintf("; the view makes each piece in %s, so they leave %s apart", StreamPause, StreamPause)
			}
		} else {
			detail += " streamed to an HTTP/1.0 client: no Content-Length and no chunks, the closed connection ends the body"
		}
	}
	x.step("serialise the response", t, detail)
	if method == http.MethodHead {
		x.notes = append(x.notes, "HEAD: the gateway sends the headers the view produced (Content-Length included) but not the body")
	}
	x.gw.Response = &trace.Response{Status: resp.Status, Reason: http.StatusText(resp.Status), BodySize: resp.bodyLen()}
	x.gw.Response.Headers = responseHeaders(out)

	t = x.since()
	werr := writeOut(w, out, cuts, !info.Reenacted)
	detail = count(len(out), "byte")
	if len(cuts) > 0 && !info.Reenacted {
		detail += fmt.Sprintf(" in %d writes, %s apart: a streamed body leaves as the view makes it", len(cuts)+1, StreamPause)
	}
	if werr != nil {
		detail = "the client was gone: " + werr.Error()
	}
	if keepAlive && werr == nil {
		detail += "; the connection stays open for the client's next request (it asked: Connection: keep-alive)"
	}
	x.step("write the response", t, detail)
	end := x.since()

	var raw []byte
	if in != nil {
		raw = in.raw
	}
	sv := &Served{Request: raw, Response: out, Status: resp.Status, Origin: x.origin, KeepAlive: keepAlive && werr == nil}
	ex := &trace.Exchange{
		Kind:      "wsgi",
		Label:     exchangeLabel(in, resp),
		Peer:      trace.Peer{Addr: info.Client},
		Transport: trace.TransportProcess,
		Start:     0,
		Duration:  end,
		Sent:      capture(raw, fieldsOrNil(in)),
		Outcome:   strconv.Itoa(resp.Status) + " " + http.StatusText(resp.Status),
	}
	// The response's bytes belong to the router stage's exchange: the view
	// made them, the gateway only serialised them.
	view := &trace.Exchange{
		Kind:      "view",
		Label:     "the response, serialised: " + ex.Outcome,
		Peer:      ex.Peer,
		Transport: trace.TransportProcess,
		Start:     x.rStart,
		Duration:  end - x.rStart,
		Received:  capture(out, fields),
		Outcome:   ex.Outcome,
	}
	if werr != nil {
		ex.Error = werr.Error()
		view.Error = werr.Error()
	}
	ex.Start, ex.Duration = begin, end-begin
	sv.Gateway = &trace.Stage{Kind: trace.StageGateway, Status: trace.StatusDone, Start: begin, Duration: end - begin, Notes: x.notes, Exchanges: []*trace.Exchange{ex}, Gateway: x.gw}
	if x.routed && x.rt.Status != 0 && x.rt.Status != resp.Status {
		x.rnotes = append(x.rnotes, fmt.Sprintf("the router and view answered %d; on the way back up the middleware changed it to %d %s (stage 4 says which and why)", x.rt.Status, resp.Status, http.StatusText(resp.Status)))
	}
	if x.routed {
		sv.Router = &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusDone, Start: x.rStart, Duration: x.rEnd - x.rStart, Notes: x.rnotes, Router: x.rt, Exchanges: []*trace.Exchange{view}}
	} else {
		view.Start, view.Duration = begin, end-begin
		why := "not reached: the gateway answered before the router ran"
		if len(x.notes) > 0 && req == nil {
			why = "not reached: the gateway refused the request"
		}
		sv.Router = &trace.Stage{Kind: trace.StageRouter, Status: trace.StatusSkipped, Start: end, Notes: []string{why}, Router: x.rt, Exchanges: []*trace.Exchange{view}}
	}
	return sv
}

// StreamPause is how long the lab's streaming view takes to make each
// piece after the first: long enough for the waterfall to show the body
// arriving over time, short enough for a class (three pieces: 0.3 s).
const StreamPause = 150 * time.Millisecond

// writeOut writes out, pausing StreamPause at each cut when pause is set:
// a StreamingHttpResponse's pieces leave as the view yields them.
func writeOut(w io.Writer, out []byte, cuts []int, pause bool) error {
	if !pause {
		cuts = nil
	}
	at := 0
	for _, c := range cuts {
		if _, err := w.Write(out[at:c]); err != nil {
			return err
		}
		at = c
		time.Sleep(StreamPause)
	}
	_, err := w.Write(out[at:])
	return err
}

// onion passes req down through the middleware, to the router and the
// view, and the response back up, recording each layer's turn.
func (s *Site) onion(x *run, req *Request) *Response {
	var resp *Response
	depth := len(s.middleware)
	for i, mw := range s.middleware {
		t := x.since()
		r, what := mw.ProcessRequest(req)
		x.gw.Middleware = append(x.gw.Middleware, trace.MiddlewareStep{Middleware: mw.Name(), Direction: trace.DirectionDown, Start: t, Duration: x.since() - t, Action: what, Answered: r != nil})
		if r != nil {
			resp, depth = r, i+1
			if r.raised {
				depth = i
			}
			break
		}
	}
	if resp == nil {
		t := x.since()
		resp = s.route(x, req)
		x.step("route and call the view", t, fmt.Sprintf("%s tried, %d %s", count(len(x.rt.Tried), "pattern"), resp.Status, http.StatusText(resp.Status)))
	}
	for i := depth - 1; i >= 0; i-- {
		mw := s.middleware[i]
		t := x.since()
		r, what, err := mw.ProcessResponse(req, resp)
		answered := false
		if err != nil {
			// Django wraps every layer in convert_exception_to_response: an
			// exception becomes a 500 here, and the outer layers see that.
			r = serverError(req, mw.Name()+".process_response", err)
			what = "raised " + err.Error() + " → 500"
			answered = true
			x.notes = append(x.notes, mw.Name()+" raised: "+err.Error())
			if _, ok := mw.(*commonMiddleware); ok {
				x.notes = append(x.notes, "why Django refuses: a 301 makes the browser repeat the request as a GET, without its body, so the form's data would be lost without a word; with DEBUG = False Django redirects anyway")
			}
		} else if r != resp {
			answered = true
		}
		resp = r
		x.gw.Middleware = append(x.gw.Middleware, trace.MiddlewareStep{Middleware: mw.Name(), Direction: trace.DirectionUp, Start: t, Duration: x.since() - t, Action: what, Answered: answered})
	}
	return resp
}

// route resolves the path and calls the view: the router stage.
func (s *Site) route(x *run, req *Request) *Response {
	x.routed = true
	x.rStart = x.since()
	defer func() { x.rEnd = x.since() }()
	res := s.conf.Resolve(req.Path)
	rt := x.rt
	rt.Resolve = x.since() - x.rStart
	rt.Path = res.Path
	for _, t := range res.Tried {
		rt.Tried = append(rt.Tried, trace.PatternTry{Route: t.Route, Name: t.Name, Depth: t.Depth, Include: t.Include, Matched: t.Matched, Why: t.Why, Line: t.Line})
	}
	x.rnotes = append(x.rnotes, res.Notes...)
	if res.Match == nil {
		rt.Status = http.StatusNotFound
		x.rnotes = append(x.rnotes, "no pattern matched: with DEBUG = True Django's 404 page (HTML, to every client) lists every pattern tried, in order")
		return debug404(s.conf, res, req)
	}
	m := res.Match
	rt.Match = &trace.RouteMatch{Route: m.Route, Name: m.Name}
	for _, c := range m.Captures {
		if c.Converter == "kwargs" {
			// path()'s dict of extra keyword arguments: not from the path.
			x.rnotes = append(x.rnotes, fmt.Sprintf("%s=%s comes from the pattern's dict of extra keyword arguments, not from the path", c.Name, c.Value))
		} else {
			rt.Match.Converters = append(rt.Match.Converters, trace.Converted{Name: c.Name, Converter: c.Converter, Regex: c.Regex, Text: c.Text, Value: c.Value, Type: c.Type})
		}
		rt.Args = append(rt.Args, trace.Argument{Name: c.Name, Value: c.Value})
	}
	for _, a := range m.Args {
		rt.Args = append(rt.Args, trace.Argument{Value: a.Value})
	}
	rt.View = m.View.String()
	if m.View.Source != "" {
		x.rnotes = append(x.rnotes, "static(): the bytes sent are "+m.View.Source)
	}
	// process_view: each middleware, in order, between the URL resolving
	// and the view; CsrfViewMiddleware refuses an unsafe request here.
	for _, mw := range s.middleware {
		vm, ok := mw.(viewMiddleware)
		if !ok {
			continue
		}
		t := x.since()
		r, what := vm.ProcessView(req)
		x.gw.Middleware = append(x.gw.Middleware, trace.MiddlewareStep{Middleware: mw.Name(), Direction: trace.DirectionDown, Start: t, Duration: x.since() - t, Action: "process_view: " + what, Answered: r != nil})
		if r != nil {
			rt.Status = r.Status
			x.rnotes = append(x.rnotes, fmt.Sprintf("the view %s was not called: %s answered %d first, in its process_view", m.View.String(), mw.Name(), r.Status))
			if req.CSRFReason != "" {
				x.notes = append(x.notes, csrfLesson(req))
			}
			return r
		}
	}
	rt.Start = x.since()
	resp, err := callView(s.conf, m.View, req, m)
	rt.Took = x.since() - rt.Start
	if err != nil {
		rt.Error = err.Error()
		resp = serverError(req, "the view "+m.View.Func+"() of pattern "+m.Route, err)
		x.rnotes = append(x.rnotes, "the view raised "+err.Error()+": Django catches it and answers 500; with DEBUG = True the page names the exception and shows the traceback (HTML to a client that accepts it, text otherwise)")
	}
	rt.Status = resp.Status
	return resp
}

// refusal is the response to a request the gateway could not read.
func refusal(err error) *Response {
	status := http.StatusBadRequest
	var re *requestError
	if errors.As(err, &re) {
		status = re.status
	}
	resp := newResponse(status, "text/plain; charset=utf-8", []byte(http.StatusText(status)+": "+safetext.Line(err.Error())+"\n"))
	// The server itself answers, with the length, as gunicorn does.
	resp.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	return resp
}

func exchangeLabel(in *incoming, resp *Response) string {
	status := strconv.Itoa(resp.Status) + " " + http.StatusText(resp.Status)
	if in == nil || in.req == nil {
		return "unreadable request → " + status
	}
	return in.req.Method + " " + in.req.RequestURI + " → " + status
}

func fieldsOrNil(in *incoming) []trace.Field {
	if in == nil {
		return nil
	}
	return in.fields
}

// capture keeps up to captureCap bytes and counts the rest. Fields past
// the cap are dropped with the bytes.
func capture(b []byte, fields []trace.Field) trace.Message {
	if len(b) <= captureCap {
		return trace.Message{Bytes: b, Fields: fields}
	}
	var kept []trace.Field
	for _, f := range fields {
		if f.Offset+f.Length <= captureCap {
			kept = append(kept, f)
		}
	}
	return trace.Message{Bytes: b[:captureCap], Dropped: int64(len(b) - captureCap), Fields: kept}
}

// responseHeaders lists the headers of serialised response bytes.
func responseHeaders(out []byte) []trace.Header {
	head := out
	for i := 0; i+3 < len(out); i++ {
		if out[i] == '\r' && out[i+1] == '\n' && out[i+2] == '\r' && out[i+3] == '\n' {
			head = out[:i+2]
			break
		}
	}
	return headerOrder(head)
}

// firstByte notes when the first byte of the request arrived.
type firstByte struct {
	r  io.Reader
	at time.Time
}

func (f *firstByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && f.at.IsZero() {
		f.at = time.Now()
	}
	return n, err
}

// count says n things in English: "1 pattern", "2 patterns".
func count[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(int64(n), 10) + " " + noun + "s"
}

// asksKeepAlive reports whether the request's Connection header asks, in
// so many words, for the connection to stay open. HTTP/1.1 would keep it
// open without asking (RFC 9112 section 9.3); the gateway, as gunicorn's
// sync worker, closes after one request unless asked, so that every
// client written for one request per connection (journey's own, unless
// --warm) sees exactly what it did before.
func asksKeepAlive(h http.Header) bool {
	for _, v := range h.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "close") {
				return false
			}
		}
	}
	for _, v := range h.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "keep-alive") {
				return true
			}
		}
	}
	return false
}

// delimited reports whether the client can tell where the response ends
// without the connection closing: a Content-Length, or a status or
// method that has no body. A stream (chunked) is not kept alive, to keep
// the pauses between its pieces the last thing on the connection.
func delimited(resp *Response, method string) bool {
	if resp.Stream != nil {
		return false
	}
	if _, ok := resp.Header("Content-Length"); ok {
		return true
	}
	return method == http.MethodHead || resp.Status == http.StatusNotModified || resp.Status == http.StatusNoContent
}
