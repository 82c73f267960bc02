package dns

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dial"
	"journey/internal/trace"
)

// EDNSBufferSize is the UDP payload size we offer: 1232 bytes avoids IP
// fragmentation on nearly every path (DNS Flag Day 2020's recommendation).
const EDNSBufferSize = 1232

// maxMessage bounds a message read over TCP: the two-byte length prefix
// cannot say more than 65535 anyway.
const maxMessage = 65535

// udpBuffers hold the 64 KiB a UDP read needs to see any datagram whole;
// replies are copied out, so one buffer serves lookup after lookup.
var udpBuffers = sync.Pool{New: func() any { b := make([]byte, maxMessage); return &b }}

// maxIgnoredNotes bounds the notes kept about replies with the wrong ID: a
// hostile sender could send thousands before the timeout; they are counted.
const maxIgnoredNotes = 3

// errTimeout is an exchange that got no acceptable reply in time.
var errTimeout = errors.New("no reply")

// outcome is one sent query and what came of it.
type outcome struct {
	msg *mdns.Msg       // the parsed reply, nil on failure
	ex  *trace.Exchange // not yet recorded: the caller classifies, then records
	err error
	// before holds exchanges that led to this one: the UDP try whose
	// reply was truncated, when ex is the same question over TCP.
	before []*trace.Exchange
}

// newQuery builds a query for name and qtype; rd asks for recursion.
func newQuery(name string, qtype uint16, rd bool) *mdns.Msg {
	m := new(mdns.Msg)
	m.Id = uint16(rand.Uint32())
	m.RecursionDesired = rd
	m.Question = []mdns.Question{{Name: mdns.Fqdn(name), Qtype: qtype, Qclass: mdns.ClassINET}}
	m.SetEdns0(EDNSBufferSize, false)
	return m
}

// exchange sends q to its server over network ("udp" or "tcp") and reads
// the reply, capturing both messages' bytes exactly. The socket work is
// transmit's; this keeps the record: the exchange, the counters, and what
// the journey learns of the server (its round trip, or that it is silent).
func (r *Resolver) exchange(ctx context.Context, st *state, q question, network string) outcome {
	query := newQuery(q.name, q.qtype, q.rd)
	if q.noEDNS {
		query.Extra = nil
	}
	ex := &trace.Exchange{
		Kind:      "dns",
		Depth:     q.depth,
		Peer:      q.server.peer(),
		Transport: trace.Transport(network),
		DNS: &trace.DNSExchange{Question: query.Question[0].Name + " " + typeName(q.qtype), ID: query.Id,
			Zone: q.zone, Attempt: q.attempt, For: st.purposeAt(q.depth)},
	}
	if q.zone == "" && q.attempt <= 1 {
		ex.DNS.Attempt = 0
	}
	ex.Notes = append(ex.Notes, q.notes...)
	if rt, ok := r.Dialer.(dial.Routing); ok {
		if via, routed := rt.Route(network, q.server.Addr); routed {
			ex.Peer.Via = via
		}
	}
	fail := func(err error) outcome {
		ex.Error = err.Error()
		return outcome{ex: ex, err: err}
	}
	packed, err := query.Pack()
	if err != nil {
		return fail(fmt.Errorf("packing the query: %w", err))
	}
	ex.Sent = capturedQuery(network, packed)
	if err := st.count(); err != nil {
		ex.Sent = trace.Message{}
		return fail(err)
	}
	pending := trace.Pending{Stage: trace.StageDNS, Peer: ex.Peer, Transport: ex.Transport, Bytes: packed, Fields: ex.Sent.Fields, Why: q.why}
	if err := r.Recorder.Wait(ctx, pending); err != nil {
		ex.Sent = trace.Message{}
		st.uncount() // held, then cancelled: it never left
		return fail(err)
	}
	if q.sent != nil {
		q.sent()
	}
	// The wait is chosen as the packet leaves (in step mode it may have
	// been held while other replies taught us more of this server).
	w := r.wait(st, q, network)
	reply, err := r.transmit(ctx, network, q.server.Addr, query, packed, ex, w, func() { r.fly(st, q, ex) })
	if reply != nil {
		ex.Received = captured(network, reply)
	}
	st.observe(q.server.Addr, ex.Duration, err, w.d)
	if err != nil {
		if errors.Is(err, errNotSent) {
			ex.Sent = trace.Message{}
			st.uncount() // counted above, but it never left
		}
		return fail(err)
	}
	m, dropped, err := unpackScrubbed(reply)
	if err != nil {
		return fail(fmt.Errorf("the reply is not a valid DNS message: %v", err))
	}
	ex.DNS.Ignored = append(ex.DNS.Ignored, dropped...)
	if err := matches(query, m); err != nil {
		return fail(err)
	}
	ex.DNS.RCode = rcodeName(m.Rcode)
	return outcome{msg: m, ex: ex}
}

