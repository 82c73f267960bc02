// Package cli owns the command line: it parses flags into an engine
// configuration, starts the lab when asked, runs the journey and hands the
// trace to the chosen renderer. It returns the exit status; only main exits.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/pflag"

	"journey/internal/address"
	"journey/internal/dial"
	"journey/internal/dns"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/safetext"
	"journey/internal/tlswire"
	"journey/internal/trace"
)

// Version is the program's version, shown by --version and sent in User-Agent.
const Version = "0.1.0"

// Exit statuses, as PRODUCT.md fixes them.
const (
	ExitOK     = 0 // the journey completed, whatever the HTTP status
	ExitFailed = 1 // a stage failed; the report says which and why
	ExitUsage  = 2 // bad usage or bad input
	// ExitInterrupted is the status after Ctrl+C, 128+SIGINT as a shell
	// reports a program interrupted (SIGTERM gives 143, SIGHUP 129).
	ExitInterrupted = 130
)

// IO is the program's standard streams and environment.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// usageError is bad usage or bad input: one line, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// options are the parsed flags of a journey.
type options struct {
	lab        bool
	labLatency string
	labLoss    percent
	labSeed    uint64
	tlsMax     string
	warm       bool
	plain      bool
	story      bool // --story: the numbered narrative (package story), in plain text
	json       bool
	bytes      bool
	record     string
	keylog     string
	step       bool
	mouse      bool
	noColor    bool
	roots      string
	port       int
	resolve    []string
	timeout    seconds
	maxTime    seconds
	method     string
	headers    []string
	data       string
	location   bool
	insecure   bool
	compressed bool
	ipv4, ipv6 bool
	urls       string
	version    bool
	help       bool

	target   string
	resolver string // @SERVER
}

func newFlagSet(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("journey", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.lab, "lab", false, "use the built-in lab internet instead of the real one\n  journey --lab www.example.com")
	fs.StringVar(&o.labLatency, "lab-latency", "preset", "the round trip of every lab host: 'preset' (realistic, with jitter), a duration, or 0 for none\n  journey --lab --lab-latency 0 www.example.com")
	fs.Var(&o.labLoss, "lab-loss", "the lab drops this percentage of packets on purpose, to show retries\n  journey --lab --lab-loss 30% www.example.com")
	fs.Uint64Var(&o.labSeed, "lab-seed", 0, "the same loss and jitter every time; the report prints the seed used (one is chosen when 0)\n  journey --lab --lab-loss 30 --lab-seed 7 www.example.com")
	fs.StringVar(&o.tlsMax, "tls-max", "", "the highest TLS version offered, as curl: 1.2 or 1.3\n  journey --lab --tls-max 1.2 https://www.example.com/")
	fs.BoolVar(&o.warm, "warm", false, "visit twice: the second time warm, as a browser's second visit (the name from cache, the connection kept open, the page revalidated: 304)\n  journey --lab --warm https://www.example.com/")
	fs.BoolVar(&o.plain, "plain", false, "plain-text report on standard output (also when output is not a terminal)\n  journey --lab --plain www.example.com")
	fs.BoolVar(&o.json, "json", false, "the whole trace as JSON on standard output\n  journey --lab --json www.example.com | jq .stages[1]")
	fs.BoolVar(&o.story, "story", false, "plain text: the journey as a numbered narrative, step by step (implies --plain; with --bytes, each step's lesson in hex)\n  journey --lab --story www.example.com/articles/2024/")
	fs.BoolVar(&o.bytes, "bytes", false, "plain report: add a hex dump of every DNS packet\n  journey --lab --plain --bytes www.example.com")
	fs.StringVar(&o.record, "record", "", "also write the trace to FILE, for journey replay (- for standard output); only a regular file is ever replaced, and a journey that failed keeps the file already there\n  journey --lab --record trip.json www.example.com")
	fs.BoolVar(&o.step, "step", false, "pause before each packet is sent, until a key is pressed (TUI)\n  journey --lab --step www.example.com")
	fs.BoolVar(&o.mouse, "mouse", false, "let the TUI use the mouse (text can then not be selected)")
	fs.BoolVar(&o.noColor, "no-color", false, "no colours (also when NO_COLOR is set)")
	fs.StringVar(&o.roots, "roots", "", "root hints to start the iteration from, IP or IP:port, comma-separated\n  journey --roots 127.0.0.1:5353 www.example.com")
	fs.IntVarP(&o.port, "port", "p", 53, "the port used for every DNS server contacted (as dig -p)\n  journey --roots 127.0.0.1 -p 5353 www.example.com")
	fs.StringArrayVar(&o.resolve, "resolve", nil, "skip DNS for HOST:PORT and use ADDR (as curl --resolve); repeatable\n  journey --resolve www.example.com:80:127.0.0.1 www.example.com")
	o.timeout, o.maxTime = seconds(engine.DefaultTimeout), seconds(engine.DefaultMaxTime)
	fs.Var(&o.timeout, "timeout", "per-exchange timeout, in seconds (as curl: 0.5) or a duration (500ms)\n  journey --lab --timeout 0.5 www.example.com")
	fs.Var(&o.maxTime, "max-time", "time limit for the whole journey, in seconds as curl's or a duration (with --step only when given: a person sets the pace)\n  journey --lab --max-time 5 www.example.com")
	fs.StringVarP(&o.method, "request", "X", "", "HTTP method (as curl -X)\n  journey --lab -X DELETE www.example.com/api/status")
	fs.StringArrayVarP(&o.headers, "header", "H", nil, "extra request header (as curl -H); repeatable\n  journey --lab -H 'Accept: application/json' www.example.com/api/status")
	fs.StringVarP(&o.data, "data", "d", "", "request body; makes the request a POST (as curl -d)\n  journey --lab -d 'name=ada' www.example.com/echo/")
	fs.BoolVarP(&o.location, "location", "L", false, "follow redirects, each its own hop (as curl -L)\n  journey --lab -L www.example.com/old/")
	fs.BoolVarP(&o.insecure, "insecure", "k", false, "do not verify the TLS certificate (as curl -k)")
	fs.BoolVar(&o.compressed, "compressed", false, "ask for a compressed response and show it both ways (as curl --compressed)")
	fs.StringVar(&o.keylog, "keylog", "", "append the TLS secrets to FILE in the SSLKEYLOGFILE format, for Wireshark\n  journey --lab --keylog keys.log https://www.example.com/")
	fs.BoolVarP(&o.ipv4, "ipv4", "4", false, "IPv4 only: ask for A records, connect over IPv4")
	fs.BoolVarP(&o.ipv6, "ipv6", "6", false, "IPv6 only: ask for AAAA records, connect over IPv6")
	fs.StringVar(&o.urls, "urls", "", "the URL configuration the router uses: a Django urls.py with path() lines\n  journey --lab --urls urls.py www.example.com/blog/")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	return fs
}

