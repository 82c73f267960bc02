package engine

import (
	"context"
	"fmt"
	"strings"

	"journey/internal/dns"
	"journey/internal/trace"
)

// runDNS finds the addresses of the target's host (the DNS stage) and
// returns them, IPv4 or IPv6 literals without port.
func runDNS(ctx context.Context, cfg Config, rec *trace.Recorder) ([]string, error) {
	t := cfg.Target
	if t.IsIP {
		rec.SkipStage(trace.StageDNS, fmt.Sprintf("%s is already an IP address: there is no name to look up, so no DNS is needed.", t.ASCIIHost))
		return []string{t.ASCIIHost}, nil
	}
	for _, o := range cfg.Resolve {
		if strings.EqualFold(o.Host, t.ASCIIHost) && o.Port == t.Port {
			// No note: the stage's method (override) is the whole story,
			// and every view tells it from that.
			rec.StartStage(trace.StageDNS)
			rec.FinishStage(trace.StageDNS, nil, func(s *trace.Stage) {
				s.DNS = &trace.DNS{Name: dns.Fqdn(t.ASCIIHost), Method: trace.MethodOverride, Addresses: []string{o.Addr}}
			})
			return []string{o.Addr}, nil
		}
	}

	rec.StartStage(trace.StageDNS)
	// The lab's notes (its servers' latency, its loss) apply to the lab's
	// servers. Walking from the roots meets them, so they are said at
	// once; @SERVER may name a server outside the lab (127.0.0.9, a
	// resolver on this machine), so they wait until one was met.
	if cfg.Resolver == "" {
		simulationNotes(cfg, rec)
	}
	r := &dns.Resolver{
		Dialer:         cfg.Dialer,
		Recorder:       rec,
		Roots:          cfg.Roots,
		Port:           cfg.DNSPort,
		Timeout:        cfg.Timeout,
		SystemFallback: cfg.SystemFallback,
		// Live, start at a random server of each set as resolvers do; the
		// lab keeps its order so every lab journey tells the same story.
		Shuffle: cfg.Mode == trace.ModeLive,
		// A slow server gets company: the same question to the next
		// server of the set, the first usable answer taken. Not while a
		// person holds each packet (--step): the hedge's timer would count
		// their pause, and a second packet would wait beside the first.
		Hedge: !rec.Holds(),
	}
	var (
		result *trace.DNS
		err    error
	)
	if cfg.Resolver != "" {
		result, err = r.Ask(ctx, cfg.Resolver, t.ASCIIHost, cfg.Family)
		nestWalks(cfg, rec)
	} else {
		result, err = r.Lookup(ctx, t.ASCIIHost, cfg.Family)
	}
	err = overTime(ctx, cfg, err)
	if cfg.Resolver != "" && metLab(rec) {
		simulationNotes(cfg, rec)
	}
	rec.FinishStage(trace.StageDNS, err, func(s *trace.Stage) { s.DNS = result })
	if err != nil {
		return nil, err
	}
	return result.Addresses, nil
}

// simulationNotes notes what the lab simulates for the DNS stage.
func simulationNotes(cfg Config, rec *trace.Recorder) {
	for _, n := range cfg.Simulation[trace.StageDNS] {
		rec.Note(trace.StageDNS, n)
	}
}

// metLab says whether a DNS exchange so far went to one of the lab's
// servers: the lab routes its addresses, and the trace keeps the route.
func metLab(rec *trace.Recorder) bool {
	if s := rec.Snapshot().Stage(trace.StageDNS); s != nil {
		for _, ex := range s.Exchanges {
			if ex.Peer.Via != "" {
				return true
			}
		}
	}
	return false
}
