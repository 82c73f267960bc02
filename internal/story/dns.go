package story

import (
	"fmt"
	"strings"

	"journey/internal/trace"
)

// address is the first step: the TARGET taken apart, before anything is sent.
func (b *builder) address() {
	s := b.j.Stage(trace.StageAddress)
	if s == nil {
		return
	}
	st := Step{Stage: trace.StageAddress, Kind: KindAddress, From: you, To: you,
		Start: s.Start, Duration: s.Duration, Failed: s.Status == trace.StatusFailed}
	a := s.Address
	if a == nil {
		st.Title = "the address"
		if s.Error != "" {
			st.Title = "the address: refused"
			st.Narration = fmt.Sprintf("The target %q could not be taken apart: %s.", line(b.j.Target), strings.TrimSuffix(line(s.Error), "."))
		}
		b.add(st)
		return
	}
	st.Title = "the address taken apart"
	var n strings.Builder
	fmt.Fprintf(&n, "Before anything is sent, the address is taken apart: scheme %s", line(a.Scheme))
	if a.SchemeAssumed {
		n.WriteString(" (assumed: none was typed)")
	}
	fmt.Fprintf(&n, ", host %s, port %d", line(a.Host), a.Port)
	if a.PortDefault {
		fmt.Fprintf(&n, " (%s's default)", line(a.Scheme))
	}
	fmt.Fprintf(&n, ", path %s.", line(a.Path))
	switch {
	case a.IsIP:
		n.WriteString(" The host is an IP address already, so no DNS lookup is needed.")
	case a.ASCIIHost != "" && a.ASCIIHost != a.Host:
		fmt.Fprintf(&n, " DNS carries only ASCII, so the name goes out as punycode: %s.", line(a.ASCIIHost))
	case a.Registrable != "" && a.PublicSuffix != "":
		fmt.Fprintf(&n, " Read right to left: %s is the public suffix, %s the domain its owner registered.", line(a.PublicSuffix), line(a.Registrable))
	}
	if a.Fragment != "" {
		fmt.Fprintf(&n, " The fragment #%s is never sent.", line(a.Fragment))
	}
	st.Narration = n.String()
	b.add(st)
}

// dnsParty is the lane of the DNS server an exchange went to.
func (b *builder) dnsParty(p trace.Peer) int {
	key := "dns " + p.Addr
	if p.Addr == "" {
		key = "dns " + p.Name
	}
	name := host(line(p.Name))
	if name == "" {
		name = line(p.Addr)
	}
	return b.party(key, Party{Kind: PartyDNS, Name: name, Addr: line(p.Addr)})
}

// dns adds a query and its reply (or its loss) for each DNS exchange.
func (b *builder) dns() {
	s := b.j.Stage(trace.StageDNS)
	if s == nil {
		return
	}
	for i, e := range s.Exchanges {
		if e == nil {
			continue
		}
		b.dnsExchange(s, i, e)
	}
	if len(s.Exchanges) == 0 && s.DNS != nil && s.DNS.Method == trace.MethodOverride {
		b.add(Step{Stage: trace.StageDNS, Kind: KindAddress, From: you, To: you, Start: s.Start,
			Title:     "--resolve: no lookup",
			Narration: fmt.Sprintf("--resolve gave the address of %s (%s), so no DNS question is asked.", line(host(s.DNS.Name)), line(strings.Join(s.DNS.Addresses, ", ")))})
	}
}

