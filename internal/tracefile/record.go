package tracefile

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"journey/internal/trace"
)

// A Destination is where --record writes, looked at before the journey
// runs so that a path that will not be written is refused before anything
// starts. It never replaces anything but a regular file:
//
//   - a symbolic link is followed, and its target written (replaced
//     atomically when it is a regular file, created when it is missing);
//   - a FIFO or a character device (/dev/null, a terminal) is opened and
//     written as it is, never renamed over;
//   - a directory, a block device, a socket is refused.
//
// A new file gets the mode a shell redirection gives it (0666 less the
// umask); a replaced file keeps its mode, since a recording holds the
// request's headers (an Authorization value, a cookie) verbatim.
type Destination struct {
	path   string // as given, for messages
	target string // path with every symbolic link followed
	kind   destKind
}

type destKind int

const (
	destNew    destKind = iota // nothing there yet: create a regular file
	destFile                   // a regular file: replace it atomically
	destStream                 // a FIFO or character device: write into it
)

// ErrRefused is wrapped by OpenDestination's errors: the path is not one
// --record may write.
var ErrRefused = errors.New("refused")

// maxSymlinks bounds the links followed, as the kernel's own limit (40 on
// Linux, ELOOP past it).
const maxSymlinks = 40

// OpenDestination looks at path and says whether a recording may be written
// there. Nothing is created or opened yet (opening a FIFO would wait for
// its reader). The error is one line that reads well after "--record PATH: ".
func OpenDestination(path string) (*Destination, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: an empty file name", ErrRefused)
	}
	target, fi, err := followLinks(path)
	if err != nil {
		return nil, err
	}
	d := &Destination{path: path, target: target}
	if fi == nil {
		dir := filepath.Dir(target)
		di, err := os.Stat(dir)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%w: cannot write in %s: %v", ErrRefused, dir, causeOf(err))
		case !di.IsDir():
			return nil, fmt.Errorf("%w: %s is not a directory", ErrRefused, dir)
		}
		if err := writable(dir); err != nil {
			return nil, fmt.Errorf("%w: cannot write in %s: %v", ErrRefused, dir, err)
		}
		d.kind = destNew
		return d, nil
	}
	m := fi.Mode()
	switch {
	case m.IsRegular():
		if err := writable(filepath.Dir(target)); err != nil {
			return nil, fmt.Errorf("%w: cannot write in %s (the file is replaced by a new one): %v", ErrRefused, filepath.Dir(target), err)
		}
		d.kind = destFile
	case m&fs.ModeNamedPipe != 0, m&fs.ModeCharDevice != 0:
		if err := writable(target); err != nil {
			return nil, fmt.Errorf("%w: cannot write to %s: %v", ErrRefused, target, err)
		}
		d.kind = destStream
	default:
		return nil, fmt.Errorf("%w: %s is %s; give a file name (or - for standard output)", ErrRefused, target, kindOf(m))
	}
	return d, nil
}

// kindOf names a file type no recording may replace.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// followLinks follows symbolic links from path to what they name, and
// returns that path and its information (nil when nothing is there).
func followLinks(path string) (string, fs.FileInfo, error) {
	for range maxSymlinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("%w: %v", ErrRefused, causeOf(err))
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, fi, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %v", ErrRefused, causeOf(err))
		}
		if !filepath.IsAbs(link) {
			// Not filepath.Join: it would clean "dir/../x" lexically,
			// where the kernel resolves ".." after a linked directory.
			link = filepath.Dir(path) + string(filepath.Separator) + link
		}
		path = link
	}
	return "", nil, fmt.Errorf("%w: more than %d symbolic links in a row", ErrRefused, maxSymlinks)
}

