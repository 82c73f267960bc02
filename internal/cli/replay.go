package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"journey/internal/plain"
	"journey/internal/safetext"
	"journey/internal/trace"
	"journey/internal/tracefile"
	"journey/internal/tui"
)

// replayOptions are the parsed flags of journey replay.
type replayOptions struct {
	plain   bool
	story   bool // --story: the numbered narrative
	json    bool
	bytes   bool
	noColor bool
	mouse   bool
	step    bool
	help    bool
}

func newReplayFlagSet(o *replayOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("journey replay", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.plain, "plain", false, "plain-text report on standard output (also when output is not a terminal)\n  journey replay --plain trip.json")
	fs.BoolVar(&o.json, "json", false, "the recorded trace as JSON on standard output\n  journey replay --json trip.json | jq .stages[1]")
	fs.BoolVar(&o.story, "story", false, "plain text: the journey as a numbered narrative, step by step (implies --plain; with --bytes, each step's lesson in hex)\n  journey replay --story trip.json")
	fs.BoolVar(&o.bytes, "bytes", false, "plain report: add a hex dump of every DNS packet")
	fs.BoolVar(&o.noColor, "no-color", false, "no colours (also when NO_COLOR is set)")
	fs.BoolVar(&o.step, "step", false, "pace the journey step by step, as --step does: space shows the next step (terminal view)\n  journey replay --step trip.json")
	fs.BoolVar(&o.mouse, "mouse", false, "let the TUI use the mouse (text can then not be selected)")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	return fs
}

const replayUsageHead = `journey replay shows a journey recorded with --record, with no network at all.

Usage:
  journey replay [--plain|--json] FILE      FILE "-" reads standard input
  journey replay --step FILE                paced: space shows the next step

Examples:
  journey --lab --record trip.json www.example.com
  journey replay trip.json                  in the terminal UI
  journey replay --plain trip.json          the same report the run printed

Flags:
`

// runReplay shows a recorded journey: journey replay [--plain|--json] FILE.
// The file is read and checked in full before anything is shown; a bad
// file is one line and exit status 2. A journey that failed when it was
// recorded exits 1 again.
func runReplay(ctx context.Context, args []string, std IO) error {
	o := &replayOptions{}
	fs := newReplayFlagSet(o)
	if err := fs.Parse(args); err != nil {
		return usagef("replay: %v (see journey replay --help)", err)
	}
	if o.help {
		fmt.Fprint(std.Stdout, replayUsageHead)
		fmt.Fprint(std.Stdout, fs.FlagUsagesWrapped(0))
		return nil
	}
	switch {
	case fs.NArg() == 0:
		return usagef("replay: no FILE given: try journey replay trip.json (record one with journey --lab --record trip.json www.example.com)")
	case fs.NArg() > 1:
		return usagef("replay: more than one FILE given: %s", safetext.Line(strings.Join(fs.Args(), " ")))
	case o.plain && o.json:
		return usagef("replay: --plain and --json exclude each other: give one")
	case o.story && o.json:
		return usagef("replay: --story prints the narrative in plain text; it cannot be used with --json")
	case o.step && (o.plain || o.json || o.story):
		return usagef("replay: --step paces the terminal view: it does not go with --plain, --story or --json")
	case o.step && (!isTerminal(std.Stdout) || std.Getenv("TERM") == "dumb"):
		return usagef("replay: --step paces the terminal view, and standard output is not a terminal")
	}
	name := fs.Arg(0)
	j, err := waitFor(ctx, func() (*trace.Journey, error) { return tracefile.ReadFile(name, std.Stdin) })
	if ctx.Err() != nil {
		return fmt.Errorf("replay: %s: %w while waiting for the file", safetext.Line(name), context.Cause(ctx))
	}
	if err != nil {
		return usagef("replay: %s: %s", safetext.Line(name), safetext.Line(err.Error()))
	}

	color := wantColor(o.noColor, std)
	switch {
	case o.json:
		if err := tracefile.Encode(std.Stdout, j); err != nil {
			return err
		}
	case o.story:
		plain.Story(std.Stdout, j, plain.Options{Color: color && isTerminal(std.Stdout), Bytes: o.bytes})
	case o.plain, !isTerminal(std.Stdout), std.Getenv("TERM") == "dumb":
		plain.Render(std.Stdout, j, plain.Options{Color: color && isTerminal(std.Stdout), Bytes: o.bytes, Replay: name})
	default:
		var bg io.Writer
		if color {
			bg = background(std)
		}
		_, err := tui.Run(ctx, tui.Options{Replay: j, Step: o.step, Mouse: o.mouse, NoColor: !color, Background: bg})
		if errors.Is(err, tui.ErrInterrupted) {
			return errInterrupted
		}
		if err != nil {
			return err
		}
	}
	if j.Error != "" {
		return errReported
	}
	return nil
}