func (b *builder) dnsExchange(s *trace.Stage, i int, e *trace.Exchange) {
	srv := b.dnsParty(e.Peer)
	d := e.DNS
	if d == nil {
		d = &trace.DNSExchange{}
	}
	server := b.parties[srv].Name
	q := line(d.Question)
	if q == "" {
		q = line(e.Label)
	}
	proto := strings.ToUpper(string(e.Transport))
	if proto == "" {
		proto = "UDP"
	}

	// The question.
	var n strings.Builder
	if e.Depth > 0 && d.For != "" {
		fmt.Fprintf(&n, "A lookup inside the lookup: first we need %s. ", line(d.For))
	}
	fmt.Fprintf(&n, "We ask %s", server)
	switch d.Zone {
	case "":
	case ".":
		n.WriteString(", a root server,")
	default:
		fmt.Fprintf(&n, ", a server for %s,", line(host(d.Zone)))
	}
	fmt.Fprintf(&n, " %q over %s, in a packet with ID %d so the reply can be matched to it.", strings.TrimSuffix(q, " IN"), proto, d.ID)
	if d.Attempt > 1 {
		fmt.Fprintf(&n, " This is try %d: %s", d.Attempt, b.retryWhy(s, i, e))
	} else if proto == "TCP" {
		n.WriteString(" Over TCP this time: the same question over UDP came back truncated, too large for one datagram.")
	}
	title := "? " + strings.TrimSuffix(q, " IN")
	if proto != "UDP" {
		title += " (" + proto + ")"
	}
	b.add(Step{Stage: trace.StageDNS, Kind: KindQuery, From: you, To: srv, Start: e.Start,
		Exchange: e, ExchangeIndex: i, Dir: DirSent, Bytes: e.Sent.Bytes, Fields: e.Sent.Fields,
		Lesson: findField(e.Sent.Fields, "Question section"), Title: title, Narration: n.String(), Depth: e.Depth})

	// The reply, or its loss.
	if e.Failed() && len(e.Received.Bytes) == 0 {
		b.add(Step{Stage: trace.StageDNS, Kind: KindLoss, From: you, To: srv, Start: e.Start + e.Duration, Duration: e.Duration,
			Exchange: e, ExchangeIndex: i, Dir: DirReceived, Title: "no reply", Depth: e.Depth, Failed: true,
			Narration: fmt.Sprintf("No reply came from %s after %s: %s. UDP promises nothing, so a resolver waits a while and then asks again, this server or another.", server, ms(e.Duration), strings.TrimSuffix(line(e.Error), "."))})
		return
	}
	st := Step{Stage: trace.StageDNS, Kind: KindReply, From: srv, To: you, Start: e.Start + e.Duration, Duration: e.Duration,
		Exchange: e, ExchangeIndex: i, Dir: DirReceived, Bytes: e.Received.Bytes, Fields: e.Received.Fields, Depth: e.Depth,
		Failed: e.Failed()}
	b.dnsReply(&st, s, e, d, server)
	b.add(st)
}

// retryWhy says why a question is asked again: the try before it.
func (b *builder) retryWhy(s *trace.Stage, i int, e *trace.Exchange) string {
	for k := i - 1; k >= 0; k-- {
		p := s.Exchanges[k]
		if p == nil || p.DNS == nil {
			continue
		}
		same := p.Peer.Addr == e.Peer.Addr
		switch {
		case p.DNS.Kind == trace.DNSLame:
			return fmt.Sprintf("%s was named for the zone but does not serve it (a lame delegation), so we ask the next one named.", host(line(p.Peer.Name)))
		case p.Failed() && same:
			return "the packet before got no reply in time, and a lost UDP packet is simply sent again."
		case p.Failed():
			return fmt.Sprintf("%s gave no usable reply, so another server of the same zone is asked.", host(line(p.Peer.Name)))
		case p.DNS.Kind == trace.DNSRefused:
			return "the server before refused, so another server of the same zone is asked."
		}
		break
	}
	return "the try before got no usable reply."
}

