package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// ErrInterrupted is the cause of the context NotifyContext cancels.
var ErrInterrupted = errors.New("interrupted")

// endSignals end the program: Ctrl+C, kill's default, and the terminal
// closing.
var endSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// NotifyContext returns a context that the first SIGINT, SIGTERM or
// SIGHUP cancels: the journey stops, the report gets its summary and
// --record its file (the terminal closing is no reason to lose a
// recording). After that first signal the three get their default action
// back, so a second Ctrl+C ends the program at once, whatever it waits on.
//
// SIGPIPE is caught too: unhandled, a write to a closed pipe (journey ... |
// head -1) kills the program before --record is written; caught, the
// write fails with EPIPE and the journey decides (see brokenPipe).
func NotifyContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, endSignals...)
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	go func() {
		select {
		case sig := <-sigs:
			signal.Reset(endSignals...)
			cancel(signalError{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		signal.Stop(pipe)
		cancel(nil)
	}
}

// signalError is the cause NotifyContext gives: the signal that ended the
// journey, so that the exit status can be the shell's 128+N.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return fmt.Sprintf("%v (%s)", ErrInterrupted, signalName(e.sig)) }
func (e signalError) Unwrap() error { return ErrInterrupted }

// exitStatus is 128 plus the signal's number, as a shell reports a program
// the signal ended: 130 for Ctrl+C, 129 for SIGHUP, 143 for SIGTERM.
func (e signalError) exitStatus() int {
	if n, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitInterrupted
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "Ctrl+C"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP: the terminal closed"
	}
	return sig.String()
}

// waitFor runs read, which may block on a FIFO or a terminal with nothing
// to read, and returns its result, or the interruption when ctx ends
// first: no read in Go can be cancelled, but the program can stop waiting.
// The abandoned read ends with the process.
func waitFor[T any](ctx context.Context, read func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := read()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}
