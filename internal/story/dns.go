package story

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"journey/internal/facts"
	"journey/internal/trace"
)

// dnsParty is the lane of the DNS server an exchange went to.
func (b *builder) dnsParty(p trace.Peer) int {
	key := "dns " + p.Addr
	if p.Addr == "" {
		key = "dns " + p.Name
	}
	name := host(line(p.Name))
	if name == "" {
		if h, _, err := net.SplitHostPort(p.Addr); err == nil {
			name = line(h)
		} else {
			name = line(p.Addr)
		}
	}
	return b.party(key, Party{Kind: PartyDNS, Name: name, Addr: line(p.Addr)})
}

// dns adds a query and its reply (or its loss) for each DNS exchange.
func (b *builder) dns() {
	s := b.j.Stage(trace.StageDNS)
	if s == nil {
		return
	}
	// With -L, a redirect to another host is looked up later, after a
	// response: those lookups are recorded at the end of the DNS stage but
	// told where they happen, before the connection they lead to.
	connectAt := time.Duration(-1)
	if c := b.j.Stage(trace.StageConnect); c != nil && c.Status != trace.StatusPending && c.Status != trace.StatusSkipped {
		connectAt = c.Start
	}
	from := len(b.steps)
	for i, e := range s.Exchanges {
		if e == nil {
			continue
		}
		if connectAt >= 0 && e.Start > connectAt {
			b.late = append(b.late, i)
			continue
		}
		b.dnsExchange(s, i, e)
	}
	b.timeOrder(from)
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
	walk := resolverWalk(s, e)
	switch {
	case walk:
		n.WriteString("Inside the resolver, its own walk down the tree (its cache held no answer): ")
	case e.Depth > 0 && d.For != "":
		fmt.Fprintf(&n, "A lookup inside the lookup: first we need %s. ", prose(d.For))
	}
	if b.lateFirst {
		fmt.Fprintf(&n, "The redirect leads to another host, %s: it is looked up first. ", line(host(questionName(d.Question))))
	}
	if restart := restartedFrom(s, i); restart != "" && e.Depth == 0 && !b.lateFirst {
		fmt.Fprintf(&n, "The search starts again, from the root, for the name %s is an alias of. ", restart)
	}
	again := askedBefore(s, i, e)
	asks := "We ask"
	if walk {
		asks = "the resolver asks"
	}
	fmt.Fprintf(&n, "%s %s", asks, line(facts.Peer(trace.Peer{Name: host(e.Peer.Name), Addr: e.Peer.Addr})))
	switch {
	case again != "" && again != d.Zone && d.Zone != "":
		fmt.Fprintf(&n, " again, now as a server for %s (the referral named it: one machine can serve several zones),", line(host(d.Zone)))
	case d.Zone == "" && s.DNS != nil && s.DNS.Method == trace.MethodResolver:
		n.WriteString(", a recursive resolver that does the whole search for us,")
	case d.Zone == "" && s.DNS != nil && s.DNS.Method == trace.MethodSystem:
		n.WriteString(", this computer's resolver (the root servers did not answer),")
	case d.Zone == "":
	case d.Zone == ".":
		n.WriteString(", a root server,")
	default:
		fmt.Fprintf(&n, ", a server for %s,", line(host(d.Zone)))
	}
	if i == 0 {
		fmt.Fprintf(&n, " %q over %s, in a packet with ID %d so the reply can be matched to it.", strings.TrimSuffix(q, " IN"), proto, d.ID)
	} else {
		fmt.Fprintf(&n, " %q over %s (ID %d).", strings.TrimSuffix(q, " IN"), proto, d.ID)
	}
	if h := hedgedWhy(e); h != "" {
		fmt.Fprintf(&n, " A hedge: %s, so the same question goes to this server too, in parallel; the first usable answer wins.", h)
	} else if d.Attempt > 1 {
		fmt.Fprintf(&n, " This is try %d: %s", d.Attempt, b.retryWhy(s, i, e))
	} else if proto == "TCP" {
		n.WriteString(" Over TCP this time: the same question over UDP came back truncated, too large for one datagram.")
	}
	title := "? " + strings.TrimSuffix(q, " IN")
	if proto != "UDP" {
		title += " (" + proto + ")"
	}
	if e.Depth > 0 {
		title = "↳ " + title
	}
	asker := b.askerParty(s, e)
	b.add(Step{Stage: trace.StageDNS, Kind: KindQuery, From: asker, To: srv, Start: e.Start,
		Exchange: e, ExchangeIndex: i, Dir: DirSent, Bytes: e.Sent.Bytes, Fields: e.Sent.Fields,
		Lesson: findField(e.Sent.Fields, "Question section"), Title: title, Narration: n.String(), Depth: e.Depth})

	// The reply, or its loss; none yet for a question still in flight.
	if e.InFlight {
		return
	}
	if abandoned(e) {
		b.add(Step{Stage: trace.StageDNS, Kind: KindLoss, From: asker, To: srv, Start: e.Start + e.Duration, Duration: e.Duration,
			Exchange: e, ExchangeIndex: i, Dir: DirReceived, Title: "abandoned", Depth: e.Depth,
			Narration: fmt.Sprintf("%s: another server of the zone answered first, so this question's reply is no longer needed and is not waited for.", server)})
		return
	}
	if e.Failed() && len(e.Received.Bytes) == 0 {
		var n strings.Builder
		if wait, ok := strings.CutPrefix(e.Error, "no reply from "+e.Peer.Addr+" within "); ok {
			// The DNS stage says how long it waited and why that long.
			fmt.Fprintf(&n, "Nothing came back from %s within %s.", server, strings.TrimSuffix(line(wait), "."))
		} else if strings.Contains(strings.ToLower(e.Error), "no reply") || strings.Contains(strings.ToLower(e.Error), "timeout") {
			fmt.Fprintf(&n, "Nothing came back from %s within the timeout (we waited %s).", server, ms(e.Duration))
		} else {
			fmt.Fprintf(&n, "No reply from %s: %s.", server, strings.TrimSuffix(line(e.Error), "."))
		}
		if labLoss(s) {
			n.WriteString(" The lab dropped a packet on purpose (--lab-loss).")
		}
		n.WriteString(" UDP promises nothing: a packet can be lost on the way there or back, so a resolver waits a while, then asks again, this server or another.")
		b.add(Step{Stage: trace.StageDNS, Kind: KindLoss, From: asker, To: srv, Start: e.Start + e.Duration, Duration: e.Duration,
			Exchange: e, ExchangeIndex: i, Dir: DirReceived, Title: "no reply", Depth: e.Depth, Failed: true, Narration: n.String()})
		return
	}
	st := Step{Stage: trace.StageDNS, Kind: KindReply, From: srv, To: asker, Start: e.Start + e.Duration, Duration: e.Duration,
		Exchange: e, ExchangeIndex: i, Dir: DirReceived, Bytes: e.Received.Bytes, Fields: e.Received.Fields, Depth: e.Depth,
		Failed: e.Failed()}
	b.dnsReply(&st, s, e, d, server)
	b.add(st)
}

