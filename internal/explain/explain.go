// Package explain owns the plain-words explanation of a journey: what each
// stage and each exchange did, written for a beginner and filled with the
// values of this very run (which server was asked, what it answered, why
// the next one is asked, what a header means, what the router tried).
//
// Every value taken from the trace goes through safetext, so the text
// returned is safe to print on a terminal as it is.
package explain

import (
	"fmt"
	"net/textproto"
	"regexp"
	"strings"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// maxListed bounds how many items of a list (nameservers, answers) are named
// in one sentence: past a handful a sentence stops being readable.
const maxListed = 4

// maxTried bounds the patterns listed one per line: a URL file may hold
// hundreds, and the first dozen show how the search goes.
const maxTried = 12

// Stage explains one stage of the journey: what it is for and what it did
// in this run. It returns an empty string for a nil stage.
func Stage(s *trace.Stage) string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	switch s.Kind {
	case trace.StageAddress:
		address(&b, s)
	case trace.StageDNS:
		dnsStage(&b, s)
	case trace.StageConnect:
		connect(&b, s)
	case trace.StageHTTP:
		httpStage(&b, s)
	case trace.StageGateway:
		gateway(&b, s)
	case trace.StageRouter:
		router(&b, s)
	default:
		fmt.Fprintf(&b, "The %s stage.", line(string(s.Kind)))
	}
	switch s.Status {
	case trace.StatusPending:
		b.WriteString(" This stage has not started yet.")
	case trace.StatusRunning:
		b.WriteString(" This stage is running now; what it finds appears as it arrives.")
	case trace.StatusFailed:
		fmt.Fprintf(&b, " It failed after %s: %s.", trace.Dur(s.Duration), strings.TrimSuffix(line(s.Error), "."))
	case trace.StatusSkipped:
		b.WriteString(" It was skipped")
		if why := facts.SkipReason(s); why != "" {
			fmt.Fprintf(&b, ": %s", sentence(line(why)))
		} else {
			b.WriteString(".")
		}
	case trace.StatusDone:
		fmt.Fprintf(&b, " It took %s.", trace.Dur(s.Duration))
	}
	if s.Kind == trace.StageRouter {
		routerTried(&b, s)
	}
	return keepUnits(b.String())
}

func address(b *strings.Builder, s *trace.Stage) {
	b.WriteString("Before anything goes on the wire, the address you typed is taken apart.")
	a := s.Address
	if a == nil {
		return
	}
	fmt.Fprintf(b, " %q becomes the URL %s:", line(a.Input), line(a.URL))
	fmt.Fprintf(b, " the scheme %s says how to talk to the server", line(a.Scheme))
	if a.SchemeAssumed {
		b.WriteString(" (none was typed, so http is assumed)")
	}
	fmt.Fprintf(b, ", the host %s says which machine, port %d says which door on it", line(a.Host), a.Port)
	if a.PortDefault {
		fmt.Fprintf(b, " (the usual one for %s)", line(a.Scheme))
	}
	fmt.Fprintf(b, ", and the path %s says which page.", line(a.Path))
	if a.ASCIIHost != "" && a.ASCIIHost != a.Host {
		fmt.Fprintf(b, " The name has letters outside ASCII, so on the wire it is written in punycode: %s.", line(a.ASCIIHost))
	}
	if a.IsIP {
		b.WriteString(" The host is already an IP address, so there is no name to look up.")
		return
	}
	if a.PublicSuffix != "" {
		fmt.Fprintf(b, " Read from right to left, as DNS reads it: %s is the public suffix, under which anyone can register a name", line(a.PublicSuffix))
		if a.Registrable != "" {
			fmt.Fprintf(b, ", and %s is the registrable domain its owner bought", line(a.Registrable))
		}
		b.WriteString(".")
	}
	if a.Fragment != "" {
		fmt.Fprintf(b, " The fragment #%s stays in the browser: it is never sent.", line(a.Fragment))
	}
}

