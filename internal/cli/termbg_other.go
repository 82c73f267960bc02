//go:build !linux

package cli

import "os"

// foreground is false elsewhere than on Linux: the terminal is not asked,
// and the TUI draws for a dark background unless COLORFGBG says otherwise.
func foreground(*os.File) bool { return false }
