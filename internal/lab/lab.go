// Package lab owns the lab internet: a small internet started in-process on
// loopback. Root, top-level-domain and authoritative DNS servers load zone
// files (RFC 1035 master format) and answer on real UDP and TCP sockets; a
// web server runs the project's own gateway. The zone files give every
// server a documentation address (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32), and the lab's dialer routes each such
// address to the loopback listener behind it, so the journey shows the
// addresses of the zone files while every packet really crosses a socket.
//
// Its links behave like the internet's (package dial's link model): each
// host has a round-trip time and its own processing time, and loses
// packets on purpose when asked, repeatably for a seed. It has a caching
// recursive resolver (192.0.2.53), as an ISP runs one.
package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"journey/internal/dial"
	jdns "journey/internal/dns"
	"journey/internal/gateway"
	"journey/internal/trace"
)

// PresetLatency asks for each host's realistic round trip.
const PresetLatency time.Duration = -1

// Options configure a lab.
type Options struct {
	// Latency is the round-trip time of every host, or PresetLatency for a
	// realistic figure per kind of host (with jitter); 0 for none, which
	// also takes away the servers' processing times.
	Latency time.Duration
	// ServerTime, when more than 0, replaces every host's processing time
	// (a DNS server's before it answers, the web server's before the site
	// reads the request).
	ServerTime time.Duration
	// Loss is the percentage (0 to 100) of packets the links drop on purpose.
	Loss float64
	// Seed makes loss and jitter repeat: the same seed, the same run.
	Seed uint64
	// URLs is the web site's URL configuration file; the demo site when empty.
	URLs string
	// DNSPort is the port the journey uses for DNS servers (53 when zero).
	DNSPort int
	// CA, if set, is the certificate authority the web server's
	// certificates chain to (journey lab serve's kept one); a new one for
	// this run when nil.
	CA *CA
	// BasePort, if set, is the first of the fixed loopback ports the lab
	// listens on (journey lab serve --port): the web server's http and
	// https, then each DNS server in turn. Random free ports when 0.
	BasePort int
	// AccessLog, if set, gets one line per request the web server answers.
	AccessLog io.Writer
	// Step says the client pauses before each packet (--step): the servers
	// must then wait for a person, not for a program, before timing out.
	Step bool
}

// Realistic round-trip times from a home connection, roughly, as
// measurements of the real servers from Europe show them: root servers are
// anycast and close, top-level-domain servers a little further, a domain's
// own servers further still, and the web site far away. Each connection's
// round trip varies by up to presetJitter of it either way.
const (
	presetRoot = 14 * time.Millisecond
	presetTLD  = 30 * time.Millisecond
	presetAuth = 40 * time.Millisecond
	presetWeb  = 80 * time.Millisecond
	// presetJitterPct is the jitter, in percent of the round trip.
	presetJitterPct = 10
)

// Processing times: what a server spends before answering. A DNS server
// answers from memory in about a millisecond; a web application with a
// database query takes longer.
const (
	dnsProcessing  = time.Millisecond
	authProcessing = 2 * time.Millisecond
	webProcessing  = 15 * time.Millisecond
)

// host is one DNS server of the lab: a name, a documentation address, the
// zones it serves, and its distance.
type host struct {
	name       string
	addr       string
	zones      []string
	rtt        time.Duration // preset
	processing time.Duration // preset
}

