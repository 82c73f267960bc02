package story

import (
	"cmp"
	"fmt"
	"net"
	"strings"
	"time"

	"journey/internal/facts"
	"journey/internal/trace"
)

// serverParty is the lane of the web server at that address.
func (b *builder) serverParty(p trace.Peer) int {
	name := line(p.Name)
	if name == "" {
		// An IP literal: the lane is named by the address; its port is
		// in Addr.
		if h, _, err := net.SplitHostPort(p.Addr); err == nil {
			name = line(h)
		} else {
			name = line(p.Addr)
		}
	}
	if name == "" {
		name = "the web server"
	}
	key := "server " + p.Addr
	if p.Addr == "" {
		key = "server " + p.Name
	}
	return b.party(key, Party{Kind: PartyServer, Name: name, Addr: line(p.Addr)})
}

// web adds the connection, the request, the server's side and the
// response, hop by hop.
func (b *builder) web() {
	conn := b.j.Stage(trace.StageConnect)
	if conn != nil {
		b.connectAttempts(conn)
		for i, e := range conn.Exchanges {
			if e == nil {
				continue
			}
			b.connectExchange(conn, i, e)
		}
	}
	h := b.j.Stage(trace.StageHTTP)
	if h == nil || lastHTTP(h) < 0 {
		// While the journey streams in (step mode holds the response),
		// the server's side can be known before the request's exchange
		// is recorded: it is told after the connection.
		b.server()
		return
	}
	last := lastHTTP(h)
	for i, e := range h.Exchanges {
		if e == nil {
			continue
		}
		switch e.Kind {
		case "tcp", "tls":
			b.redirect(h, i)
			b.lateDNS(e.Start)
			b.connectExchange(h, i, e)
		case "http":
			b.request(h, i, e)
			if i == last {
				b.server()
			}
			if !e.InFlight {
				b.response(h, i, e)
			}
		}
	}
}

// lastHTTP is the index of the last request exchange: the one the server
// side (gateway and router stages) describes.
func lastHTTP(h *trace.Stage) int {
	last := -1
	for i, e := range h.Exchanges {
		if e != nil && e.Kind == "http" {
			last = i
		}
	}
	return last
}

// connectAttempts adds the TCP connects that failed before the one used
// (they have no exchange of their own).
func (b *builder) connectAttempts(s *trace.Stage) {
	if s.Connect == nil {
		return
	}
	for _, a := range s.Connect.Attempts {
		if a.Error == "" {
			continue
		}
		srv := b.serverParty(trace.Peer{Addr: a.Addr})
		b.add(Step{Stage: s.Kind, Kind: KindConnect, From: you, To: srv, Start: a.Start, Duration: a.Duration, Failed: true,
			Title:     "SYN: failed",
			Narration: fmt.Sprintf("We try to open a TCP connection to %s: %s.", line(a.Addr), strings.TrimSuffix(line(a.Error), "."))})
	}
}

func (b *builder) connectExchange(s *trace.Stage, i int, e *trace.Exchange) {
	srv := b.serverParty(e.Peer)
	switch e.Kind {
	case "tcp":
		st := Step{Stage: s.Kind, Kind: KindConnect, From: you, To: srv, Start: e.Start, Duration: e.Duration,
			Exchange: e, ExchangeIndex: i, Failed: e.Failed(), Title: "TCP: SYN, SYN-ACK, ACK"}
		switch {
		case e.InFlight:
			st.Title = "TCP: SYN…"
			st.Narration = fmt.Sprintf("We open a TCP connection to %s: our SYN has left, and the SYN-ACK that answers it is not in yet.", line(facts.Peer(e.Peer)))
		case e.Failed():
			st.Title = "TCP connect failed"
			st.Narration = fmt.Sprintf("We try to open a TCP connection to %s: %s.", line(facts.Peer(e.Peer)), strings.TrimSuffix(line(e.Error), "."))
		default:
			took := "one round trip"
			if labDropped(s, "the SYN") {
				took = "more than one round trip: a SYN was lost on the way, and TCP sent it again after waiting (--lab-loss)"
			}
			st.Narration = fmt.Sprintf("We open a TCP connection to %s: SYN, SYN-ACK, ACK, three packets that agree both sides are ready before any data is sent. That took %s, %s; nothing of the request has left yet.", line(facts.Peer(e.Peer)), ms(e.Duration), took)
			if e.Local != "" {
				st.Narration += fmt.Sprintf(" Our end is %s.", line(e.Local))
			}
		}
		b.add(st)
	case "tls":
		b.tls(s, i, e, srv)
	}
}

