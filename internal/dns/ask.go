package dns

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/trace"
)

// Ask asks one recursive resolver (server is IP:port) for name's addresses,
// with recursion desired: a single exchange per record type, as dig @server.
func (r *Resolver) Ask(ctx context.Context, server, name string, fam Family) (*trace.DNS, error) {
	result := &trace.DNS{Name: Fqdn(name), Method: trace.MethodResolver, Resolver: server}
	st := newState(fam)
	defer func() { result.Queries = st.queries }()
	err := r.askRecursive(ctx, st, Server{Addr: server}, result, fam, 0, "", 1)
	return result, err
}

// glibcTimeout and glibcAttempts are the resolv.conf defaults of glibc's
// resolver (resolv.conf(5)): used when the file sets no options.
const (
	glibcTimeout  = 5 * time.Second
	glibcAttempts = 2
	// maxResolvConfServers is how many nameserver lines glibc reads (MAXNS).
	maxResolvConfServers = 3
)

// systemConf is what the fallback reads from resolv.conf.
type systemConf struct {
	servers  []string // IP:port
	timeout  time.Duration
	attempts int
	options  string // the options as written, for the trace
}

// timeoutWhy says where the timeout comes from, after "within 5000.0 ms: ".
func (c *systemConf) timeoutWhy() string {
	for _, o := range strings.Fields(c.options) {
		if strings.HasPrefix(o, "timeout:") {
			return "resolv.conf's " + o + " option"
		}
	}
	return "glibc's default timeout, as resolv.conf sets none"
}

// readResolvConf reads path as glibc does: nameserver lines (the first
// three), and the timeout and attempts options.
func readResolvConf(path string) (*systemConf, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	conf := &systemConf{timeout: glibcTimeout, attempts: glibcAttempts}
	var opts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], ";") {
			continue
		}
		switch fields[0] {
		case "nameserver":
			host := fields[1]
			if i := strings.IndexByte(host, '%'); i >= 0 {
				host = host[:i] // a zone index (fe80::1%eth0) is not part of the address
			}
			if net.ParseIP(host) != nil && len(conf.servers) < maxResolvConfServers {
				conf.servers = append(conf.servers, net.JoinHostPort(host, "53"))
			}
		case "options":
			for _, o := range fields[1:] {
				var n int
				if _, err := fmt.Sscanf(o, "timeout:%d", &n); err == nil && n > 0 {
					conf.timeout = time.Duration(min(n, 30)) * time.Second // glibc caps it at 30
					opts = append(opts, o)
				} else if _, err := fmt.Sscanf(o, "attempts:%d", &n); err == nil && n > 0 {
					conf.attempts = min(n, 5) // glibc caps it at 5
					opts = append(opts, o)
				}
			}
		}
	}
	conf.options = strings.Join(opts, " ")
	return conf, sc.Err()
}

// askSystem asks the resolvers of the system's configuration, after the
// roots did not answer: each nameserver in order, each for the timeout and
// as many rounds as resolv.conf says, as glibc does. st holds the queries
// already sent to the roots.
func (r *Resolver) askSystem(ctx context.Context, st *state, name string, fam Family) (*trace.DNS, error) {
	path := r.ResolvConf
	if path == "" {
		path = "/etc/resolv.conf"
	}
	result := &trace.DNS{Name: Fqdn(name), Method: trace.MethodSystem}
	defer func() { result.Queries = st.queries }()
	conf, err := readResolvConf(path)
	if err != nil {
		return result, fmt.Errorf("no root server answered, and the system's resolver could not be read from %s: %w", path, err)
	}
	if len(conf.servers) == 0 {
		r.Recorder.Note(trace.StageDNS, fmt.Sprintf("%s names no nameserver: this computer has no resolver to fall back to.", path))
		return result, fmt.Errorf("no root server answered, and %s names no nameserver, so there is no system resolver to ask", path)
	}
	opts := "no options, so glibc's defaults"
	if conf.options != "" {
		opts = "options " + conf.options
	}
	r.Recorder.Note(trace.StageDNS, fmt.Sprintf("System resolvers from %s: %s, asked in that order; %s: a timeout of %s, %d %s.",
		path, strings.Join(conf.servers, ", "), opts, conf.timeout, conf.attempts, plural(conf.attempts, "round", "rounds")))
	var reasons []string
	for round := 1; round <= conf.attempts; round++ {
		for _, server := range conf.servers {
			result.Resolver = server
			err := r.askRecursive(ctx, st, Server{Name: "system resolver", Addr: server}, result, fam, conf.timeout, conf.timeoutWhy(), round)
			if err == nil || errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoAddress) || errors.Is(err, ErrQueryLimit) || expired(ctx) {
				return result, err // an answer, even "no such name", is final
			}
			reasons = append(reasons, fmt.Sprintf("%s: %v", server, err))
		}
	}
	return result, fmt.Errorf("%w: no root server answered, and no system resolver gave a usable answer: %s", ErrNoServer, strings.Join(reasons, "; "))
}

