package cli

import (
	"errors"

	"journey/internal/router"
)

// checkURLs loads the --urls file once so a bad file is a usage error
// (exit 2) before anything runs, in one line naming the file, the line and
// the problem.
func checkURLs(path string) error {
	if _, err := router.ParseFile(path); err != nil {
		var le *router.LineError
		if errors.As(err, &le) {
			return usagef("--urls: %v", le)
		}
		return usagef("--urls %s: %v", path, err)
	}
	return nil
}
