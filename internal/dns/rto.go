package dns

import (
	"errors"
	"fmt"
	"time"

	"journey/internal/trace"
)

// Retransmission timeouts. A UDP query that gets no reply may be lost, so
// a resolver waits for it about as long as a reply from that server could
// take, then asks again (this server or another). Unbound keeps, per
// server address, a smoothed round trip and how much it varies, and waits
// their sum with 4 times the variation (util/rtt.c, after Stevens and TCP's
// RFC 6298); Knot Resolver and BIND do the same in their own ways. journey
// measures the round trips of one journey only, and never waits longer
// than --timeout, the user's bound on one exchange.
const (
	// rtoMin is the least a query waits: Unbound's RTT_MIN_TIMEOUT, 50 ms
	// (util/rtt.h). A server on the same network answers in a millisecond,
	// but a scheduler's hiccup must not make its reply look lost.
	rtoMin = 50 * time.Millisecond
	// rtoUnknown is the wait for a server whose round trip is not known
	// yet: Unbound's UNKNOWN_SERVER_NICENESS, 376 ms (iterator/iterator.c),
	// which is what its rtt_init gives (a round trip of 0 plus 4 times a
	// variation of 94 ms). It is longer than most paths on Earth.
	rtoUnknown = 376 * time.Millisecond
	// rtoMax bounds a wait that timeouts keep doubling: Unbound's
	// RTT_MAX_TIMEOUT, 120 s (util/rtt.h). --timeout caps it long before.
	rtoMax = 120 * time.Second
)

// rttInfo is what this journey measured of one server address.
type rttInfo struct {
	// srtt is the smoothed round trip and rttvar how much the round trips
	// vary, as RFC 6298 section 2 keeps them: the first sample R gives
	// SRTT = R and RTTVAR = R/2; each later one moves SRTT by 1/8 of the
	// difference and RTTVAR by 1/4 of how far it is off (Unbound's
	// rtt_update does the same, but starts from a round trip of 0 because
	// its cache sees thousands of samples; a journey sees one or two).
	srtt, rttvar time.Duration
	measured     bool
	// backoff is the wait after a timeout: the wait that passed with no
	// reply (lost), doubled, as Unbound's rtt_lost does. A reply clears it.
	backoff, lost time.Duration
}

// answered keeps a round trip measured to addr. The caller holds st.mu.
func (st *state) answered(addr string, rtt time.Duration) {
	info := st.rtt[addr]
	if info == nil {
		info = &rttInfo{}
		st.rtt[addr] = info
	}
	if !info.measured {
		info.srtt, info.rttvar, info.measured = rtt, rtt/2, true
	} else {
		delta := rtt - info.srtt
		info.srtt += delta / 8
		info.rttvar += (delta.Abs() - info.rttvar) / 4
	}
	info.backoff, info.lost = 0, 0
}

// timedOut keeps that addr gave no reply within waited: its next wait is
// doubled (exponential backoff). As Unbound's rtt_lost, the wait that
// passed is doubled, not the latest backoff, so two queries lost at once
// double it once. The caller holds st.mu.
func (st *state) timedOut(addr string, waited time.Duration) {
	info := st.rtt[addr]
	if info == nil {
		info = &rttInfo{}
		st.rtt[addr] = info
	}
	if doubled := min(2*waited, rtoMax); st.rtoLocked(addr) <= doubled {
		info.backoff, info.lost = doubled, waited
	}
}

// srttOf is the smoothed round trip of addr, when one was measured. The
// caller holds st.mu.
func (st *state) srttOf(addr string) (time.Duration, bool) {
	if info := st.rtt[addr]; info != nil && info.measured {
		return info.srtt, true
	}
	return 0, false
}

// rtoLocked is addr's retransmission timeout before --timeout caps it.
// The caller holds st.mu.
func (st *state) rtoLocked(addr string) time.Duration {
	d, _ := st.rtoWhy(addr)
	return d
}

// rtoWhy is addr's retransmission timeout, before --timeout caps it, and
// why it is that long, in words that follow "within 120.0 ms: ". The
// caller holds st.mu.
func (st *state) rtoWhy(addr string) (time.Duration, string) {
	info := st.rtt[addr]
	switch {
	case info != nil && info.backoff > 0:
		return info.backoff, fmt.Sprintf("twice its last wait, %s, which passed with no reply; each timeout doubles a server's wait (backoff, as Unbound and TCP do), in case it is slow rather than gone", trace.Dur(info.lost))
	case info == nil || !info.measured:
		return rtoUnknown, "a server not measured yet in this journey gets the starting wait of a resolver such as Unbound"
	}
	rto := info.srtt + 4*info.rttvar
	measured := fmt.Sprintf("its measured round trip, %s, plus 4 × how much its round trips vary, %s", trace.Dur(info.srtt), trace.Dur(info.rttvar))
	if rto < rtoMin {
		return rtoMin, "the least any query waits, Unbound's floor: " + measured + ", is less"
	}
	return rto, measured + ": a reply later than that is most likely lost"
}

// wait is how long one exchange waits for its reply, and why, in words.
type wait struct {
	d   time.Duration
	why string
}

// wait is how long q's exchange over network waits for a reply. A UDP
// question to a zone's server waits that server's retransmission timeout,
// capped by the question's own bound (--timeout); anything else waits the
// whole bound: TCP resends lost segments itself, and a recursive resolver
// may walk the tree before it answers.
func (r *Resolver) wait(st *state, q question, network string) wait {
	bound := wait{r.timeout(), "the most one exchange waits (--timeout)"}
	if q.timeout > 0 {
		bound = wait{q.timeout, q.timeoutWhy}
	}
	switch {
	case network != "udp":
		bound.why += ": TCP resends lost segments itself, so the whole of it is given"
		return bound
	case q.rd:
		if q.timeout <= 0 {
			bound.why += ": a recursive resolver may walk the tree before it answers, so the whole of it is given"
		}
		return bound
	case !q.adaptive:
		return bound
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	d, why := st.rtoWhy(q.server.Addr)
	if d > bound.d {
		return wait{bound.d, fmt.Sprintf("%s, less than this server's own wait, %s", bound.why, trace.Dur(d))}
	}
	return wait{d, why}
}

// noReply is an exchange that got no acceptable reply within its wait: it
// says how long it waited and why that long, the one place these words
// are made. It is errTimeout.
type noReply struct {
	addr string
	wait wait
	// cutShort: the journey's time limit (--max-time) ended the wait.
	cutShort bool
	// mismatched: a reply came, but with another ID.
	mismatched bool
}

func (e noReply) Error() string {
	s := e.short()
	if !e.cutShort {
		s += ": " + e.wait.why
	}
	if e.mismatched {
		s += "; a reply came, but its ID did not match the query's, so it was not accepted"
	}
	return s
}

// short is the error without why the wait was that long: for a list of
// reasons, where the exchanges above already say it.
func (e noReply) short() string {
	if e.cutShort {
		return fmt.Sprintf("no reply from %s before the journey's time limit (--max-time) ran out", e.addr)
	}
	return fmt.Sprintf("no reply from %s within %s", e.addr, trace.Dur(e.wait.d))
}

// label is the error for an exchange's label, which names the server.
func (e noReply) label() string {
	if e.cutShort {
		return "no reply before --max-time ran out"
	}
	return "no reply within " + trace.Dur(e.wait.d)
}

func (e noReply) Is(target error) bool { return target == errTimeout }

// brief is err as a reason in a list: a timeout without its why.
func brief(err error) string {
	var nr noReply
	if errors.As(err, &nr) {
		return nr.short()
	}
	return err.Error()
}