const usageHead = `journey shows everything between typing an address and getting a page back:
DNS hop by hop, the connection, the HTTP request and response byte for byte,
and the server's side (gateway, router, view), with timings.

Usage:
  journey [flags] TARGET [@SERVER[:PORT]]   TARGET: a host name, an IP address or a URL
  journey replay [--step] FILE              show a recorded journey (--step: paced, for a class;
                                            also --plain, --story, --json)
  journey lab serve                         run the lab's servers in the foreground
  journey lab ca                            print the lab's CA certificate (PEM), for curl --cacert
  journey lab urls                          print the lab site's urls.py, to copy and change

Examples:
  journey --lab www.example.com             the built-in lab, in the terminal UI
  journey --lab --plain https://www.example.com/articles/2024/
  journey example.com @9.9.9.9              ask one resolver instead of iterating

Flags:
`

const usageTail = `
Exit status: 0 the journey completed (whatever the HTTP status), 1 a stage failed,
2 bad usage or bad input.
`

// Run runs the program with args (without the program name) and returns its
// exit status.
func Run(ctx context.Context, args []string, std IO) int {
	if std.Getenv == nil {
		std.Getenv = os.Getenv
	}
	var err error
	switch {
	case len(args) > 0 && args[0] == "replay":
		err = runReplay(ctx, args[1:], std)
	case len(args) > 0 && args[0] == "lab":
		err = runLabCommand(ctx, args[1:], std)
	default:
		err = runJourney(ctx, args, std)
	}
	return exitStatus(err, std.Stderr)
}

