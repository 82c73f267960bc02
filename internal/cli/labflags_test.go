package cli

import (
	"strings"
	"testing"
	"time"

	"journey/internal/engine"
	"journey/internal/lab"
)

func TestLabFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"TLS version curl has but Go does not offer", []string{"--lab", "--tls-max", "1.1", "www.example.com"}, []string{"--tls-max", "1.2 or 1.3"}},
		{"latency longer than the timeout", []string{"--lab", "--lab-latency", "3s", "--timeout", "2s", "www.example.com"}, []string{"--timeout 2s", "--lab-latency 3s"}},
		{"seed that is not a number", []string{"--lab", "--lab-seed", "abc", "www.example.com"}, []string{"--lab-seed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("more than one line: %q", errOut)
			}
		})
	}
}

// TestFitLimits: a default --timeout or --max-time too short for the lab's
// round trips is raised, saying so; one given is refused instead.
func TestFitLimits(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		latency     time.Duration
		wantTimeout time.Duration
		wantMax     time.Duration
		note        string
		refused     bool
	}{
		{"preset fits the defaults", nil, lab.PresetLatency, engine.DefaultTimeout, engine.DefaultMaxTime, "", false},
		{"no latency", nil, 0, engine.DefaultTimeout, engine.DefaultMaxTime, "", false},
		{"3s raises both defaults", nil, 3 * time.Second, 7 * time.Second, 37 * time.Second, "--timeout raised from 2s to 7s", false},
		{"3s with a --timeout given", []string{"--timeout", "2s"}, 3 * time.Second, 0, 0, "", true},
		{"3s with a long enough --timeout", []string{"--timeout", "10s", "--max-time", "5s"}, 3 * time.Second, 10 * time.Second, 5 * time.Second, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, fs, err := parseArgs(append(tc.args, "www.example.com"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := engine.Config{Timeout: time.Duration(o.timeout), MaxTime: time.Duration(o.maxTime)}
			note, err := fitLimits(&cfg, fs, lab.Options{Latency: tc.latency})
			if tc.refused {
				if err == nil {
					t.Errorf("accepted: timeout %s", cfg.Timeout)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Timeout != tc.wantTimeout || cfg.MaxTime != tc.wantMax || !strings.Contains(note, tc.note) || (tc.note == "") != (note == "") {
				t.Errorf("timeout %s, max-time %s, note %q; want %s, %s, %q", cfg.Timeout, cfg.MaxTime, note, tc.wantTimeout, tc.wantMax, tc.note)
			}
		})
	}
}

// TestLabReportSaysSeedAndPort: the report prints the seed of a run, and a
// refused port of a lab host names the port and the ports the lab listens
// on (issue 9: it said the address was not reachable).
func TestLabReportSaysSeedAndPort(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"the seed given", []string{"--lab-loss", "1", "--lab-seed", "7", "www.example.com"}, ExitOK, []string{"seed 7", "--lab-seed 7"}},
		{"a seed chosen", []string{"--lab-loss", "1", "www.example.com"}, ExitOK, []string{"come from seed ", "packet for packet"}},
		{"a closed port", []string{"http://www.example.com:81/"}, ExitFailed, []string{"nothing listens on port 81", "ports 80 and 443"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"--lab", "--lab-latency", "0", "--plain"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "not reachable") {
				t.Errorf("a closed port of the lab is called unreachable:\n%s", out)
			}
		})
	}
}

// TestLabCA: journey lab ca prints the same CA certificate each time.
func TestLabCA(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	code, first, errOut := run(t, "lab", "ca")
	if code != ExitOK || !strings.HasPrefix(first, "-----BEGIN CERTIFICATE-----\n") {
		t.Fatalf("exit %d, stderr %q, out %q", code, errOut, first)
	}
	if _, second, _ := run(t, "lab", "ca"); second != first {
		t.Error("a second journey lab ca printed another CA")
	}
}

func TestLabServePortErrors(t *testing.T) {
	code, _, errOut := run(t, "lab", "serve", "--port", "65530")
	if code != ExitUsage || !strings.Contains(errOut, "--port 65530") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