// lateDNS tells the DNS exchanges recorded late (a redirect's new host)
// that started before the moment until, or all of them when until < 0.
func (b *builder) lateDNS(until time.Duration) {
	s := b.j.Stage(trace.StageDNS)
	if s == nil {
		return
	}
	rest := b.late[:0]
	from := len(b.steps)
	defer b.timeOrder(from)
	for k, i := range b.late {
		if e := s.Exchanges[i]; until < 0 || e.Start < until {
			b.lateFirst = !b.lateTold && k == 0
			b.lateTold = true
			b.dnsExchange(s, i, e)
			b.lateFirst = false
		} else {
			rest = append(rest, i)
		}
	}
	b.late = rest
}

// resolverWalk reports whether e is one of a recursive resolver's own
// questions (@SERVER, its walk nested under ours), not one of ours.
func resolverWalk(s *trace.Stage, e *trace.Exchange) bool {
	return e.Depth > 0 && s.DNS != nil && s.DNS.Method == trace.MethodResolver
}

// askerParty is the party that asks e: we, or in its own walk (@SERVER)
// the recursive resolver we asked.
func (b *builder) askerParty(s *trace.Stage, e *trace.Exchange) int {
	if !resolverWalk(s, e) {
		return you
	}
	for _, x := range s.Exchanges {
		if x != nil && x.Depth == 0 && x.DNS != nil && x.DNS.Zone == "" {
			return b.dnsParty(x.Peer)
		}
	}
	return you
}

// asker is who asks the next server: we, or in its own walk the resolver.
func asker(s *trace.Stage, e *trace.Exchange) string {
	if resolverWalk(s, e) {
		return "the resolver"
	}
	return "we"
}

// stubAnswer reports whether e is our question to a recursive resolver
// (@SERVER, or the system's), which answers for a zone it does not serve.
func stubAnswer(s *trace.Stage, e *trace.Exchange) bool {
	return e.Depth == 0 && e.DNS != nil && e.DNS.Zone == "" && s.DNS != nil &&
		(s.DNS.Method == trace.MethodResolver || s.DNS.Method == trace.MethodSystem)
}

