// Package engine runs a journey: it takes the parsed target through each
// stage in order (address, DNS, connect, HTTP, gateway, router) and records
// everything in a trace. It knows nothing of how the trace is shown.
package engine

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"journey/internal/dial"
	"journey/internal/dns"
	"journey/internal/http"
	"journey/internal/trace"
)

// Defaults and bounds for the whole journey.
const (
	// DefaultTimeout bounds one exchange (a DNS query, a connect, a read):
	// as dig's default of a few seconds, short enough for a classroom.
	DefaultTimeout = 2 * time.Second
	// DefaultMaxTime bounds the whole journey, as curl's --max-time does.
	DefaultMaxTime = 30 * time.Second
)

// Family restricts the addresses asked for and used.
type Family = dns.Family

// Override is one --resolve HOST:PORT:ADDR: skip DNS for HOST on PORT.
type Override struct {
	Host string
	Port int
	Addr string
}

// Config is everything one journey needs. The zero value of each option is
// a sensible default, except Target and Dialer.
type Config struct {
	Target  *trace.Address // from address.Parse
	Mode    trace.Mode
	Version string // the program's version, for User-Agent and the trace
	Dialer  dial.Dialer
	Timeout time.Duration // per exchange; DefaultTimeout when zero
	MaxTime time.Duration // whole journey; DefaultMaxTime when zero

	// DNS.
	Roots          []dns.Server // root hints; IANA's when empty
	DNSPort        int          // port of every DNS server contacted; 53 when zero
	Resolver       string       // @SERVER[:PORT]: ask this recursive resolver instead of iterating
	Family         Family
	Resolve        []Override
	SystemFallback bool // live: use the system's resolver when no root answers

	// HTTP (connect, TLS, request).
	Method          string   // -X; GET, or POST with a body
	Headers         []string // -H 'Name: value'
	Body            *string  // -d; nil when not given
	FollowRedirects bool     // -L
	Insecure        bool     // -k
	Compressed      bool     // --compressed
	TLSMax          uint16   // --tls-max; Go's default when zero
	RootCAs         *x509.CertPool
	KeyLog          io.Writer // --keylog: the TLS secrets, in the SSLKEYLOGFILE format

	// Simulation says, per stage, what the lab adds on purpose (latency,
	// loss), so the report never passes a simulated delay off as real.
	Simulation map[trace.StageKind][]string

	// ResolverWalk, in the lab, returns what the lab's recursive resolver
	// did for the question with ID id from client (@SERVER): its walk, to
	// be shown nested under the question, or that it answered from cache.
	ResolverWalk func(client string, id uint16) (*ResolverWalk, bool)

	// Server side.
	URLs string // --urls FILE; the demo site when empty
	// ServerStages, in the lab, returns the gateway and router stages the
	// lab's web server recorded for the connection from clientAddr, waiting
	// until they are ready or ctx ends. Nil live: the engine re-enacts them.
	ServerStages func(ctx context.Context, clientAddr string) ([]*trace.Stage, error)
	// HoldServer, in the lab with --step, makes the web server wait with
	// wait before the gateway reads the request and before the response
	// leaves, until release (hold.go). Nil: the server never waits.
	HoldServer func(wait func(ctx context.Context, p trace.Pending) error) (release func())

	// Warm, when set, makes a second, warm visit after the first (--warm).
	Warm *Warm

	held *holdClock // the server's waits in this journey, when it holds
}

// ErrStage marks a journey that ended because a stage failed; the trace
// says which and why.
var ErrStage = errors.New("a stage failed")