func dnsStage(b *strings.Builder, s *trace.Stage) {
	b.WriteString("Computers reach each other by number, so the name has to be turned into an IP address.")
	d := s.DNS
	if d == nil {
		if len(s.Exchanges) > 0 {
			fmt.Fprintf(b, " So far %s %s been asked.", facts.Count(len(s.Exchanges), "question", "questions"), facts.Plural(len(s.Exchanges), "has", "have"))
		}
		return
	}
	out := facts.DNSOf(s)
	switch d.Method {
	case trace.MethodIterative:
		fmt.Fprintf(b, " No single server knows every name: we asked for %s starting at a root server, which sent us to the servers of the top-level domain, which sent us on to the servers of the domain itself.", line(out.Name))
		fmt.Fprintf(b, " That took %s and %s.", facts.Count(out.Queries, "query", "queries"), facts.Count(out.Referrals, "referral", "referrals"))
	case trace.MethodResolver:
		fmt.Fprintf(b, " We asked one recursive resolver, %s, to do the whole search for %s and give us the result.", line(d.Resolver), line(out.Name))
	case trace.MethodSystem:
		fmt.Fprintf(b, " The root servers did not answer, so we fell back to this computer's own resolver (%s) for %s.", line(d.Resolver), line(out.Name))
	case trace.MethodOverride:
		fmt.Fprintf(b, " --resolve gave the address of %s, so no question was asked.", line(out.Name))
	case trace.MethodNone:
		b.WriteString(" The host is an IP address: no lookup is needed.")
	}
	if out.Aliased() {
		fmt.Fprintf(b, " The name is an alias (CNAME): %s.", list(out.Chain, " → "))
	}
	if len(d.Addresses) > 0 {
		fmt.Fprintf(b, " The answer: %s.", list(d.Addresses, ", "))
	}
}

func connect(b *strings.Builder, s *trace.Stage) {
	b.WriteString("With an address in hand, we open a TCP connection: three packets (SYN, SYN-ACK, ACK) agree that both sides are ready, before any of our data is sent.")
	c := s.Connect
	if c == nil {
		return
	}
	for _, a := range c.Attempts {
		if a.Error != "" {
			fmt.Fprintf(b, " Connecting to %s failed (%s), so the next address was tried.", line(a.Addr), strings.TrimSuffix(line(a.Error), "."))
		}
	}
	if c.Remote != "" {
		fmt.Fprintf(b, " We connected to %s", line(c.Remote))
		if c.Local != "" {
			fmt.Fprintf(b, " from %s (a port our system picked for this connection)", line(c.Local))
		}
		if c.TCP > 0 {
			fmt.Fprintf(b, " in %s", trace.Dur(c.TCP))
		}
		b.WriteString(".")
	}
	if t := c.TLS; t != nil {
		b.WriteString(" The address is https, so before any request the two sides run a TLS handshake: they agree on keys, and the server proves who it is with a certificate.")
		if t.ServerName != "" {
			fmt.Fprintf(b, " We said which site we want (SNI): %s.", line(t.ServerName))
		}
		if t.Version != "" {
			fmt.Fprintf(b, " They agreed on %s with %s", line(t.Version), line(t.CipherSuite))
			if t.ALPN != "" {
				fmt.Fprintf(b, ", and on %s as the protocol inside (ALPN)", line(t.ALPN))
			}
			b.WriteString(".")
			keyExchange(b, t)
		}
		if len(t.Chain) > 0 {
			fmt.Fprintf(b, " The certificate names %s and was issued by %s;", line(t.Chain[0].Subject), line(t.Chain[0].Issuer))
			v := facts.TLSOf(s)
			switch v.Verdict {
			case facts.Verified:
				b.WriteString(" it leads to a trusted root and names this host, so it verified.")
			case facts.VerifiedWithK:
				b.WriteString(" it leads to a trusted root and names this host, so it verified: the -k given was not needed.")
			case facts.UnverifiedWithK:
				fmt.Fprintf(b, " it did not verify (%s), and -k went on anyway: anyone on the path could read and change this connection.", strings.TrimSuffix(line(v.Why), "."))
			default:
				fmt.Fprintf(b, " it did not verify: %s.", strings.TrimSuffix(line(v.Why), "."))
			}
		}
	}
}

