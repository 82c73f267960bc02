// Package lab owns the lab internet: a small internet started in-process on
// loopback. Root, top-level-domain and authoritative DNS servers load zone
// files (RFC 1035 master format) and answer on real UDP and TCP sockets; a
// web server runs the project's own gateway. The zone files give every
// server a documentation address (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32), and the lab's dialer routes each such
// address to the loopback listener behind it, so the journey shows the
// addresses of the zone files while every packet really crosses a socket.
package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/miekg/dns"

	"journey/internal/dial"
	jdns "journey/internal/dns"
	"journey/internal/gateway"
	"journey/internal/trace"
)

// PresetLatency asks for each server's realistic latency.
const PresetLatency time.Duration = -1

// Options configure a lab.
type Options struct {
	// Latency is how long every server waits before answering, or
	// PresetLatency for a realistic figure per kind of server; 0 for none.
	Latency time.Duration
	// Loss is the percentage (0 to 100) of packets the servers drop on purpose.
	Loss float64
	// URLs is the web site's URL configuration file; the demo site when empty.
	URLs string
	// DNSPort is the port the journey uses for DNS servers (53 when zero).
	DNSPort int
	// Step says the client pauses before each packet (--step): the servers
	// must then wait for a person, not for a program, before timing out.
	Step bool
}

// Realistic round-trip times from a home connection, roughly: root servers
// are anycast and close, top-level-domain servers a little further, a
// domain's own servers and its web server further still.
const (
	presetRoot = 12 * time.Millisecond
	presetTLD  = 24 * time.Millisecond
	presetAuth = 38 * time.Millisecond
	presetWeb  = 45 * time.Millisecond
)

// host is one DNS server of the lab: a name, a documentation address, the
// zones it serves.
type host struct {
	name    string
	addr    string
	zones   []string
	latency time.Duration // preset
}

// hosts is the lab's DNS: who serves which zone (the zone files name the
// same servers in their NS records).
var hosts = []host{
	{"a.root-servers.net", "192.0.2.1", []string{"."}, presetRoot},
	{"b.root-servers.net", "192.0.2.2", []string{"."}, presetRoot},
	{"a.gtld-servers.net", "192.0.2.10", []string{"com.", "net."}, presetTLD},
	{"b.gtld-servers.net", "192.0.2.11", []string{"com.", "net."}, presetTLD},
	{"a0.org-servers.net", "192.0.2.30", []string{"org."}, presetTLD},
	{"nsa.nic.uk", "192.0.2.20", []string{"uk."}, presetTLD},
	{"nsb.nic.uk", "192.0.2.21", []string{"uk."}, presetTLD},
	{"ns1.example.com", "198.51.100.1", []string{"example.com."}, presetAuth},
	{"ns2.example.com", "198.51.100.2", []string{"example.com.", "lame.example.com."}, presetAuth},
	{"ns1.example.net", "198.51.100.10", []string{"example.net.", "example.org."}, presetAuth},
	{"ns2.example.net", "198.51.100.11", []string{"example.net.", "example.org."}, presetAuth},
	{"ns1.example.co.uk", "198.51.100.20", []string{"example.co.uk."}, presetAuth},
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

	mu  sync.Mutex
	rng *rand.Rand
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
		opts:   opts,
		router: &dial.Router{LoopbackOnly: true},
		rng:    newRand(),
	}
	for _, h := range hosts {
		var served []*Zone
		for _, origin := range h.zones {
			z, ok := zones[origin]
			if !ok {
				l.Close()
				return nil, fmt.Errorf("lab host %s serves %s, which has no zone file", h.name, origin)
			}
			served = append(served, z)
		}
		if err := l.startDNS(h, served); err != nil {
			l.Close()
			return nil, err
		}
		if slices.Contains(h.zones, ".") {
			l.roots = append(l.roots, jdns.Server{Name: h.name, Addr: net.JoinHostPort(h.addr, strconv.Itoa(opts.DNSPort))})
		}
	}
	if l.site, err = newSite(opts); err != nil {
		l.Close()
		return nil, err
	}
	if err := l.startWeb(); err != nil {
		l.Close()
		return nil, fmt.Errorf("starting the lab's web server: %w", err)
	}
	return l, nil
}

