// Package tracefile owns the trace as a document: the JSON that --json
// prints, --record writes and replay reads back. Writing is atomic and never
// replaces anything but a regular file (record.go); reading is bounded and checked
// before anything renders it, since a replay file may come from anyone.
// docs/trace-format.md describes the document.
package tracefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

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
