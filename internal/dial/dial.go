// Package dial owns how the engine reaches a peer. Every socket the engine
// opens goes through a Dialer, so the lab can route the documentation
// addresses of its zone files to its loopback listeners, and tests can make
// sure nothing ever leaves the machine.
package dial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Dialer opens connections; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
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
		return r.base.DialContext(ctx, network, real)
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