func exitStatus(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "journey: %s\n", safetext.Line(ue.msg))
		return ExitUsage
	case errors.Is(err, errInterrupted):
		var se signalError
		if errors.As(err, &se) {
			return se.exitStatus()
		}
		return ExitInterrupted
	case errors.As(err, new(signalError)):
		// Stopped by a signal while waiting (a replay of a FIFO): say so.
		fmt.Fprintf(stderr, "journey: %s\n", safetext.Line(err.Error()))
		var se signalError
		errors.As(err, &se)
		return se.exitStatus()
	case errors.Is(err, errReported):
		return ExitFailed
	default:
		fmt.Fprintf(stderr, "journey: %s\n", safetext.Line(err.Error()))
		return ExitFailed
	}
}

// errReported is a failure the report already shows: exit 1, nothing more to print.
var errReported = errors.New("reported")

// errInterrupted is a journey the user stopped (Ctrl+C in the terminal
// view, or a signal): exit 130, nothing more to print.
var errInterrupted = errors.New("interrupted")

func parseArgs(args []string) (*options, *pflag.FlagSet, error) {
	o := &options{}
	fs := newFlagSet(o)
	if err := fs.Parse(args); err != nil {
		return nil, fs, usagef("%v (see journey --help)", err)
	}
	if o.help {
		return o, fs, nil
	}
	if o.version {
		if len(fs.Args()) > 0 {
			return nil, fs, usagef("--version takes no TARGET, got %q", fs.Args())
		}
		return o, fs, nil
	}
	for _, a := range fs.Args() {
		switch {
		case strings.HasPrefix(a, "@"):
			if o.resolver != "" {
				return nil, fs, usagef("more than one @SERVER given: %q and %q", o.resolver, a)
			}
			o.resolver = a[1:]
		case o.target != "":
			return nil, fs, usagef("more than one TARGET given: %q and %q (see journey --help)", o.target, a)
		default:
			o.target = a
		}
	}
	if o.target == "" {
		return nil, fs, usagef("no TARGET given: try journey --lab www.example.com (see journey --help)")
	}
	return o, fs, nil
}

func runJourney(ctx context.Context, args []string, std IO) error {
	o, fs, err := parseArgs(args)
	if err != nil {
		return err
	}
	if o.help {
		printUsage(std.Stdout, fs)
		return nil
	}
	if o.version {
		fmt.Fprintf(std.Stdout, "journey %s\n", Version)
		return nil
	}
	cfg, err := configure(o, fs)
	if err != nil {
		return err
	}
	// Every check before any side effect: no lab is started, nothing is
	// written, for a command that will be refused.
	out := chooseOutput(o, std)
	if o.step && out != outputTUI {
		return usagef("--step pauses the terminal view, and standard output is not a terminal")
	}
	var labOpts lab.Options
	var limits string
	if o.lab {
		if labOpts, err = labOptions(o); err != nil {
			return err
		}
		if limits, err = fitLimits(&cfg, fs, labOpts); err != nil {
			return err
		}
	}
	rec, err := recordTo(o, fs, out)
	if err != nil {
		return err
	}
	var prepare func(*engine.Config) error
	if o.lab {
		pending := startLab(ctx, labOpts)
		defer pending.close()
		prepare = func(cfg *engine.Config) error {
			l, err := pending.wait()
			if err != nil {
				return fmt.Errorf("starting the lab: %w", err)
			}
			useLab(cfg, l, o)
			noteLimits(cfg, limits)
			return nil
		}
		cfg.Mode = trace.ModeLab // for the TUI's first frame; useLab sets it too
		if out == outputJSON || out == outputPlain && o.story {
			// Only the TUI and the plain stream have something to
			// print before the journey's first event; the others wait
			// for the lab here.
			if err := prepare(&cfg); err != nil {
				return err
			}
			prepare = nil
		}
	}
	return render(ctx, cfg, prepare, o, out, rec, std)
}

// pendingLab is a lab starting in the background: the TUI draws its
// first frame meanwhile (issue 15: the lab's certificates and zones took
// 10-20 ms of a cold start, as long as bubbletea's own start).
type pendingLab struct {
	done chan struct{}
	lab  *lab.Lab
	err  error
}

func startLab(ctx context.Context, opts lab.Options) *pendingLab {
	p := &pendingLab{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.lab, p.err = lab.Start(ctx, opts)
	}()
	return p
}

// wait returns the lab once it is up.
func (p *pendingLab) wait() (*lab.Lab, error) {
	<-p.done
	return p.lab, p.err
}

// close stops the lab, once it is up.
func (p *pendingLab) close() {
	if l, err := p.wait(); err == nil {
		l.Close()
	}
}