// dnsReply fills the reply step's title, lesson field and narration.
func (b *builder) dnsReply(st *Step, s *trace.Stage, e *trace.Exchange, d *trace.DNSExchange, server string) {
	var n strings.Builder
	fs := e.Received.Fields
	switch d.Kind {
	case trace.DNSReferral:
		names := make([]string, 0, len(d.Nameservers))
		glued := 0
		for _, ns := range d.Nameservers {
			names = append(names, host(line(ns.Name)))
			if len(ns.Addrs) > 0 {
				glued++
			}
		}
		st.Title = "referral to " + line(host(d.Referral))
		st.Lesson = findField(fs, "Authority section")
		fmt.Fprintf(&n, "%s does not know the answer but knows who is responsible for %s: a referral to %s.", server, line(host(d.Referral)), strings.Join(names, ", "))
		if skipped := skippedZones(d.Zone, d.Referral); skipped != "" {
			fmt.Fprintf(&n, " %s is no zone of its own: the %s servers refer straight to %s, one step further down than the labels suggest.", skipped, line(host(d.Zone)), line(host(d.Referral)))
		}
		switch {
		case glued == len(names) && glued > 0:
			n.WriteString(" Their addresses came along as glue (the additional section), so we can ask one straight away.")
		case glued > 0:
			n.WriteString(" Some addresses came along as glue, so we ask one of those.")
		case len(names) > 0:
			n.WriteString(" No addresses came with them (no glue): a nameserver's own address must be looked up first, a lookup inside the lookup.")
		}
	case trace.DNSAnswer:
		st.Title = "answer: " + line(strings.Join(answerValues(d.Answers), ", "))
		st.Lesson = findField(fs, "Answer section")
		fmt.Fprintf(&n, "%s is responsible for the name and answers: %s.", server, line(strings.Join(d.Answers, "; ")))
		if e.Depth > 0 {
			n.WriteString(" That is a nameserver's address: the lookup inside the lookup is done, and the main one resumes with it.")
		} else {
			n.WriteString(" The search ends here.")
		}
	case trace.DNSCNAME:
		target := cnameTarget(d.Answers)
		st.Title = "CNAME → " + line(host(target))
		st.Lesson = findField(fs, "Answer section")
		fmt.Fprintf(&n, "%s answers with an alias (CNAME): %s.", server, line(strings.Join(d.Answers, "; ")))
		if target != "" {
			fmt.Fprintf(&n, " The resolver starts again from the new name, %s, from the root down: it may live in another zone with other servers.", line(host(target)))
		}
	case trace.DNSNXDomain:
		st.Title = "NXDOMAIN"
		st.Lesson = findField(fs, "RCODE")
		fmt.Fprintf(&n, "%s answers NXDOMAIN: %s does not exist. It is the server for the zone, so its word is final: no other server is asked, and the journey stops here.", server, line(host(questionName(d.Question))))
	case trace.DNSNoData:
		st.Title = "no " + line(questionType(d.Question)) + " record"
		st.Lesson = findField(fs, "ANCOUNT")
		fmt.Fprintf(&n, "%s answers NOERROR with no records: the name exists but has no %s record.", server, line(questionType(d.Question)))
		if questionType(d.Question) == "A" {
			n.WriteString(" No A (IPv4) record, so the AAAA (IPv6) record is asked for next.")
		}
	case trace.DNSTrunc:
		st.Title = "truncated (TC)"
		st.Lesson = findField(fs, "TC")
		fmt.Fprintf(&n, "%s's answer is too large for one UDP datagram (%d bytes came back), so it sends what fits and sets the TC bit: truncated. The same question is asked again over TCP, which has no such limit.", server, e.Received.Size())
	case trace.DNSRefused:
		st.Title = "refused"
		st.Lesson = findField(fs, "RCODE")
		fmt.Fprintf(&n, "%s refuses to answer (REFUSED), so another server is asked.", server)
	case trace.DNSLame:
		st.Title = "lame: not its zone"
		st.Lesson = findField(fs, "AA")
		fmt.Fprintf(&n, "%s was named as a server for %s but answers as if it were not (no authority, no referral down): a lame delegation. Its word is useless, so the resolver asks the next server the referral named.", server, line(host(d.Zone)))
	default:
		st.Title = "no usable answer"
		st.Failed = true
		fmt.Fprintf(&n, "No usable answer came back from %s", server)
		if e.Error != "" {
			fmt.Fprintf(&n, ": %s", strings.TrimSuffix(line(e.Error), "."))
		}
		n.WriteString(". Another server is asked if there is one.")
	}
	if len(d.Ignored) > 0 {
		fmt.Fprintf(&n, " Not trusted and ignored: %s.", line(strings.Join(d.Ignored, "; ")))
	}
	if e.Depth > 0 {
		st.Title = "↳ " + st.Title
	}
	fmt.Fprintf(&n, " (%s round trip.)", ms(e.Duration))
	st.Narration = n.String()
}

// skippedZones names the suffix a referral skipped: asked at uk., sent to
// example.co.uk., so co.uk is no zone of its own.
func skippedZones(zone, referral string) string {
	z := strings.Split(strings.Trim(zone, "."), ".")
	r := strings.Split(strings.Trim(referral, "."), ".")
	if zone == "." || zone == "" {
		z = nil
	}
	if len(r) <= len(z)+1 {
		return ""
	}
	if len(z) > 0 && !strings.HasSuffix("."+strings.Trim(referral, "."), "."+strings.Trim(zone, ".")) {
		return ""
	}
	// The names between the zone and the referral, e.g. co.uk.
	return line(strings.Join(r[1:], "."))
}

// answerValues keeps the data of each answer record ("203.0.113.10").
func answerValues(as []string) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		f := strings.Fields(a)
		if len(f) > 0 {
			out = append(out, f[len(f)-1])
		}
	}
	return out
}

// cnameTarget is the last CNAME record's target.
func cnameTarget(as []string) string {
	t := ""
	for _, a := range as {
		f := strings.Fields(a)
		for k := 0; k+1 < len(f); k++ {
			if f[k] == "CNAME" {
				t = f[k+1]
			}
		}
	}
	return t
}

func questionName(q string) string {
	if f := strings.Fields(q); len(f) > 0 {
		return f[0]
	}
	return q
}

func questionType(q string) string {
	if f := strings.Fields(q); len(f) > 1 {
		return f[1]
	}
	return ""
}
