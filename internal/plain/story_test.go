package plain

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"journey/internal/tracefile"
)

// TestStoryGolden prints the numbered narrative (--plain --story) of every
// recorded journey and compares it with its golden file. Refresh with
// -update after re-recording, and read the diff.
func TestStoryGolden(t *testing.T) {
	files, err := filepath.Glob("../../testdata/journeys/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded journeys: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			j, err := tracefile.Decode(f)
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			var buf bytes.Buffer
			Story(&buf, j, Options{})
			got := buf.Bytes()
			for i, l := range strings.Split(string(got), "\n") {
				if n := utf8.RuneCountInString(l); n > Width {
					t.Errorf("line %d is %d columns, over %d: %q", i+1, n, Width, l)
				}
			}
			if !bytes.Contains(got, []byte(" 1. you: the address taken apart")) {
				t.Errorf("the narrative does not start with the address:\n%s", got)
			}
			checkGolden(t, got)
		})
	}
}

// TestStoryBytes dumps each step's lesson field with --bytes: the
// question of a DNS query, the converter's 2024.
func TestStoryBytes(t *testing.T) {
	f, err := os.Open("../../testdata/journeys/uk.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	Story(&buf, j, Options{Bytes: true})
	got := buf.String()
	for _, want := range []string{"Question section: 23 bytes at offset 12 of", "<int:year>: 4 bytes at offset", "0000  32 30 32 34", "2024"} {
		if !strings.Contains(got, want) {
			t.Errorf("the narrative with --bytes lacks %q", want)
		}
	}
	for i, l := range strings.Split(got, "\n") {
		if n := utf8.RuneCountInString(l); n > Width {
			t.Errorf("line %d is %d columns, over %d: %q", i+1, n, Width, l)
		}
	}
	checkGolden(t, buf.Bytes())
}

// TestStoryColor checks that colour only adds escapes: with them stripped,
// the coloured narrative is the plain one.
func TestStoryColor(t *testing.T) {
	f, err := os.Open("../../testdata/journeys/servererror.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var plainOut, colored bytes.Buffer
	Story(&plainOut, j, Options{})
	Story(&colored, j, Options{Color: true})
	if !bytes.Contains(colored.Bytes(), []byte("\x1b[1;31m")) {
		t.Error("the failed step is not drawn in red")
	}
	stripped := ansi.ReplaceAll(colored.Bytes(), nil)
	if !bytes.Equal(stripped, plainOut.Bytes()) {
		t.Errorf("colour changed the words:\n%s\nwant\n%s", stripped, plainOut.Bytes())
	}
}

// ansi matches the colour escapes the report writes.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestStoryNil prints nothing for no journey, without a panic.
func TestStoryNil(t *testing.T) {
	var buf bytes.Buffer
	Story(&buf, nil, Options{})
	if buf.Len() != 0 {
		t.Errorf("printed %q for no journey", buf.String())
	}
}