// askRecursive puts the questions for name's addresses to a recursive
// resolver and fills result. timeout overrides the resolver's own when
// set, and timeoutWhy says where it comes from; round counts the tries of
// this server.
func (r *Resolver) askRecursive(ctx context.Context, st *state, server Server, result *trace.DNS, fam Family, timeout time.Duration, timeoutWhy string, round int) error {
	name := result.Name
	result.Types = nil
	for _, qtype := range questionTypes(fam) {
		result.Types = append(result.Types, typeName(qtype))
		q := question{name: name, qtype: qtype, server: server, rd: true, attempt: round, timeout: timeout, timeoutWhy: timeoutWhy}
		q.why = fmt.Sprintf("Asking the recursive resolver %s for %s %s with recursion desired (RD): it does the walk down from the root for us and answers from its cache when it can.", server.Addr, name, typeName(qtype))
		if round > 1 {
			q.why += fmt.Sprintf(" This is round %d: no resolver gave a usable answer before.", round)
			q.notes = append(q.notes, fmt.Sprintf("round %d: no resolver gave a usable answer in the rounds before (resolv.conf's attempts option says how many rounds)", round))
		}
		m, err := r.askOnce(ctx, st, q)
		if err != nil {
			return err
		}
		result.RCode = rcodeName(m.Rcode)
		if m.Rcode == mdns.RcodeNameError {
			return fmt.Errorf("%s: %w", strings.TrimSuffix(name, "."), ErrNXDomain)
		}
		addrs, chain, _, _ := followCNAMEs(m, name, qtype, ".")
		result.Chain = chain
		if len(addrs) > 0 {
			result.Addresses = addrs
			return nil
		}
	}
	return fmt.Errorf("%s: %w (asked for %s)", strings.TrimSuffix(name, "."), ErrNoAddress, strings.Join(result.Types, " and "))
}

// ErrNoRecursion is a server asked as a resolver (@SERVER) that answered
// with a referral: it does not recurse.
var ErrNoRecursion = errors.New("the server does not recurse: it answered with a referral")

// askOnce sends one recursive query, again over TCP if truncated, and
// records the exchanges.
func (r *Resolver) askOnce(ctx context.Context, st *state, q question) (*mdns.Msg, error) {
	out := r.roundTrip(ctx, st, q)
	if out.err != nil {
		r.record(st, out)
		return nil, out.err
	}
	m := out.msg
	d := out.ex.DNS
	ignoreOtherClasses(d, m)
	for _, rr := range m.Answer {
		d.Answers = append(d.Answers, rrText(rr))
	}
	addrs, chain, _, _ := followCNAMEs(m, q.name, q.qtype, ".")
	var fail error
	switch {
	case m.Rcode == mdns.RcodeNameError:
		d.Kind = trace.DNSNXDomain
		out.ex.Outcome = fmt.Sprintf("NXDOMAIN: %s does not exist", q.name)
	case m.Rcode == mdns.RcodeRefused:
		d.Kind = trace.DNSRefused
		out.ex.Outcome = "REFUSED: this resolver will not answer our questions (it may serve only its own network, or not recurse for anyone)"
		fail = fmt.Errorf("%w: REFUSED by %s", ErrServerFailure, q.server.Addr)
	case m.Rcode != mdns.RcodeSuccess:
		d.Kind = trace.DNSError
		out.ex.Outcome = rcodeName(m.Rcode) + ": the resolver could not answer"
		fail = fmt.Errorf("%w: %s from %s", ErrServerFailure, rcodeName(m.Rcode), q.server.Addr)
	case len(addrs) > 0:
		d.Kind = trace.DNSAnswer
		out.ex.Outcome = "answer: " + listAddrs(addrs)
		if len(chain) > 0 {
			out.ex.Outcome += " (through " + strings.Join(chain, " → ") + ")"
		}
		if m.Authoritative {
			out.ex.Notes = append(out.ex.Notes, "AA is 1: this server serves the zone itself, so the answer is the zone's own")
		} else {
			out.ex.Notes = append(out.ex.Notes, "AA is 0: a recursive resolver's answer, from its cache or from its own walk down the tree, not from the zone's own servers")
		}
	case len(m.Answer) == 0 && hasNS(m) && !m.Authoritative:
		to := ""
		for _, rr := range m.Ns {
			if ns, ok := rr.(*mdns.NS); ok {
				to = strings.ToLower(ns.Hdr.Name)
				break
			}
		}
		d.Kind = trace.DNSReferral
		d.Referral = to
		out.ex.Outcome = fmt.Sprintf("referral to %s: this server does not recurse (RA is %d), so instead of the answer it only said who to ask next; leave out @%s to walk the tree from the root", to, b2i(m.RecursionAvailable), q.server.Addr)
		fail = fmt.Errorf("%w to %s; leave out @%s to walk the tree from the root", ErrNoRecursion, to, q.server.Addr)
	default:
		d.Kind = trace.DNSNoData
		out.ex.Outcome = "no " + typeName(q.qtype) + " record"
	}
	out.ex.Notes = append(out.ex.Notes, digNotes(m, q.qtype, d.Kind)...)
	if !m.RecursionAvailable && d.Kind != trace.DNSReferral && d.Kind != trace.DNSRefused {
		out.ex.Notes = append(out.ex.Notes, "RA is 0: this server does not offer recursion, so it may only know its own zones")
	}
	out.ex.Label = label(q.server, out.ex.Outcome)
	r.record(st, out)
	if fail != nil {
		return nil, fail
	}
	return m, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
