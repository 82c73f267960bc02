package cli

import (
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/spf13/pflag"

	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/trace"
)

// maxSeed bounds a chosen seed so it reads (and is typed) easily: 2^31.
const maxSeed = 1 << 31

// labSeed is the seed of a lab run: --lab-seed, or one chosen now (never
// 0, which asks for one), so the report can name it and the run be shown
// again.
func labSeed(o *options) uint64 {
	if o.labSeed != 0 {
		return o.labSeed
	}
	return rand.Uint64N(maxSeed-1) + 1
}

// tlsVersions are the versions --tls-max takes, as curl writes them. Go's
// client offers nothing older than TLS 1.2.
var tlsVersions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

// tlsMaxOption reads --tls-max.
func tlsMaxOption(cfg *engine.Config, o *options) error {
	if o.tlsMax == "" {
		return nil
	}
	v, ok := tlsVersions[o.tlsMax]
	if !ok {
		return usagef("--tls-max %q: want 1.2 or 1.3 (as curl)", o.tlsMax)
	}
	cfg.TLSMax = v
	return nil
}

// journeyRTTs is about how many round trips of the farthest host a lab
// journey pays: a DNS walk of three or four hops, a connect, two TLS 1.2
// flights, the request; a lookup without glue or a redirect adds more.
const journeyRTTs = 12

// fitLimits says the limits up front: an exchange can take two round
// trips of the farthest host (a TLS 1.2 handshake) under one --timeout.
// A --timeout given that cannot hold them is refused, naming both flags;
// the default is raised instead, and so is the default --max-time for a
// journey of journeyRTTs round trips. It returns the note that says so,
// or "". It runs before the lab starts, as every argument check does.
func fitLimits(cfg *engine.Config, fs *pflag.FlagSet, opts lab.Options) (string, error) {
	if opts.Latency == 0 {
		return "", nil
	}
	exchange := 2 * opts.Longest()
	var notes string
	if cfg.Timeout <= exchange {
		if fs.Changed("timeout") {
			return "", usagef("--timeout %s is too short for the lab's round trips (--lab-latency %s: an exchange can take %s): give a longer --timeout or a shorter --lab-latency",
				cfg.Timeout, latencyText(opts), exchange)
		}
		raised := (exchange + time.Second).Round(time.Second)
		notes = fmt.Sprintf("--timeout raised from %s to %s: with --lab-latency %s an exchange can take %s.", cfg.Timeout, raised, latencyText(opts), exchange)
		cfg.Timeout = raised
	}
	if whole := journeyRTTs * opts.Longest(); cfg.MaxTime < whole && !fs.Changed("max-time") {
		raised := (whole + time.Second).Round(time.Second)
		if notes != "" {
			notes += " "
		}
		notes += fmt.Sprintf("--max-time raised from %s to %s: a journey pays a dozen such round trips.", cfg.MaxTime, raised)
		cfg.MaxTime = raised
	}
	return notes, nil
}

func latencyText(opts lab.Options) string {
	if opts.Latency == lab.PresetLatency {
		return "preset"
	}
	return opts.Latency.String()
}

// noteLimits adds fitLimits' note to the DNS stage's lab notes.
func noteLimits(cfg *engine.Config, note string) {
	if note == "" {
		return
	}
	if cfg.Simulation == nil {
		cfg.Simulation = map[trace.StageKind][]string{}
	}
	cfg.Simulation[trace.StageDNS] = append(cfg.Simulation[trace.StageDNS], note)
}

// labWalks hands the lab resolver's walks to the engine.
func labWalks(l *lab.Lab) func(string, uint16) (*engine.ResolverWalk, bool) {
	return func(client string, id uint16) (*engine.ResolverWalk, bool) {
		w, ok := l.ResolverWalk(client, id)
		if !ok {
			return nil, false
		}
		return &engine.ResolverWalk{At: w.At, Exchanges: w.Exchanges, Cached: w.Cached, Age: w.Age, Who: w.Who}, true
	}
}