func httpStage(b *strings.Builder, s *trace.Stage) {
	b.WriteString("Over the connection we write an HTTP request: a request line, headers, a blank line; the server answers with a status line, headers, a blank line and the body.")
	h := s.HTTP
	if h == nil {
		return
	}
	for i, hop := range h.Hops {
		if i >= maxListed {
			fmt.Fprintf(b, " And %s.", facts.Count(len(h.Hops)-i, "more request", "more requests"))
			break
		}
		fmt.Fprintf(b, " We asked %s %s", line(hop.Method), line(hop.URL))
		if hop.Status != 0 {
			fmt.Fprintf(b, " and the server answered %d %s", hop.Status, line(reason(hop.Status, hop.Reason)))
		}
		b.WriteString(".")
		if hop.Location != "" {
			fmt.Fprintf(b, " That is a redirect: the page is at %s instead.", line(hop.Location))
		}
		if hop.Chunked {
			b.WriteString(" The body came in chunks, each preceded by its size in hexadecimal.")
		}
		if len(hop.Encodings) > 0 {
			fmt.Fprintf(b, " It was compressed with %s.", list(hop.Encodings, ", "))
		}
		if t := hop.Timing; t.TTFB > 0 {
			fmt.Fprintf(b, " The server took %s to start answering (time to first byte) and %s to send the rest.", trace.Dur(t.TTFB), trace.Dur(t.Transfer))
		}
	}
	if len(h.Hops) == 0 && h.Status != 0 {
		fmt.Fprintf(b, " The server answered %d %s.", h.Status, line(reason(h.Status, h.Reason)))
	}
}

// reason is the status's reason phrase as sent, or the standard one.
func reason(code int, sent string) string {
	if sent != "" {
		return sent
	}
	return StatusText(code)
}

func gateway(b *strings.Builder, s *trace.Stage) {
	b.WriteString("On the server, a gateway reads the raw request bytes and turns them into an environment, as Python's WSGI does: REQUEST_METHOD, PATH_INFO, QUERY_STRING and one HTTP_* entry per header, handed to the application.")
	g := s.Gateway
	if g == nil {
		return
	}
	if g.Reenacted {
		b.WriteString(" The real site runs its own software: what you see here is re-enacted on this computer with the exact bytes we sent.")
	}
	if g.Method != "" {
		fmt.Fprintf(b, " The request line says %s %s", line(g.Method), line(g.Target))
		if g.Client != "" {
			fmt.Fprintf(b, ", from the client %s", line(g.Client))
		}
		b.WriteString(".")
	}
	if len(g.Environ) > 0 {
		fmt.Fprintf(b, " The environment has %s", facts.Count(len(g.Environ), "key", "keys"))
		var some []string
		for _, e := range g.Environ {
			if e.Name == "PATH_INFO" || e.Name == "REQUEST_METHOD" || e.Name == "QUERY_STRING" {
				some = append(some, e.Name+"="+e.Value)
			}
		}
		if len(some) > 0 {
			fmt.Fprintf(b, ", among them %s", list(some, ", "))
		}
		b.WriteString(".")
	}
	if len(g.Middleware) > 0 {
		var names []string
		for _, mw := range g.Middleware {
			if mw.Direction == trace.DirectionDown {
				names = append(names, mw.Middleware)
			}
		}
		fmt.Fprintf(b, " On the way in, the request passes each middleware in turn (%s); on the way out the response passes them again in reverse.", list(names, ", "))
		for _, mw := range g.Middleware {
			if mw.Answered {
				fmt.Fprintf(b, " %s answered by itself: %s.", line(mw.Middleware), strings.TrimSuffix(line(mw.Action), "."))
				break
			}
		}
	}
	if r := g.Response; r != nil {
		fmt.Fprintf(b, " The application's response, %d %s with %s of body, is written back as bytes.", r.Status, line(reason(r.Status, r.Reason)), facts.Count(r.BodySize, "byte", "bytes"))
	}
}

// routerTried lists the patterns tried, one a line, after the prose.
func routerTried(b *strings.Builder, s *trace.Stage) {
	r := s.Router
	if r == nil || len(r.Tried) == 0 {
		return
	}
	b.WriteString("\nThe patterns, in the order they were tried:")
	for i, t := range r.Tried {
		if i == maxTried {
			fmt.Fprintf(b, "\n  and %d more", len(r.Tried)-i)
			break
		}
		mark := "✗"
		if t.Matched {
			mark = "✓"
		}
		fmt.Fprintf(b, "\n  %s %q", mark, line(t.Route))
		if t.Why != "" {
			fmt.Fprintf(b, ": %s", line(t.Why))
		}
	}
}

