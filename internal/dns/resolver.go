// Package dns owns the DNS stage: an iterative resolution from the root
// hints down to the answer, or one question to a recursive resolver, with
// every packet captured byte for byte and annotated field by field.
package dns

import (
	"context"
	"errors"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dial"
	"journey/internal/trace"
)

// Family restricts which address records are asked for.
type Family int

const (
	FamilyAny  Family = iota // A, then AAAA if the name has no A
	FamilyIPv4               // -4: A only
	FamilyIPv6               // -6: AAAA only
)

// Server is a DNS server: its name where known, and its address (IP, or IP:port).
type Server struct {
	Name string
	Addr string
}

// Resolver resolves names, recording every exchange into Recorder.
type Resolver struct {
	Dialer         dial.Dialer
	Recorder       *trace.Recorder
	Roots          []Server      // root hints; RootHints() when empty
	Port           int           // port of every server contacted (a port in Roots' addresses wins)
	Timeout        time.Duration // per exchange
	SystemFallback bool          // when no root answers, ask the system's resolver
}

// Fqdn returns name with its final dot.
func Fqdn(name string) string { return mdns.Fqdn(name) }

// Lookup resolves name iteratively from the roots.
func (r *Resolver) Lookup(ctx context.Context, name string, fam Family) (*trace.DNS, error) {
	return &trace.DNS{Name: Fqdn(name), Method: trace.MethodIterative}, errors.New("not built yet")
}

// Ask asks one recursive resolver (server is IP or IP:port).
func (r *Resolver) Ask(ctx context.Context, server, name string, fam Family) (*trace.DNS, error) {
	return &trace.DNS{Name: Fqdn(name), Method: trace.MethodResolver}, errors.New("not built yet")
}
