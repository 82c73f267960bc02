package explain

import (
	"os"
	"strings"
	"testing"

	"journey/internal/trace"
	"journey/internal/tracefile"
)

func loadRecorded(t *testing.T, name string) *trace.Journey {
	t.Helper()
	f, err := os.Open("../../testdata/journeys/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestTiming(t *testing.T) {
	tests := []struct {
		name  string
		want  []string
		wrong []string
	}{
		{"https", []string{"From the start to the last byte of the response:", "finding the address (DNS)", "opening the TCP connection", "agreeing on keys (TLS)", "waiting for the server to answer", "The largest share went to"}, []string{"redirects", "stopped"}},
		{"http", []string{"finding the address (DNS)", "waiting for the server to answer"}, []string{"TLS"}},
		{"redirect", []string{"following redirects"}, nil},
		{"nxdomain", []string{"stopped before a response came back", "finding the address (DNS)"}, []string{"waiting for the server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spaced(Timing(loadRecorded(t, tt.name)))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Timing() = %q\nmissing %q", got, w)
				}
			}
			for _, w := range tt.wrong {
				if strings.Contains(got, w) {
					t.Errorf("Timing() = %q\nholds %q", got, w)
				}
			}
		})
	}
	if Timing(nil) != "" {
		t.Error("Timing(nil) says something")
	}
}

// TestShare: one sentence naming the part that cost most and what the
// total counts, so the plain report's figures line is read right.
func TestShare(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"https", " to the response's last byte, the largest share, "},
		{"nxdomain", " before the journey stopped, "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := loadRecorded(t, tt.name)
			got := spaced(Share(j))
			if !strings.Contains(got, tt.want) {
				t.Errorf("Share() = %q, want %q in it", got, tt.want)
			}
			if strings.Count(got, ".") < 1 || strings.Contains(Timing(j), got) {
				t.Errorf("Share() = %q: not one sentence of its own", got)
			}
		})
	}
	if Share(nil) != "" {
		t.Error("Share(nil) says something")
	}
}