func router(b *strings.Builder, s *trace.Stage) {
	b.WriteString("The router compares the path with each URL pattern in order, as Django does; the first that matches picks the view, a function that builds the response.")
	r := s.Router
	if r == nil {
		return
	}
	fmt.Fprintf(b, " The path to match is %q", line(r.Path))
	if n := len(r.Tried); n > 0 {
		fmt.Fprintf(b, "; %s %s tried", facts.Count(n, "pattern", "patterns"), facts.Plural(n, "was", "were"))
	}
	b.WriteString(".")
	if r.Match == nil {
		var routes []string
		for _, t := range r.Tried {
			routes = append(routes, t.Route)
		}
		fmt.Fprintf(b, " None matched (%s), so the answer is 404 Not Found, as Django's debug page lists them.", list(routes, ", "))
		return
	}
	fmt.Fprintf(b, " The pattern %q matched", line(r.Match.Route))
	for i, c := range r.Match.Converters {
		if i == 0 {
			b.WriteString(":")
		} else {
			b.WriteString(",")
		}
		fmt.Fprintf(b, " the %s converter took %q and made %s %s of it", line(c.Converter), line(c.Text), line(c.Type), line(c.Value))
		if c.Name != "" {
			fmt.Fprintf(b, " (%s)", line(c.Name))
		}
	}
	b.WriteString(".")
	if r.View != "" {
		fmt.Fprintf(b, " The view %s was called", line(r.View))
		var args []string
		for _, a := range r.Args {
			if a.Name != "" {
				args = append(args, a.Name+"="+a.Value)
			} else {
				args = append(args, a.Value)
			}
		}
		if len(args) > 0 {
			fmt.Fprintf(b, " with %s", list(args, ", "))
		}
		if r.Status != 0 {
			fmt.Fprintf(b, " and returned %d %s", r.Status, StatusText(r.Status))
		}
		b.WriteString(".")
	}
	if r.Error != "" {
		fmt.Fprintf(b, " The view failed: %s, so the server answered 500.", strings.TrimSuffix(line(r.Error), "."))
	}
}

// Exchange explains one exchange, not knowing its stage; see ExchangeIn.
func Exchange(e *trace.Exchange) string { return ExchangeIn(nil, e) }

// ExchangeIn explains one exchange of stage s (nil if unknown): who was
// asked, what came back, what happens next because of it, and its time,
// worded as what was measured.
func ExchangeIn(s *trace.Stage, e *trace.Exchange) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	if e.DNS != nil {
		dnsExchange(&b, e)
	} else {
		generic(&b, e)
	}
	if e.Failed() && !strings.Contains(b.String(), strings.TrimSuffix(line(e.Error), ".")) {
		fmt.Fprintf(&b, " It failed: %s.", strings.TrimSuffix(line(e.Error), "."))
	}
	if !neverLeft(e) {
		exchangeTime(&b, s, e)
	}
	if n := e.Received.Dropped + e.Sent.Dropped; n > 0 {
		fmt.Fprintf(&b, " %s went past the capture limit: they were counted, not kept.", facts.Count(n, "byte", "bytes"))
	}
	return keepUnits(b.String())
}

// exchangeTime says what an exchange's time measures. Only a question sent
// over the network and its answer is a round trip; a server-side step is
// time the server spent, counted from a moment on its side.
func exchangeTime(b *strings.Builder, s *trace.Stage, e *trace.Exchange) {
	if e.Duration <= 0 {
		return
	}
	d := trace.Dur(e.Duration)
	switch {
	case e.Kind == "wsgi":
		fmt.Fprintf(b, " From the request's first byte to the response's last byte written, the server took %s.", d)
	case e.Kind == "view" && s != nil && s.Status == trace.StatusSkipped:
		// The gateway answered without the router: the exchange spans it all.
		fmt.Fprintf(b, " From the request's first byte to the response's last byte written, the server took %s.", d)
	case e.Kind == "view":
		fmt.Fprintf(b, " From the moment the router started to the response's last byte written: %s.", d)
		if s != nil && s.Kind == trace.StageRouter && s.Status == trace.StatusDone && trace.Dur(s.Duration) != d {
			fmt.Fprintf(b, " The router and the view alone took %s, the time shown for the stage; the rest went to the middleware on the way back, serialising the response and writing it.", trace.Dur(s.Duration))
		}
	case e.Kind == "tls":
		fmt.Fprintf(b, " The handshake took %s.", d)
	case e.Transport == trace.TransportProcess:
		fmt.Fprintf(b, " It took %s.", d)
	case abandoned(e):
		fmt.Fprintf(b, " It was abandoned %s after it was sent.", d)
	default:
		fmt.Fprintf(b, " Round trip: %s.", d)
	}
}