// labDropped reports whether the lab's loss notes on stage s say it
// dropped what ("the SYN", "TCP segment"): a handshake then takes a
// retransmission longer than its round trip.
func labDropped(s *trace.Stage, what string) bool {
	for _, n := range s.Notes {
		if strings.Contains(n, "--lab-loss") && strings.Contains(n, "dropped "+what) {
			return true
		}
	}
	return false
}

// tlsFor returns the TLS result of the connection the exchange belongs to.
func (b *builder) tlsFor(s *trace.Stage, i int) *trace.TLS {
	if s.Kind == trace.StageConnect && s.Connect != nil {
		return s.Connect.TLS
	}
	if s.HTTP != nil {
		for _, hop := range s.HTTP.Hops {
			if hop.Exchange == i+1 && hop.TLS != nil {
				return hop.TLS
			}
		}
	}
	return nil
}

// tls adds the handshake's flights: the ClientHello; the server's flight
// (ServerHello, and encrypted, its certificate and Finished); our Finished.
func (b *builder) tls(s *trace.Stage, i int, e *trace.Exchange, srv int) {
	t := b.tlsFor(s, i)
	// The ClientHello is the first handshake record we sent.
	helloLen := len(e.Sent.Bytes)
	if len(e.Sent.Fields) > 0 {
		helloLen = e.Sent.Fields[0].Offset + e.Sent.Fields[0].Length
	}
	hello := slice(e.Sent.Bytes, 0, helloLen)
	sni := ""
	if t != nil {
		sni = line(t.ServerName)
	}
	var n strings.Builder
	n.WriteString("Inside the TCP connection, the TLS handshake begins: our ClientHello offers the TLS versions and ciphers we know and a key share.")
	if sni != "" {
		fmt.Fprintf(&n, " It names the site in clear (SNI: %s) so the server can pick the right certificate.", sni)
	}
	helloFields := rebase(e.Sent.Fields, 0, len(hello))
	lesson := findField(helloFields, "server_name")
	if lesson == nil {
		lesson = findField(helloFields, "cipher suites offered")
	}
	if lesson == nil {
		lesson = findField(helloFields, "cipher suites") // tlswire's name for the list
	}
	b.add(Step{Stage: s.Kind, Kind: KindTLS, From: you, To: srv, Start: e.Start, Exchange: e, ExchangeIndex: i, Dir: DirSent,
		Bytes: hello, Fields: helloFields, Lesson: lesson, Title: "TLS ClientHello", Narration: n.String()})

	if len(e.Received.Bytes) == 0 && e.Failed() {
		b.add(Step{Stage: s.Kind, Kind: KindTLS, From: srv, To: you, Start: e.Start + e.Duration, Duration: e.Duration,
			Exchange: e, ExchangeIndex: i, Dir: DirReceived, Failed: true, Title: "TLS failed",
			Narration: fmt.Sprintf("The handshake failed: %s. Nothing of the request is sent over a connection that is not secured.", strings.TrimSuffix(line(e.Error), "."))})
		b.told = true
		return
	}
	n.Reset()
	n.WriteString("The server answers: a ServerHello picking")
	if t != nil && t.Version != "" {
		fmt.Fprintf(&n, " %s and %s", line(t.Version), line(t.CipherSuite))
	} else {
		n.WriteString(" a version and a cipher")
	}
	n.WriteString(", then, encrypted already, its certificate")
	if t != nil && len(t.Chain) > 0 {
		fmt.Fprintf(&n, " (%s, issued by %s)", line(t.Chain[0].Subject), line(t.Chain[0].Issuer))
	}
	n.WriteString(", proof that it holds the key, and its Finished.")
	v := facts.VerdictOf(t, e.Error)
	n.WriteString(" " + verdict(v))
	if v.Verdict.Secure() && b.j.Mode == trace.ModeLab {
		n.WriteString(" Here the root is the lab's own certificate authority, trusted only with --lab.")
	}
	st := Step{Stage: s.Kind, Kind: KindTLS, From: srv, To: you, Start: e.Start + e.Duration, Duration: e.Duration,
		Exchange: e, ExchangeIndex: i, Dir: DirReceived, Bytes: e.Received.Bytes, Fields: e.Received.Fields,
		Lesson: firstOf(e.Received.Fields, "cipher suite chosen", "cipher suite", "ServerHello"), Title: "TLS ServerHello … Finished", Narration: n.String(),
		Failed: v.Verdict == facts.Failed}
	if v.Verdict == facts.UnverifiedWithK {
		st.Title += " (NOT verified)"
	}
	b.told = b.told || st.Failed
	b.add(st)

	if rest := slice(e.Sent.Bytes, helloLen, -1); len(rest) > 0 && !e.Failed() {
		fs := rebase(e.Sent.Fields, helloLen, len(rest))
		var m strings.Builder
		m.WriteString("Our Finished closes the handshake: both sides now hold the same keys, which never crossed the wire.")
		if t != nil && t.ALPN != "" {
			fmt.Fprintf(&m, " The protocol agreed (ALPN) is %s.", line(t.ALPN))
		}
		fmt.Fprintf(&m, " The handshake took %s", ms(e.Duration))
		if labDropped(s, "TCP segment") {
			m.WriteString(", more than its round trip: the lab dropped one of its TCP segments, and TCP sent it again after waiting (--lab-loss)")
		}
		m.WriteString("; from here on nobody in between can read or change what is sent.")
		b.add(Step{Stage: s.Kind, Kind: KindTLS, From: you, To: srv, Start: e.Start + e.Duration,
			Exchange: e, ExchangeIndex: i, Dir: DirSent, Bytes: rest, Fields: fs, Lesson: lastField(fs),
			Title: "TLS Finished", Narration: m.String()})
	}
}

