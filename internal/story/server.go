package story

import (
	"fmt"
	"strings"

	"journey/internal/trace"
)

// inside returns the lane of a party inside the web server.
func (b *builder) inside(k PartyKind) int {
	return b.party(string(k), Party{Kind: k, Name: string(k)})
}

// server adds the server's side of the last request: the gateway reads it
// and builds the environment, the middleware on the way in, the router's
// search, the view, the middleware on the way out, the response written.
func (b *builder) server() {
	gs := b.j.Stage(trace.StageGateway)
	rs := b.j.Stage(trace.StageRouter)
	if gs == nil || gs.Gateway == nil {
		return
	}
	g := gs.Gateway
	srv := b.lastServer()
	gw := b.inside(PartyGateway)
	var wsgi *trace.Exchange
	wsgiIndex := -1
	for i, e := range gs.Exchanges {
		if e != nil && e.Kind == "wsgi" {
			wsgi, wsgiIndex = e, i
			break
		}
	}
	b.requestIndex = wsgiIndex
	step := func(name string) *trace.GatewayStep {
		for k := range g.Steps {
			if strings.HasPrefix(g.Steps[k].Name, name) {
				return &g.Steps[k]
			}
		}
		return nil
	}
	if g.Reenacted {
		b.add(Step{Stage: trace.StageGateway, Kind: KindRead, From: srv, To: gw, Start: gs.Start, ExchangeIndex: -1,
			Title:     "re-enacted here",
			Narration: fmt.Sprintf("The real site runs its own software, which we cannot see. What follows is a re-enactment: the exact bytes we sent, handed to journey's own gateway and router (%s) on this machine.", line(g.Software))})
	}

	// The request read.
	read := Step{Stage: trace.StageGateway, Kind: KindRead, From: srv, To: gw, Start: gs.Start, Title: "read the request",
		Exchange: wsgi, ExchangeIndex: wsgiIndex, Dir: DirSent}
	if wsgi != nil {
		read.Bytes, read.Fields = wsgi.Sent.Bytes, wsgi.Sent.Fields
		read.Lesson = findField(wsgi.Sent.Fields, "request-target")
		b.serverRequest = wsgi
	}
	if st := step("read"); st != nil {
		read.Start, read.Duration = st.Start, st.Duration
	}
	ends := "TCP ends there"
	if g.Scheme == "https" {
		ends = "TCP and TLS end there"
	}
	read.Narration = fmt.Sprintf("On the server, the same bytes come out of its socket: %s. The gateway parses them: method %s, target %s, %s. The client's address, as the server sees it: %s.",
		ends, line(g.Method), line(g.Target), line(g.Proto), line(g.Client))
	b.add(read)

	// The environment.
	env := Step{Stage: trace.StageGateway, Kind: KindEnviron, From: gw, To: gw, Start: read.Start + read.Duration, Title: "build the environment"}
	b.requestBytes(&env, "request line")
	if st := step("build"); st != nil {
		env.Start, env.Duration = st.Start, st.Duration
	}
	pathInfo, query := "", ""
	for _, v := range g.Environ {
		switch v.Name {
		case "PATH_INFO":
			pathInfo = v.Value
		case "QUERY_STRING":
			query = v.Value
		}
	}
	env.Narration = fmt.Sprintf("The gateway turns the request into an environment, %s as PEP 3333 (WSGI) names them: PATH_INFO is %s, QUERY_STRING %s, each header an HTTP_ key. The application sees this dictionary, never the bytes.",
		plural(int64(len(g.Environ)), "key", "keys"), quote(pathInfo), quote(query))
	if g.BodySize > 0 {
		env.Narration += fmt.Sprintf(" The body's %s wait in wsgi.input.", plural(g.BodySize, "byte", "bytes"))
	}
	b.add(env)

	// Middleware on the way in.
	// Django calls each middleware's process_view after the router has
	// chosen the view and before it runs: those turns are told there.
	var down, views, up []trace.MiddlewareStep
	for _, m := range g.Middleware {
		switch {
		case m.Direction == trace.DirectionUp:
			up = append(up, m)
		case strings.HasPrefix(m.Action, "process_view"):
			views = append(views, m)
		default:
			down = append(down, m)
		}
	}
	answered := false
	for k, m := range down {
		st := Step{Stage: trace.StageGateway, Kind: KindMiddlewareIn, From: gw, To: gw, Start: m.Start, Duration: m.Duration,
			Title: "↓ " + short(m.Middleware)}
		st.Narration = fmt.Sprintf("On the way in, middleware %d of %d, %s, sees the request before the view: %s.", k+1, len(down), short(m.Middleware), action(m.Action))
		if m.Answered {
			answered = true
			st.Narration += " It answers itself: the router and the view are never reached, and the response goes back out through the middleware already passed."
		}
		b.add(st)
	}

	// The router and the view.
	final := 0
	if g.Response != nil {
		final = g.Response.Status
	}
	if !answered && rs != nil && rs.Router != nil {
		b.router(rs, gw, final, views)
	}

	// Middleware on the way out.
	from := gw
	if v, ok := b.index[string(PartyView)]; ok && !answered {
		from = v
	}
	for k, m := range up {
		st := Step{Stage: trace.StageGateway, Kind: KindMiddlewareOut, From: from, To: gw, Start: m.Start, Duration: m.Duration,
			Title: "↑ " + short(m.Middleware)}
		st.Narration = fmt.Sprintf("On the way out, in reverse order, middleware %d of %d, %s, sees the response: %s.", k+1, len(up), short(m.Middleware), action(m.Action))
		if strings.Contains(m.Action, "APPEND_SLASH") {
			st.Narration += " That is Django's APPEND_SLASH redirect: the browser asks again, with the slash."
		}
		b.add(st)
		from = gw
	}

	// The response written.
	w := Step{Stage: trace.StageGateway, Kind: KindWrite, From: from, To: srv, Title: "write the response"}
	if st := step("serialise"); st != nil {
		w.Start = st.Start
	}
	if st := step("write"); st != nil {
		if w.Start == 0 {
			w.Start = st.Start
		}
		w.Duration = st.Start + st.Duration - w.Start
	}
	if rs != nil {
		for i, e := range rs.Exchanges {
			if e != nil && e.Kind == "view" {
				w.Exchange, w.ExchangeIndex, w.Dir = e, i, DirReceived
				w.Bytes, w.Fields = e.Received.Bytes, e.Received.Fields
				w.Lesson = findField(e.Received.Fields, "status line")
				w.ExchangeStage = trace.StageRouter
				break
			}
		}
	}
	if r := g.Response; r != nil {
		w.Title = fmt.Sprintf("%d %s", r.Status, line(r.Reason))
		w.Narration = fmt.Sprintf("The gateway serialises the response: a status line (%d %s), %s, a blank line and %s of body, and writes them to the socket, back the way the request came.",
			r.Status, line(r.Reason), plural(int64(len(r.Headers)), "header", "headers"), plural(int64(r.BodySize), "byte", "bytes"))
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, "Transfer-Encoding") && strings.Contains(strings.ToLower(h.Value), "chunked") {
				w.Narration += " The view yields its body piece by piece, so no Content-Length can be sent first: each piece goes as a chunk."
				if w.Bytes != nil {
					w.Lesson = firstOf(w.Fields, "Transfer-Encoding", "status line")
				}
			}
		}
	} else {
		w.Narration = "The gateway serialises the response and writes it to the socket."
	}
	b.add(w)
}

