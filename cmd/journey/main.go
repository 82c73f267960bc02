// Command journey shows everything that happens between typing an address
// and getting a page back. See README.md; the work is in internal/cli.
package main

import (
	"context"
	"os"

	"journey/internal/cli"
)

func main() {
	std := cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(cli.Run(context.Background(), os.Args[1:], std))
}