// configure turns flags into an engine configuration, checking each value.
func configure(o *options, fs *pflag.FlagSet) (engine.Config, error) {
	cfg := engine.Config{
		Mode:            trace.ModeLive,
		Version:         Version,
		Timeout:         time.Duration(o.timeout),
		MaxTime:         time.Duration(o.maxTime),
		DNSPort:         o.port,
		FollowRedirects: o.location,
		Insecure:        o.insecure,
		Compressed:      o.compressed,
		URLs:            o.urls,
		Dialer:          &dial.Router{},
	}
	t, err := address.Parse(o.target)
	if err != nil {
		return cfg, usageError{strings.TrimPrefix(err.Error(), address.ErrBadTarget.Error()+": ")}
	}
	cfg.Target = t
	if o.timeout <= 0 {
		return cfg, usagef("--timeout must be more than 0, not %s", &o.timeout)
	}
	if o.maxTime <= 0 {
		return cfg, usagef("--max-time must be more than 0, not %s", &o.maxTime)
	}
	if err := checkModes(o, fs); err != nil {
		return cfg, err
	}
	if o.step && !fs.Changed("max-time") {
		// A person decides when each packet leaves: a class may talk for
		// minutes. Each exchange still has --timeout once its packet is sent.
		cfg.MaxTime = stepMaxTime
	}
	if t.IsIP && (o.ipv6 && !strings.Contains(t.ASCIIHost, ":") || o.ipv4 && strings.Contains(t.ASCIIHost, ":")) {
		return cfg, usagef("%s is an IP address of the other family than -4/-6 asks for", t.ASCIIHost)
	}
	if o.port < 1 || o.port > 65535 {
		return cfg, usagef("--port %d is not a port number (1 to 65535)", o.port)
	}
	switch {
	case o.ipv4 && o.ipv6:
		return cfg, usagef("-4 and -6 exclude each other: give one")
	case o.ipv4:
		cfg.Family = dns.FamilyIPv4
	case o.ipv6:
		cfg.Family = dns.FamilyIPv6
	}
	if o.roots != "" {
		for _, r := range strings.Split(o.roots, ",") {
			addr, err := hostPort(strings.TrimSpace(r), o.port)
			if err != nil {
				return cfg, usagef("--roots: %v", err)
			}
			cfg.Roots = append(cfg.Roots, dns.Server{Addr: addr})
		}
	}
	if o.resolver != "" {
		addr, err := hostPort(o.resolver, o.port) // -p is the port of every DNS server, as with dig
		if err != nil {
			return cfg, usagef("@SERVER: %v", err)
		}
		cfg.Resolver = addr
	}
	for _, r := range o.resolve {
		ov, err := parseOverride(r)
		if err != nil {
			return cfg, err
		}
		cfg.Resolve = append(cfg.Resolve, ov)
	}
	if err := httpOptions(&cfg, o, fs); err != nil {
		return cfg, err
	}
	if err := tlsMaxOption(&cfg, o); err != nil {
		return cfg, err
	}
	if o.urls != "" {
		if err := checkURLs(o.urls); err != nil {
			return cfg, err
		}
	}
	if o.keylog != "" {
		// Checked now, written at the first TLS secret: nothing is created
		// for a journey refused, or one without https.
		if err := tlswire.CheckKeyLogFile(o.keylog); err != nil {
			return cfg, usagef("--keylog %s: %v", o.keylog, err)
		}
		cfg.KeyLog = &tlswire.KeyLogFile{Path: o.keylog}
	}
	cfg.SystemFallback = o.roots == "" && o.resolver == "" && !o.lab
	return cfg, nil
}

// stepMaxTime bounds a --step journey: long enough for a lesson.
const stepMaxTime = 2 * time.Hour

// checkModes checks the flags that choose an output against each other,
// and that --record can be written before the journey runs.
func checkModes(o *options, fs *pflag.FlagSet) error {
	if o.plain && o.json {
		return usagef("--plain and --json exclude each other: give one")
	}
	if o.warm && o.step {
		return usagef("--warm cannot be used with --step: step mode holds the packets of one visit; --warm alone walks both visits in the terminal view")
	}
	if o.story && (o.json || o.step) {
		return usagef("--story prints the narrative in plain text; it cannot be used with --json or --step")
	}
	if o.step && (o.plain || o.json) {
		return usagef("--step pauses the terminal view before each packet; it cannot be used with --plain or --json")
	}
	return nil
}