// verdict says whether the certificate was trusted, and what -k changed,
// from the one reading of the verdict (package facts).
func verdict(v facts.TLS) string {
	switch v.Verdict {
	case facts.VerifiedWithK:
		return "We checked it and it verified: the chain leads to a root we trust and names the host, so -k was not needed."
	case facts.Verified:
		return "We checked it: the chain leads to a root we trust and names the host: this is really the site."
	case facts.UnverifiedWithK:
		return fmt.Sprintf("It did NOT verify (%s), and -k told us to go on anyway: anyone could be at the other end.", strings.TrimSuffix(line(v.Why), "."))
	case facts.Failed:
		return fmt.Sprintf("It did not verify: %s. We stop here.", strings.TrimSuffix(line(v.Why), "."))
	}
	return ""
}

// firstOf returns the first of the named fields found, else the first field.
func firstOf(fs []trace.Field, names ...string) *trace.Field {
	for _, n := range names {
		if f := findField(fs, n); f != nil {
			return f
		}
	}
	return firstField(fs)
}

func firstField(fs []trace.Field) *trace.Field {
	if len(fs) == 0 {
		return nil
	}
	f := fs[0]
	return &f
}

func lastField(fs []trace.Field) *trace.Field {
	if len(fs) == 0 {
		return nil
	}
	f := fs[len(fs)-1]
	return &f
}

// hopOf returns the HTTP hop whose exchange is i, or nil.
func hopOf(h *trace.Stage, i int) *trace.HTTPHop {
	if h.HTTP == nil {
		return nil
	}
	for k := range h.HTTP.Hops {
		if h.HTTP.Hops[k].Exchange == i {
			return &h.HTTP.Hops[k]
		}
	}
	return nil
}

