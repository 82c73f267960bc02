package cli

import (
	"context"
	"errors"
	"fmt"

	"journey/internal/engine"
	"journey/internal/plain"
	"journey/internal/trace"
	"journey/internal/tracefile"
	"journey/internal/tui"
)

// render runs the journey with the chosen renderer, writes --record, and
// returns errReported when a stage failed.
func render(ctx context.Context, cfg engine.Config, o *options, out output, std IO) error {
	var final *trace.Journey
	interrupted := false
	switch out {
	case outputTUI:
		j, err := tui.Run(ctx, tui.Options{
			Start:   func(ctx context.Context, gate trace.Gate) <-chan trace.Event { return stream(ctx, cfg, gate) },
			Step:    o.step,
			Mouse:   o.mouse,
			NoColor: !colorEnabled(o, std),
		})
		if err != nil && !errors.Is(err, tui.ErrInterrupted) {
			return err
		}
		interrupted = err != nil
		final = j
	case outputJSON:
		rec := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, nil, nil)
		final = rec.Finish(engine.Run(ctx, cfg, rec))
		if err := tracefile.Encode(std.Stdout, final); err != nil {
			return err
		}
	case outputPlain:
		if o.story {
			rec := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, nil, nil)
			final = rec.Finish(engine.Run(ctx, cfg, rec))
			plain.Story(std.Stdout, final, plain.Options{Color: colorEnabled(o, std) && isTerminal(std.Stdout), Bytes: o.bytes})
			break
		}
		fallthrough
	default:
		report := plain.NewStream(std.Stdout, plain.Options{Color: colorEnabled(o, std) && isTerminal(std.Stdout), Bytes: o.bytes}, cfg.FollowRedirects)
		rec := trace.NewRecorder(cfg.Target.Input, cfg.Mode, Version, func(ev trace.Event) {
			if ev.Kind != trace.EventJourneyDone {
				report.Update(ev.Journey)
			}
		}, nil)
		final = rec.Finish(engine.Run(ctx, cfg, rec))
		report.Finish(final)
	}
	if o.record != "" && final != nil {
		if err := tracefile.WriteFile(o.record, final); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	}
	if interrupted || ctx.Err() != nil {
		return errInterrupted // Ctrl+C: 130, after --record is written
	}
	if final != nil && final.Error != "" {
		return errReported
	}
	return nil
}

// stream runs one journey in the background and sends its events on the
// returned channel, closed when the journey is done. Cancelling ctx stops
// the journey and drops the events nobody will read.
func stream(ctx context.Context, cfg engine.Config, gate trace.Gate) <-chan trace.Event {
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
		err := engine.Run(ctx, cfg, rec)
		if errors.Is(err, context.Canceled) {
			return
		}
		rec.Finish(err)
	}()
	return ch
}