// router adds the router's search, the match, each converter, the view.
func (b *builder) router(rs *trace.Stage, gw int, final int, views []trace.MiddlewareStep) {
	r := rs.Router
	rt := b.inside(PartyRouter)
	search := Step{Stage: trace.StageRouter, Kind: KindRoute, From: gw, To: rt, Start: rs.Start, Duration: r.Resolve,
		Title: fmt.Sprintf("resolve %s", quote(r.Path))}
	var n strings.Builder
	fmt.Fprintf(&n, "The router takes PATH_INFO without its leading slash, %s, and tries the patterns of %s in order, first match wins.", quote(r.Path), line(r.URLConf))
	includes := 0
	for _, t := range r.Tried {
		if t.Include {
			includes++
		}
	}
	var include *trace.PatternTry
	for k := range r.Tried {
		if t := &r.Tried[k]; t.Include && r.Match != nil && strings.HasPrefix(r.Match.Route, t.Route) {
			include = t
		}
	}
	switch {
	case r.Match != nil && len(r.Tried) == 1:
		n.WriteString(" The first one fits.")
	case r.Match != nil:
		fmt.Fprintf(&n, " %s tried before one fits.", plural(int64(len(r.Tried)-1), "pattern was", "patterns were"))
		if include != nil {
			fmt.Fprintf(&n, " %s is an include(): %s. The group's own patterns are tried on what is left.", quote(include.Route), strings.TrimSuffix(line(include.Why), "."))
		} else {
			t := r.Tried[len(r.Tried)-2]
			fmt.Fprintf(&n, " The one before, %s: %s.", quote(t.Route), strings.TrimSuffix(line(t.Why), "."))
		}
	default:
		fmt.Fprintf(&n, " All %s fail, each for a reason; the debug 404 page lists them in order: that list is the router's search.", plural(int64(len(r.Tried)), "pattern", "patterns"))
	}
	search.Narration = n.String()
	search.Failed = r.Match == nil
	b.requestBytes(&search, "request-target")
	b.add(search)

	if r.Match == nil {
		st := Step{Stage: trace.StageRouter, Kind: KindMatch, From: rt, To: gw, Start: rs.Start + r.Resolve, Failed: true,
			Title:     "no match: 404",
			Narration: fmt.Sprintf("No pattern matches %s, so no view is called: the router raises Http404, a 404 Not Found. With DEBUG on, the page lists the %s tried, in order.", quote(r.Path), plural(int64(len(r.Tried)), "pattern", "patterns"))}
		if final != 0 && final != 404 {
			st.Narration = fmt.Sprintf("No pattern matches %s, so no view is called: the router raises Http404. The answer will not stay a 404: on the way out a middleware turns it into a %d.", quote(r.Path), final)
			st.Failed = false
		}
		b.add(st)
		return
	}
	m := r.Match
	var mn strings.Builder
	fmt.Fprintf(&mn, "The pattern %s", quote(strings.TrimSpace(m.Route)))
	if m.Name != "" {
		fmt.Fprintf(&mn, " (named %s)", quote(m.Name))
	}
	fmt.Fprintf(&mn, " matches %s.", quote(r.Path))
	if len(m.Converters) > 0 {
		if len(m.Converters) == 1 {
			mn.WriteString(" Its converter now turns the captured text into the view's argument.")
		} else {
			fmt.Fprintf(&mn, " Its %d converters now turn the captured text into the view's arguments.", len(m.Converters))
		}
	} else {
		mn.WriteString(" It captures nothing, so the view gets only the request.")
	}
	match := Step{Stage: trace.StageRouter, Kind: KindMatch, From: rt, To: rt, Start: rs.Start + r.Resolve, Title: "match: " + quote(strings.TrimSpace(m.Route)), Narration: mn.String()}
	b.requestBytes(&match, "request-target")
	b.add(match)
	for _, c := range m.Converters {
		st := Step{Stage: trace.StageRouter, Kind: KindConvert, From: rt, To: rt, Start: rs.Start + r.Resolve,
			Title: fmt.Sprintf("%s: %s → %s", line(c.Converter), quote(c.Text), line(c.Value))}
		st.Narration = fmt.Sprintf("The %s converter of <%s:%s> extracts %s from the text %s", line(c.Converter), line(c.Converter), line(c.Name), line(c.Value), quote(c.Text))
		if c.Regex != "" {
			st.Narration += fmt.Sprintf(" (it matches the regex %s)", line(c.Regex))
		}
		st.Narration += fmt.Sprintf(": the view receives %s=%s, a Python %s, not a string.", line(c.Name), line(c.Value), line(c.Type))
		if c.Type == "str" {
			st.Narration = strings.Replace(st.Narration, ", not a string.", ".", 1)
		}
		b.captured(&st, c)
		b.add(st)
	}

	viewAnswered := false
	for _, m := range views {
		// Told with the router's steps: it runs between the match and
		// the view, so the story does not leave the stage for one turn.
		st := Step{Stage: trace.StageRouter, Kind: KindMiddlewareIn, From: gw, To: gw, Start: m.Start, Duration: m.Duration,
			Title: "↓ " + short(m.Middleware) + ".process_view"}
		act := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(m.Action, "process_view"), ":"))
		st.Narration = fmt.Sprintf("The view is chosen but not yet called: %s's process_view sees the request and the view first: %s.", short(m.Middleware), action(act))
		if m.Answered {
			st.Narration += " It answers itself: the view is never called."
			viewAnswered = true
		}
		b.add(st)
	}
	if viewAnswered {
		return
	}

	v := b.inside(PartyView)
	args := make([]string, 0, len(r.Args))
	for _, a := range r.Args {
		if a.Name != "" {
			args = append(args, line(a.Name)+"="+line(a.Value))
		} else {
			args = append(args, line(a.Value))
		}
	}
	view := Step{Stage: trace.StageRouter, Kind: KindView, From: rt, To: v, Start: r.Start, Duration: r.Took,
		Title: "view(" + strings.Join(append([]string{"request"}, args...), ", ") + ")"}
	var vn strings.Builder
	fmt.Fprintf(&vn, "The view %s is called with the request", clip(line(r.View), maxViewName))
	if len(args) > 0 {
		fmt.Fprintf(&vn, " and %s", strings.Join(args, ", "))
	}
	fmt.Fprintf(&vn, ". It ran %s", ms(r.Took))
	switch {
	case r.Error != "":
		fmt.Fprintf(&vn, " and raised an exception: %s. Nothing catches it, so the answer is 500 Internal Server Error: the fault is the server's, not the request's.", strings.TrimSuffix(line(r.Error), "."))
		view.Failed = true
	case r.Status != 0:
		fmt.Fprintf(&vn, " and returned a response: %d.", r.Status)
	default:
		vn.WriteString(".")
	}
	view.Narration = vn.String()
	// What the view returned is the body of the response it built.
	for i, e := range rs.Exchanges {
		if e != nil && e.Kind == "view" {
			view.Exchange, view.ExchangeIndex, view.Dir = e, i, DirReceived
			view.Bytes, view.Fields = e.Received.Bytes, e.Received.Fields
			view.Lesson = firstOf(e.Received.Fields, "body", "status line")
			break
		}
	}
	b.add(view)
}

