package plain

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/waterfall"
)

// Display bounds of the plain report: the trace keeps up to 1 MiB of a
// body, but a report buries everything after a screenful or two.
const (
	maxBodyLines = 60       // lines of a text body shown
	maxBodyText  = 8 * 1024 // bytes of a text body shown
	maxBodyHex   = 512      // bytes of a binary body shown as hex (32 lines)
	maxSANs      = 6        // names of a certificate listed
)

// connect writes the connect stage: each TCP attempt, then the TLS
// handshake for https.
func (p *Printer) connect(s *trace.Stage) {
	for _, ex := range s.Exchanges {
		p.connExchange(ex, s.Connect)
	}
}

// connExchange writes one TCP connect or TLS handshake.
func (p *Printer) connExchange(ex *trace.Exchange, c *trace.Connect) {
	switch ex.Kind {
	case "tcp":
		p.printf("  %s %s%s  %s\n", p.st.bold("TCP"), safetext.Line(facts.Peer(ex.Peer)), p.via(ex.Peer), p.st.dim(trace.Dur(ex.Duration)))
		if ex.Failed() {
			p.printf("      %s %s\n", p.st.bad("failed"), safetext.Line(ex.Error))
			return
		}
		p.printf("      %s  from %s\n", p.st.good("connected"), safetext.Line(ex.Local))
	case "tls":
		var info *trace.TLS
		if c != nil {
			info = c.TLS
		}
		p.tlsExchange(ex, info)
	}
}

func (p *Printer) via(peer trace.Peer) string {
	if peer.Via == "" {
		return ""
	}
	return p.st.dim(" · lab: really " + safetext.Line(peer.Via))
}

// tlsExchange writes the handshake: the records each way, what was agreed,
// the chain and whether it verified.
func (p *Printer) tlsExchange(ex *trace.Exchange, info *trace.TLS) {
	p.printf("\n  %s with %s  %s\n", p.st.bold("TLS handshake"), safetext.Line(facts.Peer(ex.Peer)), p.st.dim(trace.Dur(ex.Duration)))
	p.records(">", ex.Sent)
	p.records("<", ex.Received)
	if p.opt.Bytes {
		p.dump("sent", ex.Sent.Bytes, "      ")
		p.dump("received", ex.Received.Bytes, "      ")
	}
	if ex.Failed() && (info == nil || info.VerifyError == "") {
		p.printf("      %s %s\n", p.st.bad("failed"), safetext.Line(ex.Error))
	}
	if info == nil {
		return
	}
	row := func(k, v string) { p.printf("      %-12s %s\n", k, v) }
	if info.ServerName != "" {
		row("SNI", safetext.Line(info.ServerName))
	} else {
		row("SNI", p.st.dim("none (an IP address is never sent as SNI)"))
	}
	if !ex.Failed() {
		row("version", safetext.Line(info.Version))
		row("cipher", safetext.Line(info.CipherSuite))
		if info.KeyExchange != "" {
			row("key exchange", safetext.Line(info.KeyExchange)+p.st.dim("   (the group of the two key shares the keys were computed from)"))
		}
		alpn := safetext.Line(info.ALPN)
		if alpn == "" {
			alpn = "none chosen"
		}
		row("ALPN", alpn+p.st.dim("   (offered: "+safetext.Line(strings.Join(info.ALPNOffered, ", "))+")"))
	}
	if len(info.Chain) > 0 {
		p.printf("      certificate chain, as the server sent it:\n")
		for i, c := range info.Chain {
			p.certificate(i, c)
		}
	}
	v := facts.VerdictOf(info, ex.Error)
	switch v.Verdict {
	case facts.VerifiedWithK:
		p.printf("      %s %s\n", p.st.good("verified"), "the chain leads to a trusted root and names the host (-k was not needed)")
	case facts.Verified:
		p.printf("      %s %s\n", p.st.good("verified"), "the chain leads to a trusted root and names the host")
	case facts.UnverifiedWithK:
		p.printf("      %s %s\n", p.st.bad("NOT VERIFIED, -k WENT ON ANYWAY:"), safetext.Line(v.Why))
		p.printf("      %s\n", p.st.bad("anyone on the path could read and change this connection"))
	case facts.Failed:
		if info.VerifyError != "" {
			p.printf("      %s %s\n", p.st.bad("not verified:"), safetext.Line(info.VerifyError))
		}
	}
}