// unitGap is the space between a number and its unit (ms, s, bytes).
var unitGap = regexp.MustCompile(`(\d) (ms|s|µs|ns|bytes?)\b`)

// keepUnits joins each number to its unit with a no-break space, so that
// wrapping never leaves "3.1" at the end of one line and "ms" on the next.
func keepUnits(s string) string { return unitGap.ReplaceAllString(s, "$1\u00a0$2") }

// who names the peer, the way every renderer does (facts.Peer), made safe.
func who(p trace.Peer) string { return line(facts.Peer(p)) }

// neverLeft says whether a DNS query failed before its packet left (no
// socket could be opened): the trace keeps no bytes sent for it.
func neverLeft(e *trace.Exchange) bool {
	return e.DNS != nil && e.Failed() && e.Sent.Size() == 0
}

// hedge says whether a DNS query was sent in parallel with an earlier one
// that had not answered yet (its note says why).
func hedge(e *trace.Exchange) bool {
	for _, n := range e.Notes {
		if strings.HasPrefix(n, "hedged: ") && !strings.HasPrefix(n, "hedged: this reply came first") {
			return true
		}
	}
	return false
}

// abandoned says whether a hedged DNS query lost the race: its reply was
// no longer awaited, so its time is no round trip.
func abandoned(e *trace.Exchange) bool {
	return e.DNS != nil && e.DNS.Kind == trace.DNSError && strings.HasPrefix(e.Outcome, "abandoned: ")
}