// redirect adds the step that starts a new hop: the previous response's
// Location followed. It is called at the new hop's connection.
func (b *builder) redirect(h *trace.Stage, i int) {
	prev := -1
	for k := i - 1; k >= 0; k-- {
		if e := h.Exchanges[k]; e != nil && e.Kind == "http" {
			prev = k
			break
		}
	}
	if prev < 0 {
		return
	}
	// Only once per hop: the TLS exchange of a hop follows its TCP one.
	if k := i - 1; k >= 0 && h.Exchanges[k] != nil && h.Exchanges[k].Kind != "http" {
		return
	}
	e := h.Exchanges[prev]
	hop := hopOf(h, prev)
	loc := ""
	status := ""
	if hop != nil {
		loc = line(hop.Location)
		status = fmt.Sprintf("%d %s", hop.Status, line(hop.Reason))
	} else {
		// The stage is still running (step mode): its hops are not in
		// yet, the response's own fields say it.
		if f := findField(e.Received.Fields, "Location"); f != nil {
			loc = line(f.Value)
		}
		if f := findField(e.Received.Fields, "status line"); f != nil {
			status = line(strings.TrimPrefix(strings.TrimPrefix(f.Value, "HTTP/1.1 "), "HTTP/1.0 "))
		}
	}
	n := 0
	for k := 0; k <= prev; k++ {
		if x := h.Exchanges[k]; x != nil && x.Kind == "http" {
			n++
		}
	}
	b.add(Step{Stage: trace.StageHTTP, Kind: KindRedirect, From: you, To: you, Start: e.Start + e.Duration,
		Exchange: e, ExchangeIndex: prev, Dir: DirReceived, Bytes: e.Received.Bytes, Fields: e.Received.Fields,
		Lesson: findField(e.Received.Fields, "Location"),
		Title:  "redirect → " + loc,
		Narration: fmt.Sprintf("The answer was %s: not the page but where to find it, in the Location header (%s). -L follows it: redirect %d, a new request to the new URL on a new connection, as a browser does without asking.",
			status, loc, n)})
}

// request adds the HTTP request sent.
func (b *builder) request(h *trace.Stage, i int, e *trace.Exchange) {
	srv := b.serverParty(e.Peer)
	hop := hopOf(h, i)
	title := "request"
	if rl := findField(e.Sent.Fields, "request line"); rl != nil {
		title = line(rl.Value)
	}
	var n strings.Builder
	fmt.Fprintf(&n, "We send the request: %d bytes of plain text, a request line (%s), headers, and a blank line that ends them.", e.Sent.Size(), title)
	if f := findField(e.Sent.Fields, "body"); f != nil && f.Length > 0 {
		fmt.Fprintf(&n, " Then the body, %s, as Content-Length announced.", plural(int64(f.Length), "byte", "bytes"))
	}
	if e.Transport == trace.TransportTLS {
		n.WriteString(" They travel inside TLS records, so only the server can read them.")
	}
	if f := findField(e.Sent.Fields, "Host"); f != nil {
		fmt.Fprintf(&n, " The Host header (%s) tells the server which site we mean: one address can serve many.", line(strings.TrimPrefix(f.Value, "Host: ")))
	}
	if hop != nil && hop.Timing.Write >= 100*time.Microsecond {
		fmt.Fprintf(&n, " Writing it took %s.", ms(hop.Timing.Write))
	}
	start := e.Start
	if hop != nil && hop.Timing.WriteStart > 0 {
		start = hop.Timing.WriteStart
	}
	lesson := findField(e.Sent.Fields, "request line")
	if b.second {
		// The second visit's lesson is what makes it cheap: the copy named.
		lesson = cmp.Or(findField(e.Sent.Fields, "If-None-Match"), findField(e.Sent.Fields, "If-Modified-Since"), lesson)
	}
	b.add(Step{Stage: trace.StageHTTP, Kind: KindRequest, From: you, To: srv, Start: start, Exchange: e, ExchangeIndex: i,
		Dir: DirSent, Bytes: e.Sent.Bytes, Fields: e.Sent.Fields, Lesson: lesson,
		Title: title, Narration: n.String()})
}

