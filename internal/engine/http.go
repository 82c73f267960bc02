package engine

import (
	"context"
	"fmt"
	"strings"

	"journey/internal/dns"
	jhttp "journey/internal/http"
	"journey/internal/trace"
)

// runHTTP connects to one of addrs and makes the request (the connect and
// HTTP stages).
func runHTTP(ctx context.Context, cfg Config, rec *trace.Recorder, addrs []string) (*fetched, *jhttp.Client, error) {
	c := &jhttp.Client{
		Dialer:          cfg.Dialer,
		Recorder:        rec,
		Timeout:         cfg.Timeout,
		RootCAs:         cfg.RootCAs,
		KeyLog:          cfg.KeyLog,
		Method:          cfg.Method,
		Headers:         cfg.Headers,
		Body:            cfg.Body,
		UserAgent:       "journey/" + cfg.Version,
		Insecure:        cfg.Insecure,
		Compressed:      cfg.Compressed,
		FollowRedirects: cfg.FollowRedirects,
		TLSMax:          cfg.TLSMax,
		KeepAlive:       cfg.Warm != nil,
		Resolve: func(ctx context.Context, host string, port int) ([]string, error) {
			return redirectLookup(ctx, cfg, rec, host, port)
		},
	}
	res, err := c.Run(ctx, cfg.Target, addrs)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return &fetched{Request: res.Request, Local: res.Local, Scheme: res.Scheme, Remote: res.Remote}, c, nil
}

// redirectLookup finds the addresses of a host a redirect leads to: a
// --resolve entry, or a lookup recorded with the DNS stage.
func redirectLookup(ctx context.Context, cfg Config, rec *trace.Recorder, host string, port int) ([]string, error) {
	for _, o := range cfg.Resolve {
		if strings.EqualFold(o.Host, host) && o.Port == port {
			return []string{o.Addr}, nil
		}
	}
	// Said so it holds wherever a renderer puts notes (before or after
	// the exchanges): these lookups come after the stage's first lookup.
	rec.Note(trace.StageDNS, fmt.Sprintf("-L: a redirect leads to another host, %s, so it was looked up too: the stage's last exchanges, after the first lookup's.", host))
	r := &dns.Resolver{Dialer: cfg.Dialer, Recorder: rec, Roots: cfg.Roots, Port: cfg.DNSPort, Timeout: cfg.Timeout, SystemFallback: cfg.SystemFallback,
		Shuffle: cfg.Mode == trace.ModeLive, Hedge: !rec.Holds()} // as runDNS's
	var (
		res *trace.DNS
		err error
	)
	if cfg.Resolver != "" {
		res, err = r.Ask(ctx, cfg.Resolver, host, cfg.Family)
		nestWalks(cfg, rec) // the walks already shown were taken: only this lookup's are added
	} else {
		res, err = r.Lookup(ctx, host, cfg.Family)
	}
	if err != nil {
		return nil, err
	}
	return res.Addresses, nil
}
