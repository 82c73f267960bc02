package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"syscall"

	"journey/internal/engine"
	"journey/internal/plain"
	"journey/internal/trace"
	"journey/internal/tracefile"
	"journey/internal/tui"
)

// render runs the journey with the chosen renderer, writes --record, and
// returns errReported when a stage failed.
//
// prepare, when not nil, completes cfg (the lab, starting meanwhile)
// before the journey's first packet; the TUI draws its first frame
// without waiting for it.
func render(ctx context.Context, cfg engine.Config, prepare func(*engine.Config) error, o *options, out output, rec *recording, std IO) error {
	var final *trace.Journey
	interrupted := false
	switch out {
	case outputTUI:
		// A lab that fails to start ends the TUI, and the error is the
		// command's.
		tuiCtx, endTUI := context.WithCancel(ctx)
		defer endTUI()
		start := startEarly(ctx, cfg, prepare, endTUI, o.step, o.warm)
		defer start.stop()
		var bg io.Writer
		if colorEnabled(o, std) {
			bg = background(std)
		}
		j, err := tui.Run(tuiCtx, tui.Options{
			Start:      start.start,
			Target:     cfg.Target.Input,
			Mode:       cfg.Mode,
			Step:       o.step,
			Mouse:      o.mouse,
			NoColor:    !colorEnabled(o, std),
			Background: bg,
		})
		if err := start.failed(); err != nil {
			return err
		}
		if j == nil {
			// Ended before the journey's first event (the TUI draws
			// while the lab starts): the recording still says so.
			j = trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, nil, nil).Finish(nil)
		}
		final = markInterrupted(ctx, j)
		if err != nil && !errors.Is(err, tui.ErrInterrupted) {
			// The terminal went away (SIGHUP, a read error): the journey
			// so far is still recorded.
			if werr := rec.write(ctx, final, std); werr != nil {
				return errors.Join(err, werr)
			}
			return err
		}
		interrupted = err != nil
	case outputJSON:
		r := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, nil, nil)
		cfg.Warm = warmVisit(o)
		final = r.Finish(engine.Run(ctx, cfg, r))
		final.Warm = cfg.Warm.Journey()
		if rec != nil && rec.stdout {
			rec = nil // --json --record -: the same document, written once
		}
		if err := tracefile.Encode(std.Stdout, final); err != nil {
			return err
		}
	case outputPlain:
		if o.story {
			rec := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, nil, nil)
			cfg.Warm = warmVisit(o)
			final = rec.Finish(engine.Run(ctx, cfg, rec))
			final.Warm = cfg.Warm.Journey()
			plain.Story(std.Stdout, final, plain.Options{Color: colorEnabled(o, std) && isTerminal(std.Stdout), Bytes: o.bytes})
			break
		}
		fallthrough
	default:
		stdout := io.Writer(std.Stdout)
		if rec == nil {
			// Nobody reads the report any more (journey ... | head -1):
			// with nothing to record, the journey has no reader left.
			var cancel context.CancelCauseFunc
			ctx, cancel = context.WithCancelCause(ctx)
			defer cancel(nil)
			stdout = &brokenPipe{w: std.Stdout, onBroken: func() { cancel(errStdoutClosed) }}
		}
		report := plain.NewStream(stdout, plain.Options{Color: colorEnabled(o, std) && isTerminal(std.Stdout), Bytes: o.bytes}, cfg.FollowRedirects)
		if prepare != nil {
			// The first line names the target while the lab starts.
			report.Title(Version, cfg.Mode, cfg.Target.Input)
			if err := prepare(&cfg); err != nil {
				return err
			}
		}
		r := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, func(ev trace.Event) {
			if ev.Kind != trace.EventJourneyDone {
				report.Update(ev.Journey)
			}
		}, nil)
		cfg.Warm = warmVisit(o)
		final = r.Finish(engine.Run(ctx, cfg, r))
		final.Warm = cfg.Warm.Journey()
		report.Finish(final)
	}
	if err := rec.write(ctx, final, std); err != nil {
		return err
	}
	if interrupted {
		return errInterrupted // Ctrl+C in the terminal view: 130, after --record is written
	}
	if ctx.Err() != nil {
		// A signal: 128+N as a shell reports it, after --record is written.
		return fmt.Errorf("%w: %w", errInterrupted, context.Cause(ctx))
	}
	if final != nil && final.Error != "" {
		return errReported
	}
	return nil
}

// markInterrupted returns j, or a copy saying why it stopped when a signal
// or the user (q) ended it before it finished: the TUI keeps the last
// snapshot of a run it stops, which has no error of its own, and a
// recording of it would look like a journey still running.
func markInterrupted(ctx context.Context, j *trace.Journey) *trace.Journey {
	if j == nil || j.Error != "" {
		return j
	}
	why := "the terminal view was closed"
	if ctx.Err() != nil {
		why = context.Cause(ctx).Error()
	}
	for _, s := range j.Stages {
		if s.Status == trace.StatusPending || s.Status == trace.StatusRunning {
			c := *j
			c.Error = fmt.Sprintf("%s before the journey finished", why)
			if c.Duration == 0 {
				// The view's last snapshot, never finished: its length
				// is as far as the trace got.
				c.Duration = c.Reached()
				sum := trace.Summarize(&c)
				c.Timing = &sum
			}
			c.Stages = cutShort(c.Stages, why)
			return &c
		}
	}
	return j
}