// startDNS starts one DNS server on UDP and TCP loopback sockets and routes
// its documentation address to them.
func (l *Lab) startDNS(h host, zones []*Zone) error {
	pc, ln, err := listenPair()
	if err != nil {
		return fmt.Errorf("lab host %s: %w", h.name, err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		l.serveDNS(h, zones, w, req)
	})
	shown := net.JoinHostPort(h.addr, strconv.Itoa(l.opts.DNSPort))
	for _, s := range []*dns.Server{
		{PacketConn: pc, Handler: handler},
		{Listener: ln, Handler: handler},
	} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		l.servers = append(l.servers, s)
		go s.ActivateAndServe()
		<-started
	}
	for _, lis := range []Listener{
		{h.name, "udp", shown, pc.LocalAddr().String()},
		{h.name, "tcp", shown, ln.Addr().String()},
	} {
		l.router.Add(lis.Network, lis.Shown, lis.Real)
		l.listeners = append(l.listeners, lis)
	}
	return nil
}

// listenPair opens a UDP and a TCP socket on the same loopback port, so a
// server has one address for both, as a real one does.
func listenPair() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 10 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		pc, err := net.ListenPacket("udp4", ln.Addr().String())
		if err == nil {
			return pc, ln, nil
		}
		ln.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("no free port for both UDP and TCP: %w", lastErr)
}

// serveDNS answers one query, after the server's latency, unless the lab
// drops it on purpose.
func (l *Lab) serveDNS(h host, zones []*Zone, w dns.ResponseWriter, req *dns.Msg) {
	if l.drop() {
		if _, tcp := w.RemoteAddr().(*net.TCPAddr); tcp {
			w.Close() // a lost TCP segment would be resent; close instead so the client sees a failure
		}
		return
	}
	time.Sleep(l.delay(h.latency))
	m := Answer(zones, req)
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
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
	w.WriteMsg(m)
}

// delay is how long a server waits before answering: its preset with a
// little jitter, or the fixed latency asked for.
func (l *Lab) delay(preset time.Duration) time.Duration {
	switch {
	case l.opts.Latency == 0:
		return 0
	case l.opts.Latency > 0:
		return l.opts.Latency
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	jitter := time.Duration(l.rng.Int64N(int64(preset)/5+1)) - preset/10 // ±10%
	return preset + jitter
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)) }

// WebLatency is how long the lab's web server waits before answering.
func (l *Lab) WebLatency() time.Duration { return l.delay(presetWeb) }

// drop decides whether to lose this packet on purpose.
func (l *Lab) drop() bool {
	if l.opts.Loss <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rng.Float64()*100 < l.opts.Loss
}

// Simulation says, per stage, what the lab adds on purpose: the servers'
// latency and the packets it drops.
func (l *Lab) Simulation() map[trace.StageKind][]string {
	var dns, web string
	switch {
	case l.opts.Latency == 0:
		dns = "The lab adds no latency (--lab-latency 0): these are loopback times, far faster than any real network."
	case l.opts.Latency > 0:
		dns = fmt.Sprintf("Each lab server waits %s before answering (--lab-latency), standing in for its distance.", l.opts.Latency)
		web = fmt.Sprintf("The lab's web server waits %s before answering (--lab-latency), standing in for its distance: most of the time to first byte. TCP and TLS cross loopback with no added delay.", l.opts.Latency)
	default:
		dns = fmt.Sprintf("The lab's servers wait before answering, as distant servers would: root servers about %s, top-level-domain servers %s, a domain's own servers %s (each ±10%%; --lab-latency changes it).", presetRoot, presetTLD, presetAuth)
		web = fmt.Sprintf("The lab's web server waits about %s before answering, standing in for its distance: most of the time to first byte. TCP and TLS cross loopback with no added delay.", presetWeb)
	}
	out := map[trace.StageKind][]string{trace.StageDNS: {dns}}
	if web != "" {
		out[trace.StageHTTP] = []string{web}
	}
	if l.opts.Loss > 0 {
		loss := fmt.Sprintf("The lab drops %g%% of packets on purpose (--lab-loss): a \"no reply\" here is one of those, and the next try shows how a client recovers.", l.opts.Loss)
		out[trace.StageDNS] = append(out[trace.StageDNS], loss)
		out[trace.StageHTTP] = append(out[trace.StageHTTP], loss)
	}
	return out
}

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
