// Package tracefile owns the trace as a document: the JSON that --json
// prints, --record writes and replay reads back. Writing is atomic and never
// replaces anything but a regular file (record.go); reading is bounded and checked
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
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		// A FIFO, a device, standard input: the size is not known, so the
		// reading is bounded as it goes.
		if err == nil && fi.IsDir() {
			return nil, errors.New("a directory, not a recorded journey")
		}
		return Decode(f)
	}
	if fi.Size() > MaxFileSize {
		// Known from its size: no need to read 64 MiB of it first.
		return nil, fmt.Errorf("%w: %d MiB, more than %d MiB, larger than any recorded journey", ErrTooLarge, fi.Size()>>20, MaxFileSize>>20)
	}
	// Read into a buffer of the file's size (io.ReadAll would double its
	// way there, holding up to twice the file), after the first bytes say
	// it may be a journey at all.
	br := bufio.NewReaderSize(f, sniffSize)
	if err := sniff(br); err != nil {
		return nil, err
	}
	data := make([]byte, 0, fi.Size()+1)
	for len(data) <= MaxFileSize {
		n, err := br.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return decode(data)
		}
		if err != nil {
			return nil, fmt.Errorf("reading: %w", err)
		}
		if len(data) == cap(data) {
			// The file grew while being read: read on, bounded.
			data = append(data, 0)[:len(data)]
		}
	}
	return nil, fmt.Errorf("%w: more than %d MiB, larger than any recorded journey", ErrTooLarge, MaxFileSize>>20)
}