func dnsExchange(b *strings.Builder, e *trace.Exchange) {
	d := e.DNS
	if d.For != "" {
		fmt.Fprintf(b, "A lookup inside the lookup: before going on, we need %s. ", line(d.For))
	}
	if neverLeft(e) {
		// No packet, no ID on the wire, no round trip: only why.
		fmt.Fprintf(b, "We meant to ask %s the question %q, but the packet never left: %s.", who(e.Peer), line(d.Question), strings.TrimSuffix(line(e.Error), "."))
		return
	}
	fmt.Fprintf(b, "We asked %s", who(e.Peer))
	switch d.Zone {
	case "":
	case ".":
		b.WriteString(", a server for the root zone (.),")
	default:
		fmt.Fprintf(b, ", a server for the zone %s,", line(facts.Bare(d.Zone)))
	}
	fmt.Fprintf(b, " the question %q", line(d.Question))
	if e.Transport != "" {
		fmt.Fprintf(b, " over %s", strings.ToUpper(string(e.Transport)))
	}
	fmt.Fprintf(b, ", in a packet with ID %d so the answer can be matched to it.", d.ID)
	if d.Attempt > 1 && !hedge(e) {
		// A hedged query is sent while the one before may still answer:
		// its own note says why, below.
		fmt.Fprintf(b, " This is try number %d: the one before got no usable answer.", d.Attempt)
	}
	kind := d.Kind
	if d.Zone == "" && kind == trace.DNSAnswer {
		// Asked as a resolver (@SERVER, or the system's): not the zone speaking.
		fmt.Fprintf(b, " It answered: %s. That is a recursive resolver's answer, from its cache or from its own walk down the tree, not the zone's own servers speaking.", list(d.Answers, "; "))
		kind = ""
	}
	if abandoned(e) {
		// A hedged query that lost the race: nothing went wrong with it.
		fmt.Fprintf(b, " It was sent in parallel with another server's, and was %s.", strings.TrimSuffix(line(e.Outcome), "."))
		kind = ""
	}
	switch kind {
	case trace.DNSReferral:
		fmt.Fprintf(b, " It does not know the answer, but it knows who is responsible for %s: it sent a referral to", line(facts.Bare(d.Referral)))
		names := make([]string, 0, len(d.Nameservers))
		glued := 0
		for _, ns := range d.Nameservers {
			names = append(names, facts.Bare(ns.Name))
			if len(ns.Addrs) > 0 {
				glued++
			}
		}
		fmt.Fprintf(b, " %s", sentence(list(names, ", ")))
		if glued > 0 {
			b.WriteString(" Their addresses came along as glue, so we can ask one of them straight away.")
		} else if len(names) > 0 {
			b.WriteString(" No addresses came with them (no glue), so their own addresses must be looked up first.")
		}
	case trace.DNSAnswer:
		fmt.Fprintf(b, " It answered: %s This server is responsible for the name, so the search ends here.", sentence(list(d.Answers, "; ")))
	case trace.DNSCNAME:
		fmt.Fprintf(b, " It answered with an alias: %s The search starts again for the name the alias points to.", sentence(list(d.Answers, "; ")))
	case trace.DNSNXDomain:
		b.WriteString(" It answered NXDOMAIN: the name does not exist.")
	case trace.DNSNoData:
		b.WriteString(" The name exists, but has no record of that type.")
	case trace.DNSTrunc:
		b.WriteString(" The answer did not fit in one UDP packet (the TC bit is set), so we ask again over TCP.")
	case trace.DNSRefused:
		b.WriteString(" It refused to answer, so we try another server.")
	case trace.DNSLame:
		b.WriteString(" It should be responsible for the zone but answered as if it were not (a lame delegation), so we try another server.")
	case trace.DNSError:
		if d.Zone == "" {
			// A resolver (@SERVER, or the system's) is the only one asked.
			b.WriteString(" No usable answer came back.")
		} else {
			b.WriteString(" No usable answer came back, so we try another server if there is one.")
		}
	}
	// The DNS stage's own words, recorded with the exchange, for what the
	// kinds above leave general: why a server was passed over, why a
	// second query was sent in parallel.
	if kind == trace.DNSLame || kind == trace.DNSError || d.Zone == "" && kind == trace.DNSReferral {
		if e.Outcome != "" {
			fmt.Fprintf(b, " In detail: %s.", strings.TrimSuffix(line(e.Outcome), "."))
		}
	}
	for _, n := range e.Notes {
		if strings.HasPrefix(n, "hedged: ") {
			fmt.Fprintf(b, " A hedged query: %s.", strings.TrimSuffix(line(n[len("hedged: "):]), "."))
		}
	}
	if d.RCode != "" && d.Kind != trace.DNSNXDomain {
		fmt.Fprintf(b, " Response code: %s.", line(d.RCode))
	}
	if len(d.Ignored) > 0 {
		fmt.Fprintf(b, " Not trusted and ignored: %s.", list(d.Ignored, "; "))
	}
}

func generic(b *strings.Builder, e *trace.Exchange) {
	switch e.Kind {
	case "tcp":
		fmt.Fprintf(b, "We opened a TCP connection to %s", who(e.Peer))
		if e.Local != "" {
			fmt.Fprintf(b, " from %s", line(e.Local))
		}
		b.WriteString(".")
	case "tls":
		fmt.Fprintf(b, "Inside the TCP connection, we and %s agreed on keys (the TLS handshake): from now on nobody in between can read or change what is sent.", who(e.Peer))
	case "http":
		if e.InFlight {
			fmt.Fprintf(b, "We sent %s of request to %s; its answer is not in yet.", facts.Count(e.Sent.Size(), "byte", "bytes"), who(e.Peer))
			return
		}
		fmt.Fprintf(b, "We sent %s of request to %s and read %s of response.", facts.Count(e.Sent.Size(), "byte", "bytes"), who(e.Peer), facts.Count(e.Received.Size(), "byte", "bytes"))
	case "wsgi":
		fmt.Fprintf(b, "On the server's side: it read the request's bytes from its socket, exactly the bytes we sent, and the gateway parsed them (%s).", strings.TrimSuffix(line(e.Label), "."))
	case "view":
		fmt.Fprintf(b, "The view's response, serialised back into bytes: a status line, headers, a blank line and the body, the %s that travel back to us (%s).", facts.Count(e.Received.Size(), "byte", "bytes"), strings.TrimSuffix(line(e.Label), "."))
	default:
		if e.Label != "" {
			fmt.Fprintf(b, "%s.", strings.TrimSuffix(line(e.Label), "."))
		} else {
			fmt.Fprintf(b, "A %s exchange with %s.", line(e.Kind), who(e.Peer))
		}
	}
	if e.Outcome != "" && !strings.Contains(e.Label, e.Outcome) {
		fmt.Fprintf(b, " Result: %s.", strings.TrimSuffix(line(e.Outcome), "."))
	}
	inside(b, e) // what journey read inside the encryption (tls.go)
}