// records lists the TLS records one side sent, with the handshake
// messages they carry.
func (p *Printer) records(mark string, m trace.Message) {
	for _, f := range m.Fields {
		line := safetext.Line(strings.TrimPrefix(f.Name, "TLS record: ")) + " record, " + facts.Count(f.Length-5, "byte", "bytes")
		if f.Length < 5 {
			line = safetext.Line(f.Name)
		}
		var parts []string
		for _, c := range f.Children {
			switch c.Name {
			case "ClientHello", "ServerHello":
				parts = append(parts, c.Name+helloSummary(c))
			case "alert", "change cipher spec", "encrypted payload":
				if c.Name == "alert" {
					parts = append(parts, "alert "+c.Value)
				} else {
					parts = append(parts, c.Name)
				}
			case "alert message":
				parts = append(parts, "alert "+c.Value)
			case "change cipher spec message":
				parts = append(parts, "change cipher spec")
			case "encrypted data":
				// What the record carried, decrypted with journey's own
				// secrets: the record's value says it.
				what := "encrypted"
				if w, ok := strings.CutPrefix(f.Value, "encrypted: "); ok {
					if i := strings.LastIndex(w, " ("); i > 0 {
						w = w[:i] // the record's size, said already
					}
					what += ", carrying " + w
				}
				parts = append(parts, what)
			case "content type", "legacy version", "length":
			default:
				if strings.HasPrefix(c.Name, "handshake message") || f.Name == "TLS record: Handshake" {
					parts = append(parts, c.Name)
				}
			}
		}
		if len(parts) > 0 {
			line += ": " + safetext.Line(strings.Join(parts, "; "))
		}
		p.printf("    %s %s\n", mark, line)
	}
	if m.Dropped > 0 {
		p.printf("    %s %s\n", mark, p.st.dim("... "+facts.Count(m.Dropped, "more byte", "more bytes")+" not kept"))
	}
}

// helloSummary picks a hello's main fields out of its annotation.
func helloSummary(f trace.Field) string {
	var out []string
	var walk func(trace.Field)
	walk = func(f trace.Field) {
		switch f.Name {
		case "server_name":
			if f.Value != "" {
				out = append(out, "SNI "+f.Value)
			}
		case "application_layer_protocol_negotiation":
			out = append(out, "ALPN "+f.Value)
		case "cipher suites offered", "cipher suites":
			out = append(out, f.Value+" offered")
			return
		case "cipher suite chosen", "cipher suite":
			v, _, _ := strings.Cut(f.Value, " (0x")
			out = append(out, v)
		case "supported_versions":
			out = append(out, "versions "+f.Value)
		case "key_share":
			if f.Value != "" { // recordings made before key shares were read have none
				out = append(out, f.Value)
			}
		}
		for _, c := range f.Children {
			walk(c)
		}
	}
	walk(f)
	if len(out) == 0 {
		return ""
	}
	return " (" + strings.Join(out, ", ") + ")"
}

// certificate writes one certificate of the chain.
func (p *Printer) certificate(i int, c trace.Certificate) {
	p.printf("        %d %s\n", i, p.st.bold(safetext.Line(c.Subject)))
	p.printf("          issued by %s\n", safetext.Line(c.Issuer))
	p.printf("          valid     %s to %s\n", c.NotBefore.UTC().Format("2006-01-02 15:04"), c.NotAfter.UTC().Format("2006-01-02 15:04 MST"))
	names := append(append([]string(nil), c.DNSNames...), c.IPs...)
	if len(names) > 0 {
		more := ""
		if len(names) > maxSANs {
			more = fmt.Sprintf(" and %d more", len(names)-maxSANs)
			names = names[:maxSANs]
		}
		p.printf("          names     %s%s\n", safetext.Line(strings.Join(names, ", ")), more)
	}
	key := safetext.Line(c.KeyType)
	if c.IsCA {
		key += ", a certificate authority"
	}
	if key != "" {
		p.printf("          key       %s\n", key)
	}
}