// fly records ex as in flight as its query leaves (Exchange.InFlight), so
// that a view shows the question while its answer is awaited (in step
// mode, a lost packet is awaited for its whole wait); record replaces it
// with the finished exchange. The copy has its own DNS part: ex's is
// filled in later, while views read the copy.
func (r *Resolver) fly(st *state, q question, ex *trace.Exchange) {
	f := *ex
	d := *ex.DNS
	f.DNS = &d
	f.InFlight = true
	f.Outcome = "asked; no reply yet"
	f.Label = label(q.server, "? "+d.Question)
	st.mu.Lock()
	if st.flying == nil {
		st.flying = map[*trace.Exchange]*trace.Exchange{}
	}
	st.flying[ex] = &f
	st.mu.Unlock()
	r.Recorder.AddExchange(trace.StageDNS, &f)
}

// landed returns and forgets the in-flight record of ex, or nil.
func (st *state) landed(ex *trace.Exchange) *trace.Exchange {
	st.mu.Lock()
	defer st.mu.Unlock()
	f := st.flying[ex]
	delete(st.flying, ex)
	return f
}

func (st *state) uncount() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.queries--
}

// queryFields caches the annotation of queries: the same question goes to
// server after server (root, top-level domain, the domain's own), and the
// packets differ only in their ID. Bounded: cleared when full.
var queryFields = struct {
	sync.Mutex
	m map[string][]trace.Field
}{m: map[string][]trace.Field{}}

// maxCachedQueries bounds queryFields: a journey asks a handful of
// questions; a few dozen journeys' worth is plenty.
const maxCachedQueries = 64

// annotateQuery is Annotate for a query we built, from the cache when the
// same question was annotated before, with this packet's ID.
func annotateQuery(packed []byte) []trace.Field {
	if len(packed) < 12 {
		return Annotate(packed)
	}
	key := string(packed[2:])
	queryFields.Lock()
	cached, ok := queryFields.m[key]
	queryFields.Unlock()
	if !ok {
		cached = Annotate(packed)
		queryFields.Lock()
		if len(queryFields.m) >= maxCachedQueries {
			clear(queryFields.m)
		}
		queryFields.m[key] = cached
		queryFields.Unlock()
	}
	// A copy whose header holds this ID; the rest is shared, and no one
	// writes to fields once made.
	fields := slices.Clone(cached)
	hdr := fields[0]
	hdr.Children = slices.Clone(hdr.Children)
	id := binary.BigEndian.Uint16(packed)
	hdr.Children[0].Value = hex16(id) + " (" + strconv.Itoa(int(id)) + "): the reply must carry the same"
	fields[0] = hdr
	return fields
}

// capturedQuery is captured for a query we built.
func capturedQuery(network string, packed []byte) trace.Message {
	if network == "tcp" {
		return captured(network, packed)
	}
	return trace.Message{Bytes: packed, Fields: annotateQuery(packed)}
}

