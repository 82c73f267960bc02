//go:build !linux

package cli

import (
	"os"
	"time"
)

// queryBackground does not ask elsewhere than on Linux: the TUI draws for
// a dark background unless COLORFGBG says otherwise.
func queryBackground(in, out *os.File, wait time.Duration) (dark bool, err error) {
	return false, errNoAnswer
}