// http writes the HTTP stage: each hop's request and response as curl -v
// marks them, the body, and the hop's timings.
func (p *Printer) http(s *trace.Stage) {
	var hops []trace.HTTPHop
	if s.HTTP != nil {
		hops = s.HTTP.Hops
	}
	n, headed := 0, -1 // hops shown; the hop whose heading is out
	heading := func() {
		if len(hops) > 1 && headed < n && n < len(hops) {
			h := hops[n]
			line := fmt.Sprintf("%s %s", h.Method, h.URL)
			if h.Status != 0 {
				line += fmt.Sprintf(" → %d %s", h.Status, h.Reason)
			}
			p.printf("\n  %s %s\n", p.st.bold(fmt.Sprintf("hop %d", n+1)), safetext.Line(line))
			headed = n
		}
	}
	for _, ex := range s.Exchanges {
		heading()
		if ex.Kind != "http" {
			var c *trace.Connect // a redirect hop's own connection
			if n < len(hops) && hops[n].TLS != nil {
				c = &trace.Connect{TLS: hops[n].TLS}
			}
			p.connExchange(ex, c)
			continue
		}
		var hop *trace.HTTPHop
		if n < len(hops) {
			hop = &hops[n]
		}
		n++
		p.httpExchange(ex, hop, s.Error)
	}
}

// stageErr is the stage's error: the exchange's own is not said twice.
func (p *Printer) httpExchange(ex *trace.Exchange, hop *trace.HTTPHop, stageErr string) {
	p.printf("\n  %s %s%s\n", p.st.dim("sent to"), safetext.Line(facts.Peer(ex.Peer)), p.via(ex.Peer))
	head, body := splitHead(ex.Sent)
	p.headLines(">", head)
	if len(body) > 0 {
		p.body(">", body, 0)
	}
	p.tlsRecords(">", ex.Sent.Records)
	if len(ex.Received.Bytes) > 0 {
		p.printf("\n")
		head, raw := splitHead(ex.Received)
		p.headLines("<", head)
		if hop != nil {
			p.responseBody(raw, ex.Received.Dropped, hop)
		} else {
			p.body("<", raw, ex.Received.Dropped)
		}
		p.tlsRecords("<", ex.Received.Records)
	}
	if ex.Failed() && !strings.Contains(stageErr, ex.Error) {
		p.printf("  %s %s\n", p.st.bad("failed"), safetext.Line(ex.Error))
	}
	if ex.InFlight {
		p.printf("\n  %s\n", p.st.dim("no answer had come back when the journey stopped"))
	}
	if p.opt.Bytes {
		p.dump("sent", ex.Sent.Bytes, "    ")
		p.dump("received", ex.Received.Bytes, "    ")
	}
	if hop != nil {
		p.printf("\n  %s\n", p.st.dim(wrapWhole(hopTiming(hop.Timing), 2, "  ")))
	}
}

// hopTiming is one request's phases and its total. The total runs from
// the TCP connect (stage 2's, for the first request), so the connection's
// phases are named too: the parts then account for the total.
func hopTiming(t trace.Timing) string {
	var parts []string
	add := func(what string, d time.Duration) {
		// A figure and its unit stay on one line (wrapWhole).
		parts = append(parts, what+" "+strings.Replace(trace.Dur(d), " ", "\u00a0", 1))
	}
	if t.Connect > 0 {
		add("TCP connect", t.Connect)
	}
	if t.TLS > 0 {
		add("TLS handshake", t.TLS)
	}
	add("request written", t.Write)
	add("server processing (time to first byte)", t.TTFB)
	add("content transfer", t.Transfer)
	add("total", t.Total)
	return strings.Join(parts, " · ")
}