// hosts is the lab's DNS: who serves which zone (the zone files name the
// same servers in their NS records).
var hosts = []host{
	{"a.root-servers.net", "192.0.2.1", []string{"."}, presetRoot, dnsProcessing},
	{"b.root-servers.net", "192.0.2.2", []string{"."}, presetRoot, dnsProcessing},
	{"a.gtld-servers.net", "192.0.2.10", []string{"com.", "net."}, presetTLD, dnsProcessing},
	{"b.gtld-servers.net", "192.0.2.11", []string{"com.", "net."}, presetTLD, dnsProcessing},
	{"a0.org-servers.net", "192.0.2.30", []string{"org."}, presetTLD, dnsProcessing},
	{"nsa.nic.uk", "192.0.2.20", []string{"uk."}, presetTLD, dnsProcessing},
	{"nsb.nic.uk", "192.0.2.21", []string{"uk."}, presetTLD, dnsProcessing},
	{"ns1.example.com", "198.51.100.1", []string{"example.com."}, presetAuth, authProcessing},
	{"ns2.example.com", "198.51.100.2", []string{"example.com.", "lame.example.com."}, presetAuth, authProcessing},
	{"ns1.example.net", "198.51.100.10", []string{"example.net.", "example.org."}, presetAuth, authProcessing},
	{"ns2.example.net", "198.51.100.11", []string{"example.net.", "example.org."}, presetAuth, authProcessing},
	{"ns1.example.co.uk", "198.51.100.20", []string{"example.co.uk."}, presetAuth, authProcessing},
}

// webHost is the lab's web server's place in the model.
var webHost = host{name: "web", rtt: presetWeb, processing: webProcessing}

// link is the path to h and its processing time under opts.
func (o Options) link(h host) (dial.Link, time.Duration) {
	switch {
	case o.Latency == 0:
		return dial.Link{}, max(o.ServerTime, 0)
	case o.Latency > 0:
		return dial.Link{RTT: o.Latency}, o.processing(h)
	}
	return dial.Link{RTT: h.rtt, Jitter: h.rtt * presetJitterPct / 100}, o.processing(h)
}

func (o Options) processing(h host) time.Duration {
	if o.ServerTime > 0 {
		return o.ServerTime
	}
	return h.processing
}

// Longest is the longest round trip plus processing time of any lab host,
// jitter included: an exchange with --timeout shorter than this cannot
// succeed.
func (o Options) Longest() time.Duration {
	var longest time.Duration
	for _, h := range append(slices.Clone(hosts), webHost, resolverHost) {
		l, p := o.link(h)
		longest = max(longest, l.RTT+l.Jitter+p)
	}
	return longest
}

// Listener is one socket of the lab: what the zones call it, where it is.
type Listener struct {
	Name    string // the server's host name
	Network string // udp or tcp
	Shown   string // the address the zone files give, with port
	Real    string // the loopback address it really listens on
}

// Lab is a running lab internet. Close stops it.
type Lab struct {
	opts      Options
	router    *dial.Router
	roots     []jdns.Server
	listeners []Listener
	servers   []*dns.Server
	site      *gateway.Server
	web       *webServer
	net       *dial.Network
	resolver  *resolver
	logMu     sync.Mutex // one access-log line at a time
}

// The fixed ports of journey lab serve --port BASE, counted from BASE.
const (
	portWeb    = 0 // http
	portWebTLS = 1 // https
	portDNS    = 2 // the first DNS server; the others follow in hosts' order
)

// MaxBasePort is the highest --port BASE that leaves room for every port
// the lab listens on.
const MaxBasePort = 65535 - portDNS - 16

// loopback is the loopback address a listener at offset from BasePort
// takes: a fixed port, or any free one.
func (l *Lab) loopback(offset int) string {
	if l.opts.BasePort == 0 {
		return "127.0.0.1:0"
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(l.opts.BasePort+offset))
}

