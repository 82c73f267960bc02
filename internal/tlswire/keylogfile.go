package tlswire

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// keyLogPerm is a new key log file's mode: the secrets decrypt the
// session, so only the user may read them (as NSS and curl create it).
const keyLogPerm = 0o600

// ErrKeyLogFile is wrapped by every reason a key log file is refused.
var ErrKeyLogFile = errors.New("cannot be the key log file")

// OpenKeyLogFile opens path for --keylog: appended to when it is an
// existing regular file (the SSLKEYLOGFILE convention: browsers and curl
// append, so one file collects many sessions), created readable by the
// user alone otherwise. It refuses a symbolic link, a directory, a device,
// a FIFO or a socket: a file of secrets goes where the path says and
// nowhere else, and journey never blocks on a FIFO with no reader.
func OpenKeyLogFile(path string) (*os.File, error) {
	before, err := check(path)
	if err != nil {
		return nil, err
	}
	flags := os.O_WRONLY | os.O_APPEND | os.O_CREATE
	if before == nil {
		flags |= os.O_EXCL // created now, or something appeared meanwhile: refuse it
	}
	f, err := os.OpenFile(path, flags, keyLogPerm)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyLogFile, err)
	}
	after, err := f.Stat()
	if err == nil && (!after.Mode().IsRegular() || before != nil && !os.SameFile(before, after)) {
		err = fmt.Errorf("%s changed while it was opened", path)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %w", ErrKeyLogFile, err)
	}
	return f, nil
}

// check says what is at path: nothing yet (nil), or a regular file; any
// other thing is refused.
func check(path string) (fs.FileInfo, error) {
	before, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKeyLogFile, err)
		}
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrKeyLogFile, err)
	case before.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%w: %s is a symbolic link (give the file it points to)", ErrKeyLogFile, path)
	case !before.Mode().IsRegular():
		return nil, fmt.Errorf("%w: %s is not a regular file (%s)", ErrKeyLogFile, path, kind(before.Mode()))
	}
	return before, nil
}

// CheckKeyLogFile says, before anything is written, whether path can be
// the key log file: missing (in a directory that exists) or a regular file.
func CheckKeyLogFile(path string) error {
	_, err := check(path)
	return err
}

// KeyLogFile is --keylog's writer: each write appends to the file at Path,
// opened then (as OpenKeyLogFile does) and closed at once, so nothing is
// created before the first secret and no descriptor outlives a write.
type KeyLogFile struct {
	Path string
}

func (k *KeyLogFile) Write(p []byte) (int, error) {
	f, err := OpenKeyLogFile(k.Path)
	if err != nil {
		return 0, err
	}
	n, err := f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.String()
}