// splitHead splits a message at the end of its headers, found by its
// "blank line" annotation (or the first empty line).
func splitHead(m trace.Message) (head, body []byte) {
	for _, f := range m.Fields {
		if f.Name == "blank line" && f.Offset+f.Length <= len(m.Bytes) {
			return m.Bytes[:f.Offset+f.Length], m.Bytes[f.Offset+f.Length:]
		}
	}
	if i := bytes.Index(m.Bytes, []byte("\r\n\r\n")); i >= 0 {
		return m.Bytes[:i+4], m.Bytes[i+4:]
	}
	return m.Bytes, nil
}

// headLines writes the request or status line and each header line, marked.
func (p *Printer) headLines(mark string, head []byte) {
	for line := range strings.SplitSeq(string(head), "\n") {
		if line == "" {
			continue // after the final newline
		}
		p.printf("  %s\n", strings.TrimRight(mark+" "+safetext.Line(strings.TrimSuffix(line, "\r")), " "))
	}
}

// responseBody writes a response's body: raw as received, then decoded
// when chunked framing or an encoding was undone.
func (p *Printer) responseBody(raw []byte, dropped int64, hop *trace.HTTPHop) {
	if len(raw) == 0 && hop.BodySize == 0 {
		p.printf("  %s\n", p.st.dim("(no body)"))
		return
	}
	switch {
	case hop.Chunked:
		p.printf("  %s\n", p.st.dim("the body as received, chunked: each chunk's size in hex on its own line, then its bytes"))
	case len(hop.Encodings) > 0:
		p.printf("  %s\n", p.st.dim("the body as received, encoded ("+safetext.Line(strings.Join(hop.Encodings, ", "))+")"))
	}
	p.body("<", raw, dropped)
	if hop.BodyDropped > 0 || dropped > 0 {
		p.printf("  %s\n", p.st.note(fmt.Sprintf("body: %s on the wire; journey kept the first %d and dropped %d (it keeps at most 1 MiB)", facts.Count(hop.BodySize, "byte", "bytes"), hop.BodySize-hop.BodyDropped, hop.BodyDropped)))
	}
	if hop.Body != nil {
		what := "the body with the chunked framing removed"
		if hop.Decoded {
			what = fmt.Sprintf("the body decoded (%s undone): %s", safetext.Line(strings.Join(hop.Encodings, ", ")), facts.DecodedSize(hop))
		}
		p.printf("\n  %s\n", p.st.dim(what))
		p.body(" ", hop.Body, 0)
	}
	if hop.DecodeError != "" {
		p.printf("  %s %s\n", p.st.note("note:"), safetext.Line(hop.DecodeError))
	}
}

// body writes a body as text, or as a hex dump when it is binary, within
// the report's display bounds.
func (p *Printer) body(mark string, b []byte, dropped int64) {
	if len(b) == 0 {
		return
	}
	if IsBinary(b) {
		shown := b[:min(len(b), maxBodyHex)]
		p.printf("  %s\n", p.st.dim("binary body, "+facts.Count(int64(len(b))+dropped, "byte", "bytes")+": shown as hex"))
		p.printf("%s", hexDump(shown, "    "))
		if rest := int64(len(b)-len(shown)) + dropped; rest > 0 {
			p.printf("  %s\n", p.st.dim(fmt.Sprintf("... %s not shown (the report shows the first %d; --json has what was kept)", facts.Count(rest, "more byte", "more bytes"), maxBodyHex)))
		}
		return
	}
	text := b[:min(len(b), maxBodyText)]
	lines := strings.Split(string(text), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	shownLines := lines[:min(len(lines), maxBodyLines)]
	shownBytes := 0
	for _, l := range shownLines {
		p.printf("  %s\n", strings.TrimRight(mark+" "+safetext.Line(strings.TrimSuffix(l, "\r")), " "))
		shownBytes += len(l) + 1
	}
	if rest := int64(len(b)-min(shownBytes, len(b))) + dropped; rest > 0 {
		p.printf("  %s\n", p.st.dim(fmt.Sprintf("... %s not shown (the report shows %d lines or %d bytes at most; --json has what was kept)", facts.Count(rest, "more byte", "more bytes"), maxBodyLines, maxBodyText)))
	}
}

// IsBinary reports whether a body should be shown as hex rather than
// text: it holds a NUL, is not UTF-8, or is more than a tenth control
// characters. Text with a few escape sequences stays text, escaped.
func IsBinary(b []byte) bool {
	b = b[:min(len(b), maxBodyText)]
	// A cut may split the last rune: drop an incomplete one at the end.
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				b = b[:i]
			}
			break
		}
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			ctl++
		}
	}
	return ctl*10 > len(b)
}