// cutShort ends the stages a journey stopped in the middle of, as the
// engine ends them when it is stopped itself: the one running failed
// there, with what it got so far; those after it were not reached. A
// recording of it then reads as stopped, not as still running.
func cutShort(stages []*trace.Stage, why string) []*trace.Stage {
	out := make([]*trace.Stage, len(stages))
	for i, s := range stages {
		c := *s
		switch s.Status {
		case trace.StatusRunning:
			c.Status = trace.StatusFailed
			c.Error = "cut short: " + why
			end := c.Start
			for _, e := range c.Exchanges {
				if e != nil {
					end = max(end, e.Start+e.Duration)
				}
			}
			c.Duration = end - c.Start
		case trace.StatusPending:
			c.Status = trace.StatusSkipped
			c.Notes = append(slices.Clip(c.Notes), "not reached: "+why+" before it began")
		}
		out[i] = &c
	}
	return out
}

// earlyStart lets the journey start before the TUI does: its first packet
// does not wait for the terminal (the question about its background, the
// TUI's own start). The TUI's first Start takes the run already going;
// a rerun ("r") stops it and starts afresh.
type earlyStart struct {
	mu     sync.Mutex
	cfg    engine.Config
	warm   bool // each run makes a second, warm visit (--warm)
	first  <-chan trace.Event
	cancel context.CancelFunc

	ready   chan struct{} // closed once cfg is complete (the lab is up)
	prepErr error         // why it could not be, read after ready
}

// startEarly starts the journey now, unless step is set: then the TUI's
// gate must hold the first packet, and it waits anyway. prepare, if not
// nil, completes cfg first, in the background; when it fails, fail is
// called and no journey runs.
func startEarly(ctx context.Context, cfg engine.Config, prepare func(*engine.Config) error, fail func(), step, warm bool) *earlyStart {
	e := &earlyStart{cfg: cfg, warm: warm, cancel: func() {}, ready: make(chan struct{})}
	go func() {
		var err error
		if prepare != nil {
			err = prepare(&e.cfg)
		}
		e.prepErr = err
		close(e.ready)
		if err != nil {
			fail()
		}
	}()
	if !step {
		ctx, e.cancel = context.WithCancel(ctx)
		// Relayed without bound until the TUI reads: an engine blocked on
		// a full channel would count the wait in its timings.
		e.first = relay(ctx, e.streamWhenReady(ctx))
	}
	return e
}

// prepared waits until cfg is complete and says why it could not be.
func (e *earlyStart) prepared(ctx context.Context) error {
	select {
	case <-e.ready:
		return e.prepErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failed says why cfg could not be completed, if it is known by now.
func (e *earlyStart) failed() error {
	select {
	case <-e.ready:
		return e.prepErr
	default:
		return nil
	}
}

// streamWhenReady streams the first journey once cfg is complete.
func (e *earlyStart) streamWhenReady(ctx context.Context) <-chan trace.Event {
	out := make(chan trace.Event)
	go func() {
		defer close(out)
		if e.prepared(ctx) != nil {
			return
		}
		for ev := range stream(ctx, e.cfg, nil, e.warm) {
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// start is the TUI's Start; it runs in a command of the TUI's, so it
// may wait for cfg to be complete.
func (e *earlyStart) start(ctx context.Context, gate trace.Gate) <-chan trace.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.first != nil {
		ch := e.first
		e.first = nil
		return ch
	}
	e.cancel()
	if e.prepared(ctx) != nil {
		ch := make(chan trace.Event)
		close(ch)
		return ch
	}
	return stream(ctx, e.cfg, gate, e.warm)
}

func (e *earlyStart) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cancel()
}

// relay passes events from in to the returned channel, queueing them
// without bound (a journey's events are bounded by its limits), so the
// sender never waits on the reader; until ctx ends.
func relay(ctx context.Context, in <-chan trace.Event) <-chan trace.Event {
	out := make(chan trace.Event)
	go func() {
		defer close(out)
		var queue []trace.Event
		for in != nil || len(queue) > 0 {
			var send chan trace.Event
			var next trace.Event
			if len(queue) > 0 {
				send, next = out, queue[0]
			}
			select {
			case ev, ok := <-in:
				if !ok {
					in = nil
					continue
				}
				queue = append(queue, ev)
			case send <- next:
				queue = queue[1:]
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// errStdoutClosed ends a journey whose report nobody reads.
var errStdoutClosed = errors.New("standard output was closed")

// brokenPipe passes writes on and calls onBroken, once, when one fails
// because the reader went away (EPIPE: main catches SIGPIPE).
type brokenPipe struct {
	w        io.Writer
	once     sync.Once
	onBroken func()
}

func (b *brokenPipe) Write(p []byte) (int, error) {
	n, err := b.w.Write(p)
	if errors.Is(err, syscall.EPIPE) {
		b.once.Do(b.onBroken)
	}
	return n, err
}

// stream runs one journey in the background and sends its events on the
// returned channel, closed when the journey is done. Cancelling ctx stops
// the journey and drops the events nobody will read.
func stream(ctx context.Context, cfg engine.Config, gate trace.Gate, warm bool) <-chan trace.Event {
	ch := make(chan trace.Event, 16)
	go func() {
		defer close(ch)
		emit := func(ev trace.Event) {
			select {
			case ch <- ev:
			case <-ctx.Done():
			}
		}
		rec := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, emit, gate)
		cfg.Warm = nil
		if warm {
			cfg.Warm = &engine.Warm{} // each run its own second visit
		}
		err := engine.Run(ctx, cfg, rec)
		if errors.Is(err, context.Canceled) {
			return
		}
		// The journey's last event carries the second visit too.
		rec.SetWarm(cfg.Warm.Journey())
		rec.Finish(err)
	}()
	return ch
}

// warmVisit is the engine's second visit when --warm asks for one.
func warmVisit(o *options) *engine.Warm {
	if !o.warm {
		return nil
	}
	return &engine.Warm{}
}