// hostPort checks "IP" or "IP:port" and returns IP:port.
func hostPort(s string, defaultPort int) (string, error) {
	if ip, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(ip, uint16(defaultPort)).String(), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return "", fmt.Errorf("%q is not an IP address or IP:port", s)
	}
	return ap.String(), nil
}

// parseOverride reads --resolve HOST:PORT:ADDR (ADDR may be [v6]).
func parseOverride(s string) (engine.Override, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return engine.Override{}, usagef("--resolve %q: want HOST:PORT:ADDR, as www.example.com:443:127.0.0.1", s)
	}
	port, err := strconv.Atoi(parts[1])
	if err != nil || port < 1 || port > 65535 {
		return engine.Override{}, usagef("--resolve %q: %q is not a port number", s, parts[1])
	}
	host, err := address.ToASCII(parts[0])
	if err != nil {
		return engine.Override{}, usagef("--resolve %q: %q is not a host name", s, parts[0])
	}
	ip, err := netip.ParseAddr(strings.Trim(parts[2], "[]"))
	if err != nil {
		return engine.Override{}, usagef("--resolve %q: %q is not an IP address", s, parts[2])
	}
	return engine.Override{Host: host, Port: port, Addr: ip.String()}, nil
}

// httpOptions checks -X, -H and -d.
func httpOptions(cfg *engine.Config, o *options, fs *pflag.FlagSet) error {
	if fs.Changed("request") {
		if !isToken(o.method) {
			return usagef("-X %q is not an HTTP method (letters only, as GET or POST)", o.method)
		}
		cfg.Method = o.method
	}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || !isToken(name) {
			return usagef("-H %q: want 'Name: value', as -H 'Accept: text/html'", h)
		}
		if strings.ContainsAny(value, "\r\n") {
			return usagef("-H %q: a header value cannot hold a line break", h)
		}
	}
	cfg.Headers = o.headers
	if fs.Changed("data") {
		body := o.data
		cfg.Body = &body
	}
	return nil
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func labOptions(o *options) (lab.Options, error) {
	opts := lab.Options{Latency: lab.PresetLatency, Loss: float64(o.labLoss), Seed: labSeed(o), URLs: o.urls, DNSPort: o.port, Step: o.step}
	if o.labLatency != "preset" {
		if o.labLatency == "0" {
			opts.Latency = 0
		} else {
			d, err := time.ParseDuration(o.labLatency)
			if err != nil || d < 0 || d > 10*time.Second {
				return opts, usagef("--lab-latency %q: want 'preset', 0, or a duration up to 10s such as 40ms", o.labLatency)
			}
			opts.Latency = d
		}
	}
	if o.labLoss < 0 || o.labLoss > 100 {
		return opts, usagef("--lab-loss %v: want a percentage from 0 to 100", &o.labLoss)
	}
	return opts, nil
}

// useLab points the configuration at a running lab.
func useLab(cfg *engine.Config, l *lab.Lab, o *options) {
	cfg.Mode = trace.ModeLab
	cfg.Dialer = l.Dialer()
	if len(cfg.Roots) == 0 {
		cfg.Roots = l.Roots()
	}
	cfg.RootCAs = l.RootCAs()
	cfg.ServerStages = l.ServerStages
	if o.step {
		cfg.HoldServer = l.HoldServer // the web server waits for the class too
	}
	cfg.Simulation = l.Simulation()
	cfg.SystemFallback = false
	cfg.ResolverWalk = labWalks(l)
}

// output is the renderer a run uses.
type output int

const (
	outputTUI output = iota
	outputPlain
	outputJSON
)

func chooseOutput(o *options, std IO) output {
	switch {
	case o.json:
		return outputJSON
	case o.plain, o.story, !isTerminal(std.Stdout), std.Getenv("TERM") == "dumb":
		return outputPlain
	}
	return outputTUI
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// colorEnabled honours --no-color, NO_COLOR (https://no-color.org) and
// TERM=dumb (a terminal that draws escape sequences as text).
func colorEnabled(o *options, std IO) bool {
	return wantColor(o.noColor, std)
}

func wantColor(noColor bool, std IO) bool {
	return !noColor && std.Getenv("NO_COLOR") == "" && std.Getenv("TERM") != "dumb"
}
