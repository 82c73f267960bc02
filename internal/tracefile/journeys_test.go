package tracefile_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"journey/internal/cli"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

var update = flag.Bool("update", false, "re-record testdata/journeys from the lab (go test ./internal/tracefile -run TestRecordedJourneys -update)")

// journeysDir holds the recorded lab journeys that the TUI's and the plain
// report's golden tests read.
const journeysDir = "../../testdata/journeys"

// journeys are the recorded lab journeys: each is a journey command line,
// run through cli.Run exactly as a user would type it (after "journey").
var journeys = []struct {
	name   string
	target string
	args   []string
}{
	{"http", "www.example.com", nil},                                                // DNS from the root, hop by hop; plain http
	{"https", "https://www.example.com/", nil},                                      // TLS
	{"redirect", "www.example.com/old-blog/", []string{"-L"}},                       // a redirect followed, each hop its own exchange
	{"notfound", "www.example.com/nope/", nil},                                      // the router's debug 404
	{"servererror", "www.example.com/boom/", nil},                                   // a view that fails: the 500 lesson
	{"cname", "shop.example.com", nil},                                              // a CNAME into another zone: DNS starts again
	{"nxdomain", "nope.example.com", nil},                                           // a name that does not exist: the DNS stage fails
	{"ip", "http://203.0.113.10/", nil},                                             // an IP literal: no DNS
	{"uk", "www.example.co.uk/articles/2024/", []string{"-H", "Accept: text/html"}}, // a public suffix of two labels
}

// record runs one journey in the lab with --record into path.
func record(t *testing.T, path, target string, args []string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"--lab", "--lab-latency", "0", "--plain", "--record", path}, args...)
	argv = append(argv, target)
	status := cli.Run(context.Background(), argv, cli.IO{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(string) string { return "" },
	})
	if status != cli.ExitOK && status != cli.ExitFailed {
		t.Fatalf("journey %s: exit status %d: %s", strings.Join(argv, " "), status, stderr.String())
	}
	t.Logf("journey %s: exit status %d", strings.Join(argv, " "), status)
}

// TestRecordedJourneys re-records the journeys with -update. Without it, it
// checks that every recorded journey still decodes (so the trace model has
// not changed under the recordings) and re-encodes to the same bytes.
func TestRecordedJourneys(t *testing.T) {
	if *update {
		if err := os.MkdirAll(journeysDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, jn := range journeys {
			record(t, filepath.Join(journeysDir, jn.name+".json"), jn.target, jn.args)
		}
	}
	files, err := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, jn := range journeys {
		if !slices.Contains(files, filepath.Join(journeysDir, jn.name+".json")) {
			t.Errorf("%s.json is missing from %s: run go test ./internal/tracefile -run TestRecordedJourneys -update", jn.name, journeysDir)
		}
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			doc, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			j, err := tracefile.Decode(bytes.NewReader(doc))
			if err != nil {
				t.Fatalf("a recorded journey no longer decodes: %v (re-record with -update)", err)
			}
			if j.Mode != trace.ModeLab {
				t.Errorf("mode %q, want lab", j.Mode)
			}
			for _, jn := range journeys {
				if jn.name+".json" == filepath.Base(name) && j.Target != jn.target {
					t.Errorf("target %q, want %q", j.Target, jn.target)
				}
			}
			if again := encode(t, j); !bytes.Equal(again, doc) {
				t.Errorf("decoding and re-encoding changed the document (the trace model changed? re-record with -update)")
			}
		})
	}
}
