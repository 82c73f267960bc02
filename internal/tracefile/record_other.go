//go:build !linux

package tracefile

import (
	"errors"
	"io/fs"
	"os"
)

// createUnnamed: without O_TMPFILE, a hidden file beside the target.
func createUnnamed(dir string, perm fs.FileMode) (*tempFile, error) {
	return createNamed(dir, perm)
}

// linkUnnamed is never reached: every file here is named.
func linkUnnamed(f *os.File, path string) error {
	return errors.New("unnamed files are not supported here")
}