// dump writes a hex dump of bytes under a title (--bytes).
func (p *Printer) dump(title string, b []byte, indent string) {
	if len(b) == 0 {
		return
	}
	p.printf("%s%s %s:\n%s", indent, title, facts.Count(len(b), "byte", "bytes"), hexDump(b, indent+"  "))
}

// Waterfall geometry: the label column and the bar share the line with
// the duration.
const (
	labelWidth = 34
	durWidth   = 10
)

// waterfall writes every stage on one time axis, DNS split per hop.
func (p *Printer) waterfall(j *trace.Journey) {
	rows := waterfall.Rows(j)
	if len(rows) == 0 {
		return
	}
	end := waterfall.End(rows)
	if end <= 0 {
		end = 1
	}
	barWidth := Width - labelWidth - durWidth - 4
	p.printf("\n%s\n", p.st.heading("━━ timing "+strings.Repeat("━", Width-10)))
	for _, r := range rows {
		label := strings.Repeat("  ", r.Depth) + safetext.Line(r.Label)
		if utf8.RuneCountInString(label) > labelWidth {
			label = string([]rune(label)[:labelWidth-1]) + "…"
		}
		from := int(int64(r.Start) * int64(barWidth) / int64(end))
		length := int(int64(r.Duration) * int64(barWidth) / int64(end))
		from = min(max(from, 0), barWidth-1)
		length = min(max(length, 1), barWidth-from)
		fill := "█"
		if r.Failed {
			fill = "░"
		}
		bar := strings.Repeat(" ", from) + strings.Repeat(fill, length) + strings.Repeat(" ", barWidth-from-length)
		if r.Failed {
			bar = p.st.bad(bar)
		}
		pad := labelWidth - utf8.RuneCountInString(label)
		p.printf("  %s%s %s %*s\n", label, strings.Repeat(" ", pad), bar, durWidth, trace.Dur(r.Duration))
	}
	p.printf("  %s\n", p.st.dim(fmt.Sprintf("%*s", labelWidth+barWidth+1, "0 → "+trace.Dur(end))))
}

// tlsRecords says which encrypted TLS records carried a message over
// https, as the record fields say: what an onlooker saw instead of it.
func (p *Printer) tlsRecords(mark string, m *trace.Message) {
	if m == nil {
		return
	}
	var parts []string
	for _, f := range m.Fields {
		if !strings.HasPrefix(f.Name, "TLS record") {
			continue
		}
		v := strings.TrimPrefix(f.Value, "encrypted: ")
		if i := strings.LastIndex(v, " ("); i > 0 && strings.HasSuffix(v, " bytes)") {
			v = v[:i] // the record's size: the total is said
		}
		parts = append(parts, safetext.Line(v))
	}
	if len(parts) == 0 {
		return
	}
	line := fmt.Sprintf("on the wire: 1 encrypted TLS record of %d bytes, holding %s", m.Size(), parts[0])
	if len(parts) > 1 {
		line = fmt.Sprintf("on the wire: %d encrypted TLS records, %d bytes: %s", len(parts), m.Size(), strings.Join(parts, "; "))
	}
	p.printf("  %s %s\n", mark, p.st.dim(line))
}