// causeOf drops the path an fs error repeats: the caller names the file.
func causeOf(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// Replaces reports whether writing would replace a regular file that is
// there now.
func (d *Destination) Replaces() bool {
	_, fi, err := followLinks(d.path)
	return err == nil && fi != nil && fi.Mode().IsRegular()
}

// Target is the file written: the path given, with symbolic links followed.
func (d *Destination) Target() string { return d.target }

// Write writes j to the destination. A regular file is written whole or
// not at all: the document goes to a new file in the same directory, is
// synced, then renamed over the target, so a reader (or a run killed at any
// moment) sees the old file or the whole new one. Where the system allows
// (Linux's O_TMPFILE), the new file has no name until it is complete, so
// a run killed while writing leaves nothing behind. A FIFO or device is
// written in place; opening a FIFO waits for its reader, until ctx ends.
func (d *Destination) Write(ctx context.Context, j *trace.Journey) error {
	// Look again: the path may have changed while the journey ran.
	target, fi, err := followLinks(d.path)
	if err != nil {
		return err
	}
	switch {
	case fi == nil:
		err = writeAtomic(target, nil, j)
	case fi.Mode().IsRegular():
		err = writeAtomic(target, fi, j)
	case fi.Mode()&fs.ModeNamedPipe != 0, fi.Mode()&fs.ModeCharDevice != 0:
		err = writeStream(ctx, target, j)
	default:
		err = fmt.Errorf("%w: %s is %s", ErrRefused, target, kindOf(fi.Mode()))
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", d.path, err)
	}
	return nil
}

// WriteFile writes j to path as --record does (see Destination).
func WriteFile(path string, j *trace.Journey) error {
	d, err := OpenDestination(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return d.Write(context.Background(), j)
}

// writeStream writes into a FIFO or a device as it is.
func writeStream(ctx context.Context, path string, j *trace.Journey) error {
	f, err := openContext(ctx, path, os.O_WRONLY)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = Encode(w, j)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// openContext opens path, giving up when ctx ends: opening a FIFO blocks
// until the other end is opened, and Ctrl+C must still end the program.
// The open left behind returns when the process exits.
func openContext(ctx context.Context, path string, flag int) (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := os.OpenFile(path, flag, 0)
		ch <- result{f, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, causeOf(r.err)
		}
		return r.f, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.f != nil {
				r.f.Close()
			}
		}()
		return nil, fmt.Errorf("gave up waiting for a reader: %w", context.Cause(ctx))
	}
}

// newFilePerm is a new recording's mode before the umask, as a shell
// redirection creates a file.
const newFilePerm = 0o666

// writeAtomic writes j to a new file in target's directory and puts it in
// place of target. old is what is at target now (nil when nothing is): its
// mode, and its owner where the system lets us, are kept.
func writeAtomic(target string, old fs.FileInfo, j *trace.Journey) (err error) {
	dir := filepath.Dir(target)
	perm := fs.FileMode(newFilePerm)
	if old != nil {
		perm = old.Mode().Perm()
	}
	tmp, err := createUnnamed(dir, perm)
	if err != nil {
		return causeOf(err)
	}
	defer func() {
		if err != nil {
			tmp.abort()
		}
	}()
	if old != nil {
		// Exactly the old mode: the umask narrowed the new file's.
		if err := tmp.f.Chmod(old.Mode().Perm()); err != nil {
			return causeOf(err)
		}
		keepOwner(tmp.f, old)
	}
	w := bufio.NewWriter(tmp.f)
	if err := Encode(w, j); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return causeOf(err)
	}
	// Sync before the rename: otherwise a crash can leave the new name
	// pointing at an empty file.
	if err := tmp.f.Sync(); err != nil {
		return causeOf(err)
	}
	if err := tmp.commit(target, old == nil); err != nil {
		return causeOf(err)
	}
	syncDir(dir)
	return nil
}

// keepOwner gives the new file the owner and group of the one it replaces
// (possible as root, or for the group when the user is in it); best
// effort, as cp -p.
func keepOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Getuid() && int(st.Gid) == os.Getgid()) {
		return
	}
	f.Chown(int(st.Uid), int(st.Gid))
}

// tempFile is the file a recording is written to before it takes its
// place: unnamed where the system allows, else a hidden name beside it.
type tempFile struct {
	f    *os.File
	dir  string
	name string // "" while the file has no name
}

// abort closes and removes the temporary file.
func (t *tempFile) abort() {
	t.f.Close()
	if t.name != "" {
		os.Remove(t.name)
	}
}

// commit closes the file and puts it at target. A file that was never
// named and a target that does not exist are linked straight in place.
func (t *tempFile) commit(target string, isNew bool) error {
	if t.name == "" {
		if isNew {
			if err := linkUnnamed(t.f, target); err == nil {
				return t.f.Close()
			}
			// Something appeared at target meanwhile: replace it as usual.
		}
		name, err := t.linkHidden()
		if err != nil {
			return err
		}
		t.name = name
	}
	if err := t.f.Close(); err != nil {
		return err
	}
	if err := os.Rename(t.name, target); err != nil {
		return err
	}
	t.name = ""
	return nil
}

// linkHidden gives an unnamed file a hidden name in its directory, to be
// renamed over the target.
func (t *tempFile) linkHidden() (string, error) {
	for range 10 {
		name := filepath.Join(t.dir, ".journey-record.tmp-"+randomSuffix())
		err := linkUnnamed(t.f, name)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", errors.New("no free temporary name")
}

// createNamed creates a hidden temporary file beside the target, for the
// systems (or file systems) without unnamed files.
func createNamed(dir string, perm fs.FileMode) (*tempFile, error) {
	for range 10 {
		name := filepath.Join(dir, ".journey-record.tmp-"+randomSuffix())
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			return &tempFile{f: f, dir: dir, name: name}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, errors.New("no free temporary name")
}

// writable reports whether the user may write path (a directory to create
// in, or a FIFO or device), without creating anything.
func writable(path string) error {
	if err := syscall.Access(path, 2 /* W_OK */); err != nil {
		return err
	}
	return nil
}

// randomSuffix makes temporary names unlikely to collide.
func randomSuffix() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
