package cli

import (
	"strings"
	"testing"
)

// TestStoryFlag runs --story through the command line: the numbered
// narrative of a lab journey and of a replay, its exit statuses, and the
// flags it cannot go with.
func TestStoryFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"a lab journey", []string{"--lab", "--lab-latency", "0", "--story", "www.example.com/articles/2024/"}, ExitOK,
			[]string{" 1. you: the address taken apart", "extracts 2024 from the text '2024'", "│ Articles from 2024", "journey complete"}},
		{"a failed journey", []string{"--lab", "--lab-latency", "0", "--story", "nope.example.com"}, ExitFailed,
			[]string{"NXDOMAIN", "journey stopped"}},
		{"a replay", []string{"replay", "--story", "../../testdata/journeys/uk.json"}, ExitOK,
			[]string{"co.uk is no zone of its own", "journey complete"}},
		{"two visits", []string{"--lab", "--lab-latency", "0", "--story", "--warm", "https://www.example.com/"}, ExitOK,
			[]string{"the second visit", "If-None-Match", "304 Not Modified", "journey complete"}},
		{"with --json", []string{"--lab", "--story", "--json", "www.example.com"}, ExitUsage, nil},
		{"with --step", []string{"--lab", "--story", "--step", "www.example.com"}, ExitUsage, nil},
		{"replay with --json", []string{"replay", "--story", "--json", "../../testdata/journeys/uk.json"}, ExitUsage, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q\n%s", code, tc.code, errOut, out)
			}
			if code == ExitUsage && !strings.Contains(errOut, "--story") {
				t.Errorf("the usage error does not name --story: %q", errOut)
			}
			// The narrative is wrapped: a phrase may span two lines.
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("narrative lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
