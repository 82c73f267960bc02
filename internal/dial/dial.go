// Package dial owns how the engine reaches a peer. Every socket the engine
// opens goes through a Dialer, so the lab can route the documentation
// addresses of its zone files to its loopback listeners, and tests can make
// sure nothing ever leaves the machine.
//
// It also holds the lab's link model (Network, Link): the round trip,
// jitter and loss between the journey and each lab host, applied to the
// real loopback sockets where a network would apply them (see link.go).
package dial

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Dialer opens connections; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Routing is a Dialer that can say where an address really goes: a
// Router, or a Dialer wrapped around one (the engine's in step mode).
type Routing interface {
	Route(network, address string) (string, bool)
}

// ErrRefused is returned for an address a Router may not reach.
var ErrRefused = errors.New("address not reachable from here")

// Router is a Dialer that sends some addresses elsewhere. The lab adds a
// route from each server's documentation address (192.0.2.1:53) to its real
// loopback listener. With LoopbackOnly set, an address with no route is
// dialled only if it is on loopback: the lab and the tests never reach the
// internet, even by mistake.
type Router struct {
	LoopbackOnly bool
	// Refuse, if set, decides about every unrouted address: a test helper
	// fails the test from here.
	Refuse func(network, address string) error
	// Net, if set, carries every routed connection to a host it has a
	// link for across that link (delay, jitter, loss).
	Net *Network

	mu     sync.RWMutex
	routes map[string]string // "udp 192.0.2.1:53" -> "127.0.0.1:40123"
	base   net.Dialer
}

func routeKey(network, address string) string {
	return strings.TrimRight(network, "46") + " " + address
}

// Add routes connections for network ("udp" or "tcp") to shown so they reach real.
func (r *Router) Add(network, shown, real string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.routes == nil {
		r.routes = map[string]string{}
	}
	r.routes[routeKey(network, shown)] = real
}

// Route says where a connection to address would really go, and whether a
// route applies.
func (r *Router) Route(network, address string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	real, ok := r.routes[routeKey(network, address)]
	return real, ok
}

// DialContext dials address, or where its route leads.
func (r *Router) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if real, ok := r.Route(network, address); ok {
		if r.Net != nil {
			if host, _, err := net.SplitHostPort(address); err == nil {
				if l, ok := r.Net.LinkTo(host); ok && (l != Link{} || r.Net.Loss > 0) {
					return r.Net.dial(ctx, &r.base, network, address, real, l)
				}
			}
		}
		return r.base.DialContext(ctx, network, real)
	}
	if err := r.refusedPort(ctx, network, address); err != nil {
		return nil, err
	}
	if r.Refuse != nil {
		if err := r.Refuse(network, address); err != nil {
			return nil, err
		}
	}
	if r.LoopbackOnly && !IsLoopback(address) {
		return nil, fmt.Errorf("%s %s: %w (only loopback and the lab's own addresses are allowed)", network, address, ErrRefused)
	}
	return r.base.DialContext(ctx, network, address)
}

// ErrPortClosed is returned for a port of a routed host where nothing
// listens: the host answered the SYN with a reset. It is
// syscall.ECONNREFUSED too.
var ErrPortClosed = errors.New("nothing listens on that port")

// portClosedError names the port and what the host does listen on.
type portClosedError struct {
	network, host, port string
	open                []string
}

func (e *portClosedError) Error() string {
	listens := "port " + e.open[0]
	if len(e.open) > 1 {
		listens = "ports " + strings.Join(e.open[:len(e.open)-1], ", ") + " and " + e.open[len(e.open)-1]
	}
	return fmt.Sprintf("%s connection to %s refused: nothing listens on port %s there; the lab listens at %s on %s %s",
		strings.ToUpper(e.network), net.JoinHostPort(e.host, e.port), e.port, e.host, strings.ToUpper(e.network), listens)
}

func (e *portClosedError) Is(target error) bool {
	return target == ErrPortClosed || target == syscall.ECONNREFUSED
}

// refusedPort returns a portClosedError when address is a routed host's
// on a port with no route, after the round trip the reset takes.
func (r *Router) refusedPort(ctx context.Context, network, address string) error {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil
	}
	network = strings.TrimRight(network, "46")
	r.mu.RLock()
	var open []string
	prefix := network + " "
	for k := range r.routes {
		if h, p, err := net.SplitHostPort(strings.TrimPrefix(k, prefix)); err == nil && strings.HasPrefix(k, prefix) && h == host {
			open = append(open, p)
		}
	}
	r.mu.RUnlock()
	if len(open) == 0 {
		return nil
	}
	slices.SortFunc(open, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return cmp.Compare(x, y)
	})
	if r.Net != nil && network == "tcp" {
		if l, ok := r.Net.LinkTo(host); ok {
			if err := sleepUntil(ctx, time.Now().Add(l.RTT)); err != nil {
				return err // the RST would come back a round trip later
			}
		}
	}
	return &portClosedError{network: network, host: host, port: port, open: open}
}

// IsLoopback reports whether address (host:port or a bare IP) is a loopback
// IP address. Names are not resolved, so a name is never loopback.
func IsLoopback(address string) bool {
	host := address
	if h, _, err := net.SplitHostPort(address); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