// Start loads the zones and starts every server on loopback.
func Start(ctx context.Context, opts Options) (*Lab, error) {
	if opts.DNSPort == 0 {
		opts.DNSPort = 53
	}
	zones, err := loadZones()
	if err != nil {
		return nil, fmt.Errorf("loading the lab's zones: %w", err)
	}
	l := &Lab{
		opts: opts,
		net:  &dial.Network{Seed: opts.Seed, Loss: opts.Loss},
	}
	l.router = &dial.Router{LoopbackOnly: true, Net: l.net}
	for i, h := range hosts {
		var served []*Zone
		for _, origin := range h.zones {
			z, ok := zones[origin]
			if !ok {
				l.Close()
				return nil, fmt.Errorf("lab host %s serves %s, which has no zone file", h.name, origin)
			}
			served = append(served, z)
		}
		if err := l.startDNS(h, served, l.loopback(portDNS+i)); err != nil {
			l.Close()
			return nil, err
		}
		if slices.Contains(h.zones, ".") {
			l.roots = append(l.roots, jdns.Server{Name: h.name, Addr: net.JoinHostPort(h.addr, strconv.Itoa(opts.DNSPort))})
		}
	}
	if err := l.startResolver(l.loopback(portDNS + len(hosts))); err != nil {
		l.Close()
		return nil, err
	}
	if l.site, err = newSite(opts); err != nil {
		l.Close()
		return nil, err
	}
	// A kept-alive connection's later requests (--warm) cost the server
	// its processing time too, as the first does in handleWeb.
	l.site.BeforeNext = func(ctx context.Context, conn net.Conn) error {
		if _, processing := l.opts.link(webHost); processing > 0 {
			return l.net.Process(ctx, "tcp", conn.RemoteAddr(), processing)
		}
		return nil
	}
	if err := l.startWeb(); err != nil {
		l.Close()
		return nil, fmt.Errorf("starting the lab's web server: %w", err)
	}
	return l, nil
}

// startDNS starts one authoritative DNS server.
func (l *Lab) startDNS(h host, zones []*Zone, at string) error {
	return l.startServer(h, at, func(w dns.ResponseWriter, req *dns.Msg) { l.serveDNS(h, zones, w, req) })
}

// startServer starts one DNS server of host h on UDP and TCP loopback
// sockets at at, and routes its documentation address to them across its
// link.
func (l *Lab) startServer(h host, at string, serve dns.HandlerFunc) error {
	pc, ln, err := listenPair(at)
	if err != nil {
		return fmt.Errorf("lab host %s: %w", h.name, err)
	}
	shown := net.JoinHostPort(h.addr, strconv.Itoa(l.opts.DNSPort))
	for _, s := range []*dns.Server{
		{PacketConn: pc, Handler: serve},
		{Listener: ln, Handler: serve},
	} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		l.servers = append(l.servers, s)
		go s.ActivateAndServe()
		<-started
	}
	link, _ := l.opts.link(h)
	l.net.SetLink(h.addr, link)
	for _, lis := range []Listener{
		{h.name, "udp", shown, pc.LocalAddr().String()},
		{h.name, "tcp", shown, ln.Addr().String()},
	} {
		l.router.Add(lis.Network, lis.Shown, lis.Real)
		l.listeners = append(l.listeners, lis)
	}
	return nil
}

// listenPair opens a UDP and a TCP socket on the same loopback port (at's,
// or a free one for port 0), so a server has one address for both, as a
// real one does.
func listenPair(at string) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 10 {
		ln, err := net.Listen("tcp4", at)
		if err != nil {
			return nil, nil, err
		}
		pc, err := net.ListenPacket("udp4", ln.Addr().String())
		if err == nil {
			return pc, ln, nil
		}
		ln.Close()
		lastErr = err
		if !strings.HasSuffix(at, ":0") {
			break // a fixed port: trying again finds it taken again
		}
	}
	return nil, nil, fmt.Errorf("no free port for both UDP and TCP: %w", lastErr)
}

// serveDNS answers one query after the server's processing time; the
// answer then travels back over the link, unless the link loses it.
// Answer's own work is part of the processing time.
func (l *Lab) serveDNS(h host, zones []*Zone, w dns.ResponseWriter, req *dns.Msg) {
	_, processing := l.opts.link(h)
	m := Answer(zones, req)
	network := "tcp"
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		network = "udp"
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
			m.SetEdns0(opt.UDPSize(), false)
		}
		m.Truncate(size)
	} else if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	m.Compress = true // as real servers do (Truncate turns it off); the annotations show the pointers
	lost, due := l.net.Reply(network, w.RemoteAddr(), m.Len(), processing)
	if lost {
		return
	}
	// One message is one segment: holding it here until it arrives is the
	// same as the link holding it.
	time.Sleep(time.Until(due))
	w.WriteMsg(m)
}