// captured is a message as it crossed the wire, with its fields: over TCP
// with the two-byte length prefix that frames every DNS message there
// (RFC 1035 section 4.2.2), shown as a field of its own.
func captured(network string, msg []byte) trace.Message {
	if network != "tcp" {
		return trace.Message{Bytes: msg, Fields: Annotate(msg)}
	}
	framed := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(framed, uint16(len(msg)))
	copy(framed[2:], msg)
	fields := []trace.Field{{Name: "Length prefix (TCP)", Offset: 0, Length: 2,
		Value: strconv.Itoa(len(msg)) + " bytes: the DNS message that follows; over TCP every message is framed by its length"}}
	for _, f := range Annotate(msg) {
		fields = append(fields, shifted(f, 2))
	}
	return trace.Message{Bytes: framed, Fields: fields}
}

// shifted is f with its offsets, and its children's, moved by n bytes.
func shifted(f trace.Field, n int) trace.Field {
	f.Offset += n
	if len(f.Children) > 0 {
		kids := make([]trace.Field, len(f.Children))
		for i, c := range f.Children {
			kids[i] = shifted(c, n)
		}
		f.Children = kids
	}
	return f
}

// errNotSent marks an exchange whose query never left: no socket could be
// opened, so it is not counted as sent.
var errNotSent = errors.New("the query was never sent")

// observe keeps what an exchange taught about a server: its round trip
// when it replied (see rttInfo), or that it was silent for waited, which
// doubles its next wait.
func (st *state) observe(addr string, rtt time.Duration, err error, waited time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	fam := addrFamily(addr)
	switch {
	case err == nil:
		st.answered(addr, rtt)
		delete(st.dead, addr)
		st.famAnswers[fam]++
	case errors.Is(err, errTimeout):
		st.timedOut(addr, waited)
		st.dead[addr] = true
		st.famTimeouts[fam]++
	}
}

// transmit does the socket work of one exchange: dial, write, read until
// the reply or the timeout. The time is measured at the socket, from just
// before the write to just after the read; ex gets the times, the local
// address and the notes of what happened on the wire.
func (r *Resolver) transmit(ctx context.Context, network, addr string, q *mdns.Msg, packed []byte, ex *trace.Exchange, w wait, leaving func()) ([]byte, error) {
	timeout := w.d
	journeyDeadline, limited := ctx.Deadline()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// cutShort: the journey's --max-time ends before this exchange's timeout.
	cutShort := limited && time.Until(journeyDeadline) < timeout
	dialed := time.Now()
	ex.Start = r.Recorder.Offset(dialed)
	conn, err := r.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		ex.Duration = time.Since(dialed)
		return nil, notSent{len(packed), addr, refusal(network, addr, err)}
	}
	defer conn.Close()
	ex.Local = conn.LocalAddr().String()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) }) // wake a blocked read on cancel
	defer stop()

	// The round trip is timed from the write to the end of the read, so it
	// holds the network and the server, not our own setup.
	start := time.Now()
	ex.Start = r.Recorder.Offset(start)
	leaving()
	var reply []byte
	if network == "tcp" {
		ex.Notes = append(ex.Notes, fmt.Sprintf("TCP connection set up in %s (not counted in the round trip)", trace.Dur(start.Sub(dialed))))
		reply, err = tcpRoundTrip(conn, packed)
	} else {
		reply, err = r.udpRoundTrip(conn, q, packed, ex)
	}
	ex.Duration = time.Since(start)
	if err == nil {
		return reply, nil
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() || errors.Is(err, errTimeout) {
		if ctx.Err() != nil && ctx.Err() != context.DeadlineExceeded {
			return reply, ctx.Err()
		}
		return reply, noReply{addr: addr, wait: w, cutShort: cutShort, mismatched: reply != nil}
	}
	return reply, refusal(network, addr, err)
}

// notSent is the error of a query that never left: no socket could be
// opened. It is errNotSent, and wraps why.
type notSent struct {
	size int
	addr string
	err  error
}

func (e notSent) Error() string {
	return fmt.Sprintf("the query (%d bytes) was never sent: %v", e.size, e.err)
}
func (e notSent) Unwrap() error        { return e.err }
func (e notSent) Is(target error) bool { return target == errNotSent }

// refused is a server's host answering that nothing listens on the port
// (over UDP an ICMP "port unreachable", read back as ECONNREFUSED; over
// TCP a reset to the SYN): said in words, the socket's own error (with
// the local port, a random number) kept only as the cause.
type refused struct {
	network, addr string
	err           error
}