// Run takes cfg.Target through every stage, recording into rec, and returns
// nil when the journey completed (whatever the HTTP status), or an error
// wrapping ErrStage when a stage failed.
func Run(ctx context.Context, cfg Config, rec *trace.Recorder) error {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxTime <= 0 {
		cfg.MaxTime = DefaultMaxTime
	}
	if cfg.DNSPort == 0 {
		cfg.DNSPort = 53
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.MaxTime)
	defer cancel()
	defer observeLinks(cfg, rec)()
	cfg, release := holdServer(ctx, cfg, rec)
	defer release()

	// What the lab adds is said on a stage only if the stage runs: a DNS
	// stage that asks no server (an IP literal, --resolve) or a stage
	// never reached after a failure has no latency to speak of. The DNS
	// stage's notes are said in runDNS, once it is known to ask; the
	// others' as their stage starts (so before it finishes, and a
	// renderer that streams prints each stage when it finishes).
	for _, kind := range []trace.StageKind{trace.StageAddress, trace.StageConnect, trace.StageHTTP} {
		for _, n := range cfg.Simulation[kind] {
			rec.NoteOnStart(kind, n)
		}
	}
	rec.StartStage(trace.StageAddress)
	rec.FinishStage(trace.StageAddress, nil, func(s *trace.Stage) { s.Address = cfg.Target })
	addrs, err := runDNS(ctx, cfg, rec)
	if err != nil {
		return stageFailed(ctx, cfg, rec, trace.StageDNS, err)
	}
	started := time.Now()
	got, client, err := runHTTP(ctx, cfg, rec, addrs)
	if err != nil {
		return stageFailed(ctx, cfg, rec, trace.StageHTTP, err)
	}
	defer client.Close()
	if err := runServerSide(ctx, cfg, rec, got); err != nil {
		return stageFailed(ctx, cfg, rec, trace.StageGateway, err)
	}
	if cfg.Warm != nil {
		// The first visit is over before the second starts: its stages
		// are all in, its time ends here, and the second visit's time is
		// its own.
		rec.EndHere()
		cfg.Warm.Recorder = trace.NewRecorder(cfg.Target.Input, cfg.Mode, cfg.Version, nil, nil)
		cfg.Warm.Err = runWarm(ctx, cfg, client, rec.Snapshot(), addrs, started)
	}
	return nil
}

// fetched is what the HTTP stage hands to the server side.
type fetched struct {
	Request []byte // the last request's bytes exactly as sent
	Local   string // our end of that connection, as the server saw it
	Scheme  string
	Remote  string // the server's address as shown
}

// stageError is the journey's error when a stage failed: it says which
// stage and why, and is ErrStage.
type stageError struct {
	stage trace.StageKind
	err   error
}

func (e *stageError) Error() string {
	return "the " + e.stage.Title() + " stage failed: " + e.err.Error()
}
func (e *stageError) Unwrap() error        { return e.err }
func (e *stageError) Is(target error) bool { return target == ErrStage }

// ErrInterrupted marks a journey stopped from outside (Ctrl+C, or the TUI
// running it again).
var ErrInterrupted = errors.New("interrupted before it could finish")

// ErrMaxTime marks a journey stopped by its --max-time limit.
var ErrMaxTime = errors.New("the journey's time limit ran out")

// overTime says err in terms of the --max-time limit when that is what
// stopped the journey (the context's deadline, rather than a server).
func overTime(ctx context.Context, cfg Config, err error) error {
	if err == nil || errors.Is(err, ErrMaxTime) || errors.Is(err, ErrInterrupted) || errors.Is(err, http.ErrTimedOut) {
		return err // already says what stopped it
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		if errors.Is(err, context.Canceled) {
			return ErrInterrupted
		}
		return fmt.Errorf("%w (%v)", ErrInterrupted, err)
	}
	deadline, ok := ctx.Deadline()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || ok && !time.Now().Before(deadline) {
		limit := fmt.Errorf("%w: the whole journey is limited to %s by --max-time", ErrMaxTime, cfg.MaxTime)
		if errors.Is(err, context.DeadlineExceeded) {
			return limit // the cause says nothing more
		}
		return fmt.Errorf("%w (%v)", limit, err)
	}
	return err
}

// stageFailed marks every stage that did not run as skipped and returns
// the journey's error. A deadline hit is said as the --max-time limit.
func stageFailed(ctx context.Context, cfg Config, rec *trace.Recorder, kind trace.StageKind, err error) error {
	err = overTime(ctx, cfg, err)
	snap := rec.Snapshot()
	failed := kind
	for _, s := range snap.Stages {
		if s.Status == trace.StatusFailed {
			failed = s.Kind
		}
	}
	for _, s := range snap.Stages {
		if s.Status == trace.StatusPending || s.Status == trace.StatusRunning {
			if s.Status == trace.StatusRunning {
				rec.FinishStage(s.Kind, err, nil)
				failed = s.Kind
				continue
			}
			rec.SkipStage(s.Kind, "not reached: the "+failed.Title()+" stage failed")
		}
	}
	return &stageError{stage: failed, err: err}
}
