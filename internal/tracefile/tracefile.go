// Package tracefile owns the trace as a document: the JSON that --json
// prints, --record writes and replay reads back. Writing is atomic, so an
// interrupted run never leaves half a file; reading is bounded and checked
// before anything renders it, since a replay file may come from anyone.
// docs/trace-format.md describes the document.
package tracefile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"journey/internal/trace"
)

// Encode writes j as one indented JSON document followed by a newline.
// Control characters and bytes that are not UTF-8 in its strings are
// written as the visible escapes the renderers show for them (see
// displayable); j itself is not changed.
func Encode(w io.Writer, j *trace.Journey) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(displayable(j)); err != nil {
		return fmt.Errorf("encoding the trace: %w", err)
	}
	return nil
}

// filePerm is the mode of a recorded file: readable by others, as a file a
// shell redirection creates (the temporary file starts private).
const filePerm = 0o644

// WriteFile writes j to path atomically: the document goes to a temporary
// file in the same directory (so the rename cannot cross file systems),
// which is synced and then renamed over path. A reader, or a run
// interrupted at any moment, sees the old file or the whole new one, never
// half a document.
func WriteFile(path string, j *trace.Journey) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriter(f)
	if err := Encode(w, j); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(filePerm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// Sync before the rename: otherwise a crash can leave the new name
	// pointing at an empty file.
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable. It is best effort: some systems cannot
// sync a directory, and the file is already whole either way.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// ReadFile reads and checks the journey recorded in path ("-" for
// standard input, given as stdin). Like Decode's, its errors do not name
// the file: the caller does.
func ReadFile(path string, stdin io.Reader) (*trace.Journey, error) {
	if path == "-" {
		return Decode(stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the caller names the file
		}
		return nil, fmt.Errorf("cannot open it: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		switch {
		case fi.IsDir():
			return nil, errors.New("a directory, not a recorded journey")
		case fi.Size() > MaxFileSize:
			// Known from its size: no need to read 64 MiB of it first.
			return nil, fmt.Errorf("%w: %d MiB, more than %d MiB, larger than any recorded journey", ErrTooLarge, fi.Size()>>20, MaxFileSize>>20)
		}
	}
	return Decode(f)
}