// response adds the HTTP response received.
func (b *builder) response(h *trace.Stage, i int, e *trace.Exchange) {
	srv := b.serverParty(e.Peer)
	hop := hopOf(h, i)
	if e.Failed() && len(e.Received.Bytes) == 0 {
		b.add(Step{Stage: trace.StageHTTP, Kind: KindResponse, From: srv, To: you, Start: e.Start + e.Duration, Duration: e.Duration,
			Exchange: e, ExchangeIndex: i, Dir: DirReceived, Failed: true, Title: "no response",
			Narration: fmt.Sprintf("No response came back: %s.", strings.TrimSuffix(line(e.Error), "."))})
		return
	}
	title := "response"
	if sl := findField(e.Received.Fields, "status line"); sl != nil {
		title = line(sl.Value)
	}
	var n strings.Builder
	fmt.Fprintf(&n, "The response arrives: %s, in %d bytes: a status line, headers, a blank line, then the body.", title, e.Received.Size())
	status := 0
	if hop != nil {
		status = hop.Status
		switch {
		case status == 304:
			n.WriteString(" 304 Not Modified: the copy of the page kept from before is still good, so no body comes back.")
		case status >= 500:
			n.WriteString(" A 5xx status: the server failed, not the request.")
		case status == 404:
			n.WriteString(" A 4xx status blames the request: nothing is found at this path.")
		case status >= 400:
			n.WriteString(" A 4xx status: the server blames the request.")
		}
		switch {
		case hop.Chunked:
			n.WriteString(" No Content-Length: the body comes in chunks (Transfer-Encoding: chunked), each with its size in hex, ended by a chunk of size 0, so the server could send it as it was made.")
		case hop.ContentLength >= 0:
			fmt.Fprintf(&n, " Content-Length says %d body bytes, so we know where it ends.", hop.ContentLength)
		}
		if len(hop.Encodings) > 0 {
			fmt.Fprintf(&n, " It is compressed (Content-Encoding: %s): %d bytes on the wire", line(strings.Join(hop.Encodings, ", ")), hop.BodySize)
			if hop.Decoded {
				fmt.Fprintf(&n, ", %d once decoded.", hop.DecodedSize)
			} else {
				n.WriteString(".")
			}
		}
		if hop.Timing.TTFB > 0 {
			fmt.Fprintf(&n, " The first byte came %s after the request: the server's time.", ms(hop.Timing.TTFB))
		}
		if hop.Location != "" && i == lastHTTP(h) {
			fmt.Fprintf(&n, " It is a redirect to %s, not followed: add -L to follow it, as with curl.", line(hop.Location))
		}
	}
	lesson := findField(e.Received.Fields, "status line")
	if hop != nil && hop.Location != "" {
		if f := findField(e.Received.Fields, "Location"); f != nil {
			lesson = f
		}
	} else if hop != nil && hop.Chunked {
		if f := findField(e.Received.Fields, "Transfer-Encoding"); f != nil {
			lesson = f
		}
	} else if hop != nil && len(hop.Encodings) > 0 {
		if f := findField(e.Received.Fields, "Content-Encoding"); f != nil {
			lesson = f
		}
	}
	start := e.Start + e.Duration
	if hop != nil && hop.Timing.FirstByte > 0 {
		start = hop.Timing.FirstByte
	}
	b.add(Step{Stage: trace.StageHTTP, Kind: KindResponse, From: srv, To: you, Start: start, Duration: e.Start + e.Duration - start,
		Exchange: e, ExchangeIndex: i, Dir: DirReceived, Bytes: e.Received.Bytes, Fields: e.Received.Fields, Lesson: lesson,
		Title: title, Narration: n.String(), Failed: status >= 400})
}