func (e refused) Error() string {
	host, port, _ := net.SplitHostPort(e.addr)
	how := "its system answered \"port unreachable\""
	if e.network == "tcp" {
		how = "its system refused the TCP connection"
	}
	return fmt.Sprintf("nothing listens on %s port %s at %s: %s (connection refused)", strings.ToUpper(e.network), port, host, how)
}
func (e refused) Unwrap() error { return e.err }

// refusal is err, told as refused when it is a refused connection.
func refusal(network, addr string, err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return refused{network, addr, err}
	}
	return err
}

// udpRoundTrip writes the query and reads until a reply with the query's ID
// arrives; replies with another ID are not accepted (they could be forged)
// and are kept in the notes.
func (r *Resolver) udpRoundTrip(conn net.Conn, q *mdns.Msg, packed []byte, ex *trace.Exchange) ([]byte, error) {
	if _, err := conn.Write(packed); err != nil {
		return nil, fmt.Errorf("sending the query: %w", err)
	}
	bufp := udpBuffers.Get().(*[]byte)
	defer udpBuffers.Put(bufp)
	buf := *bufp
	var ignored []byte
	ignoredCount := 0
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if ignoredCount > maxIgnoredNotes {
				ex.Notes = append(ex.Notes, fmt.Sprintf("... and %d more replies with the wrong ID, ignored too", ignoredCount-maxIgnoredNotes))
			}
			if ignored != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					return ignored, fmt.Errorf("%w: the only reply did not match the query (see notes)", errTimeout)
				}
			}
			return nil, err
		}
		if n >= 2 && binary.BigEndian.Uint16(buf) != q.Id {
			ignoredCount++
			if ignoredCount <= maxIgnoredNotes {
				ex.Notes = append(ex.Notes, fmt.Sprintf("ignored a reply with ID 0x%04x: the query's ID is 0x%04x, so it is not the answer to our question", binary.BigEndian.Uint16(buf), q.Id))
				ignored = append([]byte(nil), buf[:n]...)
			}
			continue
		}
		return append([]byte(nil), buf[:n]...), nil
	}
}

// tcpRoundTrip writes the query with its two-byte length prefix and reads
// one reply the same way (RFC 1035 section 4.2.2).
func tcpRoundTrip(conn net.Conn, packed []byte) ([]byte, error) {
	framed := make([]byte, 2+len(packed))
	binary.BigEndian.PutUint16(framed, uint16(len(packed)))
	copy(framed[2:], packed)
	if _, err := conn.Write(framed); err != nil {
		return nil, fmt.Errorf("sending the query: %w", err)
	}
	var size [2]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the server closed the TCP connection without answering")
		}
		return nil, err
	}
	reply := make([]byte, binary.BigEndian.Uint16(size[:]))
	if _, err := io.ReadFull(conn, reply); err != nil {
		return reply, fmt.Errorf("the reply was cut short: %w", err)
	}
	return reply, nil
}

// matches checks that m answers q: same ID, a response, the same question.
func matches(q, m *mdns.Msg) error {
	if m.Id != q.Id {
		return fmt.Errorf("the reply's ID 0x%04x does not match the query's 0x%04x: not accepted", m.Id, q.Id)
	}
	if !m.Response {
		return errors.New("the reply is not marked as a response (QR is 0): not accepted")
	}
	if len(m.Question) == 0 {
		if m.Rcode == mdns.RcodeSuccess {
			return errors.New("the reply does not repeat the question: not accepted")
		}
		return nil
	}
	want, got := q.Question[0], m.Question[0]
	if len(m.Question) != 1 || !strings.EqualFold(want.Name, got.Name) || want.Qtype != got.Qtype || want.Qclass != got.Qclass {
		return fmt.Errorf("the reply is for another question (%s %s): not accepted", got.Name, typeName(got.Qtype))
	}
	return nil
}

func (r *Resolver) timeout() time.Duration {
	if r.Timeout <= 0 {
		return 2 * time.Second
	}
	return r.Timeout
}