// Simulation says, per stage, what the lab adds on purpose: the links'
// round trips, the servers' processing times, the packets it drops, and
// the seed that repeats them.
func (l *Lab) Simulation() map[trace.StageKind][]string {
	o := l.opts
	out := map[trace.StageKind][]string{}
	add := func(k trace.StageKind, format string, args ...any) {
		out[k] = append(out[k], fmt.Sprintf(format, args...))
	}
	web, webTime := o.link(webHost)
	switch {
	case o.Latency == 0:
		add(trace.StageDNS, "The lab adds no latency (--lab-latency 0): these are loopback times, far faster than any real network.")
		add(trace.StageConnect, "The lab adds no latency (--lab-latency 0): connecting across loopback is almost free; on the internet it costs a round trip, and TLS another.")
	case o.Latency > 0:
		add(trace.StageDNS, "Every lab host is %s away (--lab-latency): each query's round trip is that plus the server's time (%s).", trace.Dur(o.Latency), trace.Dur(o.processing(hosts[0])))
	default:
		add(trace.StageDNS, "The lab's links have realistic round trips (--lab-latency 0 takes them away): root servers about %s, top-level-domain servers %s, a domain's own servers %s, each ±%d%% per connection; each server then takes %s to %s to answer.",
			trace.Dur(presetRoot), trace.Dur(presetTLD), trace.Dur(presetAuth), presetJitterPct, trace.Dur(o.processing(hosts[0])), trace.Dur(o.processing(hosts[len(hosts)-1])))
	}
	if o.Latency != 0 {
		add(trace.StageConnect, "The lab's web server is %s away (a simulated link): the TCP handshake takes one round trip, a TLS 1.3 handshake another (TLS 1.2 two).", rttText(web))
		add(trace.StageHTTP, "The first byte comes one round trip (%s) after the request, plus the server's own %s.", rttText(web), trace.Dur(webTime))
	}
	if o.Loss > 0 {
		loss := fmt.Sprintf("The lab's links drop %g%% of packets on purpose (--lab-loss): a lost UDP query is asked again when the client stops waiting for it; a lost TCP segment is sent again by TCP itself (a SYN after 1s, data after the connection's retransmission timeout). Each loss is noted in the stage it happened in.", o.Loss)
		out[trace.StageAddress] = append(out[trace.StageAddress], loss)
	}
	if o.Loss > 0 || o.Latency == PresetLatency {
		add(trace.StageAddress, "The lab's loss and jitter come from seed %d: --lab-seed %d shows this run again, packet for packet.", o.Seed, o.Seed)
	}
	return out
}

func rttText(l dial.Link) string {
	if l.Jitter > 0 {
		return fmt.Sprintf("about %s", trace.Dur(l.RTT))
	}
	return trace.Dur(l.RTT)
}

// Network returns the lab's link model: its losses and connections.
func (l *Lab) Network() *dial.Network { return l.net }

// Roots returns the lab's root hints.
func (l *Lab) Roots() []jdns.Server { return l.roots }

// Dialer returns the dialer that routes the lab's addresses to its
// listeners and refuses everything else outside loopback.
func (l *Lab) Dialer() *dial.Router { return l.router }

// Listeners lists every socket of the lab.
func (l *Lab) Listeners() []Listener { return l.listeners }

// Close stops every server.
func (l *Lab) Close() error {
	var errs []error
	for _, s := range l.servers {
		if err := s.Shutdown(); err != nil {
			errs = append(errs, err)
		}
	}
	l.closeWeb()
	return errors.Join(errs...)
}
