package cli

import (
	"errors"
	"os"

	"journey/internal/router"
)

// runLabURLs is "journey lab urls": the demo site's urls.py, or with
// --views the journey_views.py that lets Django load it.
func runLabURLs(args []string, std IO) error {
	switch {
	case len(args) == 0:
		_, err := std.Stdout.Write(router.DemoSource())
		return err
	case len(args) == 1 && args[0] == "--views":
		_, err := std.Stdout.Write(router.ViewsSource())
		return err
	}
	return usagef("usage: journey lab urls [--views], got %q", args)
}

// checkURLs loads the --urls file once so a bad file is a usage error
// (exit 2) before anything runs, in one line naming the file, the line and
// the problem.
func checkURLs(path string) error {
	// The file is read again by the lab and the server stages, so it must
	// stay readable: a FIFO (or <(...)) would be empty the second time, and
	// the first read of one with no writer would wait forever.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return usagef("--urls %s: not a regular file (the URL file is read more than once): save it to a file first", path)
	}
	if _, err := router.ParseFile(path); err != nil {
		var le *router.LineError
		if errors.As(err, &le) {
			return usagef("--urls: %v", le)
		}
		return usagef("--urls %s: %v", path, err)
	}
	return nil
}