// askedBefore returns the zone for which the same server was asked
// earlier in the stage, or "".
func askedBefore(s *trace.Stage, i int, e *trace.Exchange) string {
	for k := 0; k < i; k++ {
		p := s.Exchanges[k]
		if p != nil && p.DNS != nil && p.Peer.Addr == e.Peer.Addr && p.Peer.Addr != "" {
			return p.DNS.Zone
		}
	}
	return ""
}

// restartedFrom names the alias when the exchange before this one was a
// CNAME reply: this question starts the search again.
func restartedFrom(s *trace.Stage, i int) string {
	if i == 0 {
		return ""
	}
	p := s.Exchanges[i-1]
	if p == nil || p.DNS == nil || p.DNS.Kind != trace.DNSCNAME {
		return ""
	}
	return line(host(questionName(p.DNS.Question)))
}

// prose drops the final dot of DNS names inside a sentence from the trace
// ("for example.org. that came" reads "for example.org that came").
func prose(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(line(s), " ") {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if strings.Count(w, ".") > 1 || (strings.HasSuffix(w, ".") && strings.Contains(strings.TrimSuffix(w, "."), ".")) {
			w = strings.TrimSuffix(w, ".")
		}
		b.WriteString(w)
	}
	return strings.TrimSuffix(b.String(), ".")
}

// hedgedWhy returns why a question was hedged (sent to a second server
// while the first had not answered), from the exchange's note, or "".
func hedgedWhy(e *trace.Exchange) string {
	for _, n := range e.Notes {
		if rest, ok := strings.CutPrefix(n, "hedged: "); ok {
			if i := strings.Index(rest, ", so the same question"); i > 0 {
				return line(rest[:i])
			}
		}
	}
	return ""
}

// wonHedge reports whether the exchange's reply came first of a hedge.
func wonHedge(e *trace.Exchange) bool {
	for _, n := range e.Notes {
		if strings.HasPrefix(n, "hedged: this reply came first") {
			return true
		}
	}
	return false
}

// abandoned reports whether a hedged question was given up because
// another server answered first: no loss, no failure.
func abandoned(e *trace.Exchange) bool {
	return e.Failed() && len(e.Received.Bytes) == 0 && strings.HasPrefix(e.Error, "abandoned")
}

// timeOrder sorts the steps told since from by their start: hedged
// questions overlap, so a second question can leave before the first one's
// loss is known. The sort is stable: a question stays before its reply.
func (b *builder) timeOrder(from int) {
	if from < 0 || from >= len(b.steps) {
		return
	}
	sort.SliceStable(b.steps[from:], func(x, y int) bool { return b.steps[from+x].Start < b.steps[from+y].Start })
}

