package dns

import (
	"context"
	"fmt"
	"net"
	"strings"

	mdns "github.com/miekg/dns"

	"journey/internal/trace"
)

// Ask asks one recursive resolver (server is IP:port) for name's addresses,
// with recursion desired: a single exchange per record type, as dig @server.
func (r *Resolver) Ask(ctx context.Context, server, name string, fam Family) (*trace.DNS, error) {
	result := &trace.DNS{Name: Fqdn(name), Method: trace.MethodResolver, Resolver: server}
	err := r.askRecursive(ctx, Server{Addr: server}, result, fam)
	return result, err
}

// askSystem asks the first resolver of the system's configuration, after
// the roots did not answer.
func (r *Resolver) askSystem(ctx context.Context, name string, fam Family, queriesSoFar int) (*trace.DNS, error) {
	path := r.ResolvConf
	if path == "" {
		path = "/etc/resolv.conf"
	}
	result := &trace.DNS{Name: Fqdn(name), Method: trace.MethodSystem, Queries: queriesSoFar}
	conf, err := mdns.ClientConfigFromFile(path)
	if err != nil || len(conf.Servers) == 0 {
		return result, fmt.Errorf("no root server answered, and the system's resolver could not be read from %s: %v", path, err)
	}
	server := net.JoinHostPort(conf.Servers[0], conf.Port)
	result.Resolver = server
	r.Recorder.Note(trace.StageDNS, fmt.Sprintf("System resolver: %s (from %s).", server, path))
	err = r.askRecursive(ctx, Server{Name: "system resolver", Addr: server}, result, fam)
	result.Queries += queriesSoFar
	return result, err
}

// askRecursive puts the questions for name's addresses to a recursive
// resolver and fills result.
func (r *Resolver) askRecursive(ctx context.Context, server Server, result *trace.DNS, fam Family) error {
	st := &state{}
	defer func() { result.Queries = st.queries }()
	name := result.Name
	for _, qtype := range questionTypes(fam) {
		result.Types = append(result.Types, typeName(qtype))
		why := fmt.Sprintf("Asking the recursive resolver %s for %s %s with recursion desired (RD): it does the walk down from the root for us and answers from its cache when it can.", server.Addr, name, typeName(qtype))
		m, err := r.askOnce(ctx, st, server, name, qtype, why)
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

// askOnce sends one recursive query, again over TCP if truncated, and
// records the exchanges.
func (r *Resolver) askOnce(ctx context.Context, st *state, server Server, name string, qtype uint16, why string) (*mdns.Msg, error) {
	out := r.roundTrip(ctx, st, server, name, qtype, true, why, 0, func(*trace.Exchange) {})
	if out.err != nil {
		return nil, out.err
	}
	m := out.msg
	d := out.ex.DNS
	for _, rr := range m.Answer {
		d.Answers = append(d.Answers, rrText(rr))
	}
	addrs, chain, _, _ := followCNAMEs(m, name, qtype, ".")
	switch {
	case m.Rcode == mdns.RcodeNameError:
		d.Kind = trace.DNSNXDomain
		out.ex.Outcome = fmt.Sprintf("NXDOMAIN: %s does not exist", name)
	case m.Rcode != mdns.RcodeSuccess:
		d.Kind = trace.DNSError
		out.ex.Outcome = rcodeName(m.Rcode) + ": the resolver could not answer"
	case len(addrs) > 0:
		d.Kind = trace.DNSAnswer
		out.ex.Outcome = "answer: " + listAddrs(addrs)
		if len(chain) > 0 {
			out.ex.Outcome += " (through " + strings.Join(chain, " → ") + ")"
		}
	default:
		d.Kind = trace.DNSNoData
		out.ex.Outcome = "no " + typeName(qtype) + " record"
	}
	if !m.RecursionAvailable {
		out.ex.Notes = append(out.ex.Notes, "RA is 0: this server does not offer recursion, so it may only know its own zones")
	}
	out.ex.Label = label(server, out.ex.Outcome)
	r.Recorder.AddExchange(trace.StageDNS, out.ex)
	if m.Rcode != mdns.RcodeSuccess && m.Rcode != mdns.RcodeNameError {
		return nil, fmt.Errorf("%w: %s from %s", ErrServerFailure, rcodeName(m.Rcode), server.Addr)
	}
	return m, nil
}