// action words a middleware's action from the trace as the end of a
// sentence: "passed: it only acts on the response" reads "it lets it
// pass: it only acts on the response".
func action(a string) string {
	a = strings.TrimSuffix(line(a), ".")
	if rest, ok := strings.CutPrefix(a, "passed: "); ok {
		return "it lets it pass: " + rest
	}
	if a == "passed" {
		return "it lets it pass"
	}
	return a
}

// requestBytes shows the request's bytes, as the server read them, on a
// server-side step, with the named field as its lesson.
func (b *builder) requestBytes(st *Step, field string) {
	if b.serverRequest == nil {
		return
	}
	st.Exchange, st.ExchangeStage, st.Dir = b.serverRequest, trace.StageGateway, DirSent
	st.ExchangeIndex = b.requestIndex
	st.Bytes, st.Fields = b.serverRequest.Sent.Bytes, b.serverRequest.Sent.Fields
	st.Lesson = findField(st.Fields, field)
}

// captured shows the request's bytes on a converter's step, its lesson the
// text the converter took, found inside the request-target.
func (b *builder) captured(st *Step, c trace.Converted) {
	b.requestBytes(st, "request-target")
	t := st.Lesson
	if t == nil || c.Text == "" {
		return
	}
	target := string(slice(st.Bytes, t.Offset, t.Length))
	// The captured text is matched against the path, whose escapes the
	// request-target keeps: look for it as it was sent.
	if k := strings.Index(target, c.Text); k >= 0 {
		st.Lesson = &trace.Field{Name: "<" + c.Converter + ":" + c.Name + ">", Offset: t.Offset + k, Length: len(c.Text),
			Value: c.Text + " → " + c.Value + " (" + c.Type + ")"}
	}
}

// lastServer is the web server's lane of the last request.
func (b *builder) lastServer() int {
	for i := len(b.parties) - 1; i >= 0; i-- {
		if b.parties[i].Kind == PartyServer {
			return i
		}
	}
	return b.serverParty(trace.Peer{})
}

// short is a middleware's class name without its module.
func short(m string) string {
	if i := strings.LastIndex(m, "."); i >= 0 {
		m = m[i+1:]
	}
	return line(m)
}

// maxViewName bounds how much of a view's source a narration quotes: a
// template's text can be long, and the lesson is the call, not the text.
const maxViewName = 80

// clip cuts s to n runes, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// quote puts a value from the trace in single quotes, as Python prints a str.
func quote(s string) string { return "'" + line(s) + "'" }