// labLoss reports whether the lab drops packets on purpose in this stage
// (its note says so).
func labLoss(s *trace.Stage) bool {
	for _, n := range s.Notes {
		if strings.Contains(n, "--lab-loss") {
			return true
		}
	}
	return false
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
		case p.Failed() && len(p.Received.Bytes) == 0:
			return fmt.Sprintf("%s did not answer in time, so another server of the same zone is asked.", host(line(p.Peer.Name)))
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
		case glued == 1 && len(names) == 1:
			fmt.Fprintf(&n, " Its address came along as glue (the additional section), so %s can ask it straight away.", asker(s, e))
		case glued == len(names) && glued > 0:
			fmt.Fprintf(&n, " Their addresses came along as glue (the additional section), so %s can ask one straight away.", asker(s, e))
		case glued > 0:
			n.WriteString(" Some addresses came along as glue, so we ask one of those.")
		case len(names) > 0:
			n.WriteString(" No addresses came with them (no glue): a nameserver's own address must be looked up first, a lookup inside the lookup.")
		}
	case trace.DNSAnswer:
		st.Title = "answer: " + answerTitle(d.Answers)
		st.Lesson = findField(fs, "Answer section")
		stub := stubAnswer(s, e)
		if stub {
			// A recursive resolver answers for others: from its cache,
			// or from its own walk, told under our question.
			fmt.Fprintf(&n, "%s, the recursive resolver, answers: %s", server, answerList(d.Answers))
		} else {
			fmt.Fprintf(&n, "%s is responsible for the name and answers: %s", server, answerList(d.Answers))
			if t := cnameTarget(d.Answers); t != "" {
				n.WriteString(" An alias (CNAME) and its target in one reply: this server holds both names.")
			}
		}
		if escaped(d.Answers) {
			n.WriteString(" A label holds bytes a terminal would obey (DNS allows any byte in a name): shown escaped as \\027, never executed.")
		}
		switch {
		case stub:
			n.WriteString(" It did the search for us: the search ends here.")
		case resolverWalk(s, e):
			n.WriteString(" The resolver's walk ends here: it hands the answer back to us.")
		case e.Depth > 0:
			n.WriteString(" That is a nameserver's address: the lookup inside the lookup is done, and the main one resumes with it.")
		default:
			n.WriteString(" The search ends here.")
		}
	case trace.DNSCNAME:
		target := cnameTarget(d.Answers)
		st.Title = "CNAME → " + line(host(target))
		st.Lesson = findField(fs, "Answer section")
		fmt.Fprintf(&n, "%s answers with an alias (CNAME): %s", server, answerList(d.Answers))
		if chain := cnameLoop(d.Answers); chain != "" {
			st.Title = "CNAME loop"
			st.Failed = true
			fmt.Fprintf(&n, " A loop: %s. Each name is an alias of the next and the last leads back to the first, so no address is ever reached: the resolver notices the name it has already followed and stops.", chain)
			b.told = true
		} else if target != "" {
			fmt.Fprintf(&n, " The resolver starts again from the new name, %s, from the root down: it may live in another zone with other servers.", line(host(target)))
		}
	case trace.DNSNXDomain:
		st.Title = "NXDOMAIN"
		st.Lesson = findField(fs, "RCODE")
		fmt.Fprintf(&n, "%s answers NXDOMAIN: %s does not exist. It is the server for the zone, so its word is final: no other server is asked, and the journey stops here.", server, line(host(questionName(d.Question))))
		st.Failed = s.Status == trace.StatusFailed
		b.told = st.Failed
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
	if wonHedge(e) {
		n.WriteString(" Of the questions in flight, this reply came first: it is the one used.")
	}
	// The round trip is the step's Duration: renderers show it beside
	// the narration, which keeps its room for the lesson.
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

// maxListed bounds the records a title or narration lists; the rest are
// counted. Six fit a narration's lines next to the lesson.
const maxListed = 6

// answerTitle lists the answer's data (the addresses), at most three.
func answerTitle(as []string) string {
	v := answerValues(as)
	if len(v) > 3 {
		return line(strings.Join(v[:3], ", ")) + fmt.Sprintf(" and %d more", len(v)-3)
	}
	return line(strings.Join(v, ", "))
}

// answerList lists answer records for a narration, a sentence ending in a
// full stop.
func answerList(as []string) string {
	shown := as
	more := ""
	if len(as) > maxListed {
		shown = as[:3]
		more = fmt.Sprintf(" and %d more records", len(as)-3)
	}
	return strings.TrimSuffix(line(strings.Join(shown, "; ")), ".") + more + "."
}

// escaped reports whether a record holds bytes that DNS's presentation
// format escapes (\027): bytes a terminal would obey.
func escaped(as []string) bool {
	for _, a := range as {
		for i := 0; i+3 < len(a); i++ {
			if a[i] == '\\' && a[i+1] >= '0' && a[i+1] <= '9' {
				return true
			}
		}
	}
	return false
}

// cnameLoop returns the chain "a → b → a" when the answer's aliases lead
// back to a name already met, or "".
func cnameLoop(as []string) string {
	next := map[string]string{}
	var first string
	for _, a := range as {
		f := strings.Fields(a)
		for k := 1; k+1 < len(f); k++ {
			if f[k] == "CNAME" {
				if first == "" {
					first = strings.ToLower(f[0])
				}
				next[strings.ToLower(f[0])] = strings.ToLower(f[k+1])
			}
		}
	}
	if first == "" {
		return ""
	}
	chain := []string{host(first)}
	seen := map[string]bool{first: true}
	for n, ok := next[first]; ok && len(chain) <= len(next); n, ok = next[n] {
		chain = append(chain, host(n))
		if seen[n] {
			return line(strings.Join(chain, " → "))
		}
		seen[n] = true
	}
	return ""
}

// answerValues keeps the data of each answer record ("203.0.113.10"),
// addresses only when there are any.
func answerValues(as []string) []string {
	var out, addrs []string
	for _, a := range as {
		f := strings.Fields(a)
		if len(f) == 0 {
			continue
		}
		out = append(out, f[len(f)-1])
		if len(f) > 1 && (f[len(f)-2] == "A" || f[len(f)-2] == "AAAA") {
			addrs = append(addrs, f[len(f)-1])
		}
	}
	if len(addrs) > 0 {
		return addrs
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
