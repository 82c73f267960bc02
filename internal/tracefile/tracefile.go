// Package tracefile owns the trace as a document: the JSON that --json
// prints, --record writes and replay reads back, checked before use since a
// replay file may come from anyone.
package tracefile

import (
	"encoding/json"
	"io"
	"os"

	"journey/internal/trace"
)

// Encode writes j as one indented JSON document.
func Encode(w io.Writer, j *trace.Journey) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

// WriteFile writes j to path.
func WriteFile(path string, j *trace.Journey) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Encode(f, j); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
