package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"journey/internal/lab"
)

const labUsage = `Usage:
  journey lab serve [--port BASE] [--lab-latency D] [--lab-loss PERCENT] [--lab-seed N] [--urls FILE]
      run the lab's DNS and web servers in the foreground, and print where each
      listens, so that dig, curl or a browser can talk to them, and one line per
      request answered; Ctrl+C stops it. --port BASE puts them on fixed ports:
      the web server's http on BASE, https on BASE+1, the DNS servers from BASE+2
  journey lab ca
      print the lab's CA certificate (PEM), for curl --cacert or a browser; the
      CA is kept in your configuration directory and may sign the lab's names only
  journey lab urls
      print the lab site's urls.py, to copy, change and load with --urls FILE
  journey lab urls --views
      print journey_views.py, the view helpers as Python, so that Django itself
      loads the same urls.py (python3 manage.py check)
`

// newLabServeFlagSet has lab serve's own flags only: a journey flag
// (--step, --plain) would be accepted and do nothing, or worse (--step
// kept idle connections open for half an hour).
func newLabServeFlagSet(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("journey lab serve", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	all := newFlagSet(o)
	for _, name := range []string{"lab-latency", "lab-loss", "lab-seed", "urls", "port"} {
		fs.AddFlag(all.Lookup(name))
	}
	return fs
}

// journeyFlag reports whether a parse error is about a flag journey
// itself takes, and names it.
func journeyFlag(err error) (string, bool) {
	msg := err.Error()
	i := strings.Index(msg, "unknown ")
	if i < 0 {
		return "", false
	}
	var name string
	switch {
	case strings.HasPrefix(msg[i:], "unknown flag: --"):
		name = strings.TrimPrefix(msg[i:], "unknown flag: --")
		name, _, _ = strings.Cut(name, "=")
		if newFlagSet(&options{}).Lookup(name) == nil {
			return "", false
		}
		return "--" + name, true
	case strings.HasPrefix(msg[i:], "unknown shorthand flag: '"):
		c := strings.TrimPrefix(msg[i:], "unknown shorthand flag: '")
		if c == "" || newFlagSet(&options{}).ShorthandLookup(c[:1]) == nil {
			return "", false
		}
		return "-" + c[:1], true
	}
	return "", false
}

// runLabCommand runs "journey lab serve" (the lab's servers in the
// foreground until interrupted, with where each listens) and "journey lab
// urls" (the demo site's URL file, for a teacher to copy and change).
func runLabCommand(ctx context.Context, args []string, std IO) error {
	if slices.Contains(args, "-h") || slices.Contains(args, "--help") {
		fmt.Fprint(std.Stdout, labUsage)
		return nil
	}
	if len(args) >= 1 && args[0] == "urls" {
		return runLabURLs(args[1:], std)
	}
	if len(args) == 1 && args[0] == "ca" {
		ca, err := keptCA()
		if err != nil {
			return err
		}
		_, err = std.Stdout.Write(ca.PEM())
		return err
	}
	if len(args) == 0 || args[0] != "serve" {
		return usagef("usage: journey lab serve [--port BASE] [--lab-latency D] [--lab-loss PERCENT] [--urls FILE], journey lab ca, or journey lab urls (see journey lab --help)")
	}
	o := &options{}
	fs := newLabServeFlagSet(o)
	if err := fs.Parse(args[1:]); err != nil {
		if name, ok := journeyFlag(err); ok {
			return usagef("lab serve: %s is a journey flag, not one of lab serve's (--port, --lab-latency, --lab-loss, --lab-seed, --urls)", name)
		}
		return usagef("lab serve: %v (see journey lab --help)", err)
	}
	if len(fs.Args()) > 0 {
		return usagef("journey lab serve takes no arguments, got %q", fs.Args())
	}
	if o.urls != "" {
		if err := checkURLs(o.urls); err != nil {
			return err
		}
	}
	opts, err := labOptions(o)
	if err != nil {
		return err
	}
	opts.DNSPort = 53 // --port is the base of the real ports here, not the DNS servers' shown port
	if fs.Changed("port") {
		if o.port < 1 || o.port > lab.MaxBasePort {
			return usagef("--port %d: want a base port from 1 to %d (the lab listens on it and the next %d)", o.port, lab.MaxBasePort, 65535-lab.MaxBasePort)
		}
		opts.BasePort = o.port
	}
	if opts.CA, err = keptCA(); err != nil {
		return err
	}
	opts.AccessLog = std.Stdout
	l, err := lab.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("starting the lab: %w", err)
	}
	defer l.Close()
	fmt.Fprintln(std.Stdout, "The lab is running. Each server, the address its zone files give it, and where it really listens:")
	for _, s := range l.Listeners() {
		fmt.Fprintf(std.Stdout, "  %-28s %-5s %-22s -> %s\n", s.Name, s.Network, s.Shown, s.Real)
	}
	fmt.Fprintln(std.Stdout, "\nOther tools reach a server at its real address. For example:")
	for _, s := range l.Listeners() {
		host, port, _ := net.SplitHostPort(s.Real)
		switch {
		case s.Name == "ns1.example.com" && s.Network == "udp":
			fmt.Fprintf(std.Stdout, "  dig @%s -p %s www.example.com          (ns1.example.com answers with authority)\n", host, port)
		case s.Name == lab.ResolverName && s.Network == "udp":
			fmt.Fprintf(std.Stdout, "  dig @%s -p %s www.example.org          (the lab's recursive resolver walks the tree for you, then answers from its cache)\n", host, port)
		case s.Name == "web" && strings.HasPrefix(s.Shown, "203.") && strings.HasSuffix(s.Shown, ":80"):
			fmt.Fprintf(std.Stdout, "  curl -v -H 'Host: www.example.com' http://%s/articles/2024/\n", s.Real)
		case s.Name == "web (https)" && strings.HasPrefix(s.Shown, "203."):
			fmt.Fprintf(std.Stdout, "  curl --cacert <(journey lab ca) --resolve www.example.com:%s:%s https://www.example.com:%s/\n", port, host, port)
		}
	}
	fmt.Fprintln(std.Stdout, "The lab's referrals name documentation addresses (192.0.2.x...) that only journey routes here, so dig +trace cannot follow them.")
	fmt.Fprintln(std.Stdout, "The simulated round trips and loss apply to journey's own connections; other tools see the servers' processing times (and the resolver's own walk, which crosses the links), not the round trips to them.")
	fmt.Fprintln(std.Stdout, "Press Ctrl+C to stop. Each request answered is logged below.")
	<-ctx.Done()
	return nil
}

// keptCA is the lab's CA kept in the user's configuration directory, made
// on first use, so journey lab ca and journey lab serve agree across runs.
func keptCA() (*lab.CA, error) {
	dir, err := lab.DefaultCADir()
	if err != nil {
		return nil, err
	}
	return lab.LoadCA(dir, time.Now())
}