// Pending explains a packet about to leave, as step mode shows it.
func Pending(p *trace.Pending) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	if len(p.Bytes) == 0 && p.Transport == trace.TransportTCP {
		// A connection's SYN: the handshake's packets carry no data.
		fmt.Fprintf(&b, "A TCP connection to %s is ready to be opened.", who(p.Peer))
	} else {
		fmt.Fprintf(&b, "A %d-byte packet is ready to go to %s", len(p.Bytes), who(p.Peer))
		if p.Transport != "" {
			fmt.Fprintf(&b, " over %s", strings.ToUpper(string(p.Transport)))
		}
		b.WriteString(".")
	}
	if p.Why != "" {
		fmt.Fprintf(&b, " Why: %s", line(p.Why))
		if !strings.HasSuffix(p.Why, ".") {
			b.WriteString(".")
		}
	}
	b.WriteString(" Nothing has been sent yet: press space or enter to send it.")
	return keepUnits(b.String())
}

// Field explains one field of a message when there is something to say
// beyond its name and value: an HTTP header, a DNS flag.
func Field(f trace.Field) string { return keepUnits(field(f)) }

func field(f trace.Field) string {
	name := f.Name
	if i := strings.IndexByte(name, ':'); i > 0 {
		name = name[:i]
	}
	if m := headerMeaning(name); m != "" {
		v := ""
		if f.Value != "" {
			v = " Here: " + line(f.Value) + "."
		}
		return fmt.Sprintf("%s: %s%s", line(name), m, v)
	}
	if m, ok := environ[f.Name]; ok {
		return fmt.Sprintf("%s: %s Here: %q.", line(f.Name), m, line(envValue(f.Value)))
	}
	if h, ok := strings.CutPrefix(f.Name, "HTTP_"); ok {
		header := textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(h, "_", "-"))
		text := fmt.Sprintf("%s: the request's %s header, as the application sees it: each header becomes HTTP_ and its name in capitals, dashes turned to underscores.", line(f.Name), line(header))
		if m := headerMeaning(header); m != "" {
			text += " The " + line(header) + " header is " + m
		}
		return text
	}
	if m, ok := hostRoles[f.Name]; ok {
		return fmt.Sprintf("%s: %s", line(f.Value), m)
	}
	if m, ok := dnsFields[dnsKey(name)]; ok {
		v := ""
		if f.Value != "" {
			v = " Here: " + line(f.Value) + "."
		}
		return fmt.Sprintf("%s: %s%s", line(f.Name), m, v)
	}
	return ""
}

// sentence ends s with one full stop: DNS names already end with a dot.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// dnsKey is a DNS field's name as dnsFields knows it: "Question section"
// is "question", "OPT pseudo-record (EDNS)" is "opt".
func dnsKey(name string) string {
	k := strings.ToLower(strings.TrimSpace(name))
	k = strings.TrimSuffix(k, " section")
	if strings.HasPrefix(k, "opt") {
		return "opt"
	}
	return k
}

// envValue drops the "   ← source" note the TUI adds to an environ value.
func envValue(v string) string {
	if i := strings.Index(v, "   ← "); i >= 0 {
		return v[:i]
	}
	return v
}

// line makes a value from the trace safe for one line of text.
func line(s string) string { return safetext.Line(s) }

// list joins at most maxListed items, each made safe, and says how many
// more there were.
func list(items []string, sep string) string {
	if len(items) == 0 {
		return "nothing"
	}
	shown := items
	if len(shown) > maxListed {
		shown = shown[:maxListed]
	}
	out := make([]string, len(shown))
	for i, s := range shown {
		out[i] = line(s)
	}
	s := strings.Join(out, sep)
	if more := len(items) - len(shown); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}
