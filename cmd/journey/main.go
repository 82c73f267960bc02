// Command journey shows everything that happens between typing an address
// and getting a page back. See README.md; the work is in internal/cli.
package main

import (
	"context"
	"os"

	// Before bubbletea's init: it would ask the terminal its background
	// colour and wait up to 5 seconds for an answer. Keep this import.
	_ "early/termquiet"

	"journey/internal/cli"
)

func main() {
	// Ctrl+C ends the journey, not the process: the report still gets its
	// summary and --record its file. A second Ctrl+C ends the process.
	ctx, stop := cli.NotifyContext(context.Background())
	std := cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	code := cli.Run(ctx, os.Args[1:], std)
	stop()
	os.Exit(code)
}
