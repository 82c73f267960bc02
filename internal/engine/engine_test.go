package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/lab"
	"journey/internal/trace"
)

// startLab starts a lab for one test and stops it when the test ends.
func startLab(t *testing.T, opts lab.Options) *lab.Lab {
	t.Helper()
	l, err := lab.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// labConfig is a journey to target through a lab with no latency.
func labConfig(t *testing.T, target string) (Config, *lab.Lab) {
	t.Helper()
	l := startLab(t, lab.Options{Latency: 0})
	a, err := address.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	return Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
		RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: time.Second}, l
}

func statuses(j *trace.Journey) string {
	var out []string
	for _, s := range j.Stages {
		out = append(out, string(s.Kind)+":"+string(s.Status))
	}
	return strings.Join(out, " ")
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		resolve  []Override
		wantErr  bool
		statuses string
		dnsNote  string
	}{
		{name: "whole journey", target: "www.example.com",
			statuses: "address:done dns:done connect:done http:done gateway:done router:done"},
		{name: "IP literal skips DNS", target: "203.0.113.10",
			statuses: "address:done dns:skipped connect:done http:done gateway:done router:done", dnsNote: "no DNS is needed"},
		{name: "--resolve skips the lookup", target: "www.example.com", resolve: []Override{{Host: "www.example.com", Port: 80, Addr: "203.0.113.10"}},
			statuses: "address:done dns:done connect:done http:done gateway:done router:done"}, // no note: the method says it (TestNotesOnlyWhereTheyApply)
		{name: "a failed stage skips the rest", target: "nope.example.com", wantErr: true,
			statuses: "address:done dns:failed connect:skipped http:skipped gateway:skipped router:skipped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := labConfig(t, tc.target)
			cfg.Resolve = tc.resolve
			rec := trace.NewRecorder(tc.target, cfg.Mode, "test", nil, nil)
			err := Run(context.Background(), cfg, rec)
			j := rec.Finish(err)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrStage) {
				t.Errorf("err %v does not wrap ErrStage", err)
			}
			if got := statuses(j); got != tc.statuses {
				t.Errorf("stages %s\nwant   %s", got, tc.statuses)
			}
			if tc.dnsNote != "" {
				notes := strings.Join(j.Stage(trace.StageDNS).Notes, " ")
				if !strings.Contains(notes, tc.dnsNote) {
					t.Errorf("DNS notes %q, want %q", notes, tc.dnsNote)
				}
			}
		})
	}
}

func TestMaxTimeIsNamed(t *testing.T) {
	l := startLab(t, lab.Options{Latency: 300 * time.Millisecond})
	a, _ := address.Parse("www.example.com")
	cfg := Config{Target: a, Mode: trace.ModeLab, Dialer: l.Dialer(), Roots: l.Roots(), MaxTime: 100 * time.Millisecond}
	rec := trace.NewRecorder("www.example.com", cfg.Mode, "test", nil, nil)
	start := time.Now()
	err := Run(context.Background(), cfg, rec)
	if err == nil || !strings.Contains(err.Error(), "--max-time") {
		t.Errorf("err = %v, want the --max-time limit named", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s with a 100ms limit", d)
	}
}
