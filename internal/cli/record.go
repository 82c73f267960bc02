package cli

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// recording is where --record writes: standard output ("-") or a
// destination looked at before the journey ran. A nil *recording records
// nothing.
type recording struct {
	name   string                 // as given, for messages
	dest   *tracefile.Destination // nil for standard output
	stdout bool
}

// recordTo checks --record before anything runs: an empty name, a
// directory, a block device or a socket is refused (exit 2), as is "-"
// when the plain report already fills standard output.
func recordTo(o *options, fs *pflag.FlagSet, out output) (*recording, error) {
	if !fs.Changed("record") {
		return nil, nil
	}
	switch o.record {
	case "":
		return nil, usagef("--record '': give a file name (or - for standard output)")
	case "-":
		if out == outputPlain {
			return nil, usagef("--record - writes the trace to standard output, where the plain report goes: use --json for the trace alone, or give a file name")
		}
		return &recording{name: "-", stdout: true}, nil
	}
	d, err := tracefile.OpenDestination(o.record)
	if err != nil {
		return nil, usagef("--record %s: %s", safetext.Line(o.record), safetext.Line(unwrapRefused(err)))
	}
	return &recording{name: o.record, dest: d}, nil
}

// unwrapRefused drops the "refused: " a refusal starts with: the message
// says why.
func unwrapRefused(err error) string {
	msg := err.Error()
	const p = "refused: "
	if len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// write records the finished journey j. A journey that failed does not
// replace a regular file that is already there: that file may be the
// recording prepared at home for a class with no network, and a failed
// run is easy to make again while a lost recording is not. The user is
// told, on standard error, and the exit status stays the journey's.
func (r *recording) write(ctx context.Context, j *trace.Journey, std IO) error {
	if r == nil || j == nil {
		return nil
	}
	if r.stdout {
		return tracefile.Encode(std.Stdout, j)
	}
	if j.Error != "" && r.dest.Replaces() {
		fmt.Fprintf(std.Stderr, "journey: --record %s: kept the recording already there: this journey failed, and a failed run does not replace a recording (remove the file, or give another name, to keep this one)\n", safetext.Line(r.name))
		return nil
	}
	// Write even after Ctrl+C, SIGTERM or SIGHUP: the journey so far is
	// what the user asked to keep. A FIFO with no reader then waits; a
	// second Ctrl+C ends the program (main).
	if err := r.dest.Write(context.WithoutCancel(ctx), j); err != nil {
		return fmt.Errorf("--record: %w", err)
	}
	return nil
}
