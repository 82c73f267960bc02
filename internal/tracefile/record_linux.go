package tracefile

import (
	"errors"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// createUnnamed opens a file in dir that has no name (O_TMPFILE): if the
// process is killed before it is complete, the kernel frees it and nothing
// is left in the directory. File systems without O_TMPFILE get a hidden
// named file instead.
func createUnnamed(dir string, perm fs.FileMode) (*tempFile, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, uint32(perm))
	switch {
	case err == nil:
		return &tempFile{f: os.NewFile(uintptr(fd), dir), dir: dir}, nil
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOENT) && dirExists(dir):
		return createNamed(dir, perm)
	}
	return nil, &fs.PathError{Op: "create", Path: dir, Err: err}
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// linkUnnamed gives the unnamed file f the name path. Through /proc, as
// linkat with AT_EMPTY_PATH needs a privilege; it fails with EEXIST when
// path exists.
func linkUnnamed(f *os.File, path string) error {
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &fs.PathError{Op: "link", Path: path, Err: err}
	}
	return nil
}
