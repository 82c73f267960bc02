package engine

import (
	"context"
	"strings"
	"testing"

	"journey/internal/trace"
)

// TestNotesOnlyWhereTheyApply: the lab's latency notes belong to stages
// that ran and met the lab's servers, not to a DNS stage that asked no
// one (--resolve) nor to an HTTP stage never reached (NXDOMAIN).
func TestNotesOnlyWhereTheyApply(t *testing.T) {
	const dnsLatency, linkLatency, webLatency = "DNS servers wait", "each link adds", "web server waits"
	sim := map[trace.StageKind][]string{trace.StageDNS: {dnsLatency}, trace.StageConnect: {linkLatency}, trace.StageHTTP: {webLatency}}
	tests := []struct {
		name    string
		target  string
		resolve []Override
		want    map[trace.StageKind]bool // stage: carries its latency note
	}{
		{name: "whole journey", target: "www.example.com",
			want: map[trace.StageKind]bool{trace.StageDNS: true, trace.StageConnect: true, trace.StageHTTP: true}},
		{name: "NXDOMAIN: connect and HTTP never reached", target: "nope.example.com",
			want: map[trace.StageKind]bool{trace.StageDNS: true, trace.StageConnect: false, trace.StageHTTP: false}},
		{name: "--resolve: no DNS server asked", target: "www.example.com", resolve: []Override{{Host: "www.example.com", Port: 80, Addr: "203.0.113.10"}},
			want: map[trace.StageKind]bool{trace.StageDNS: false, trace.StageHTTP: true}},
		{name: "IP literal: no DNS", target: "203.0.113.10",
			want: map[trace.StageKind]bool{trace.StageDNS: false, trace.StageHTTP: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := labConfig(t, tc.target)
			cfg.Resolve = tc.resolve
			cfg.Simulation = sim
			rec := trace.NewRecorder(tc.target, cfg.Mode, "test", nil, nil)
			j := rec.Finish(Run(context.Background(), cfg, rec))
			for kind, want := range tc.want {
				notes := strings.Join(j.Stage(kind).Notes, " | ")
				note := sim[kind][0]
				if got := strings.Contains(notes, note); got != want {
					t.Errorf("%s stage (%s) notes %q: holds %q = %v, want %v", kind, j.Stage(kind).Status, notes, note, got, want)
				}
			}
		})
	}
}

// TestTimingSummary: the journey ends with curl -w's moments in order.
func TestTimingSummary(t *testing.T) {
	for _, target := range []string{"www.example.com", "https://www.example.com/"} {
		t.Run(target, func(t *testing.T) {
			cfg, _ := labConfig(t, target)
			rec := trace.NewRecorder(target, cfg.Mode, "test", nil, nil)
			j := rec.Finish(Run(context.Background(), cfg, rec))
			s := j.Timing
			if s == nil {
				t.Fatal("no timing summary")
			}
			if !(0 < s.NameLookup && s.NameLookup < s.Connect && s.Connect < s.StartTransfer && s.StartTransfer <= s.Total) {
				t.Errorf("moments out of order: %+v", *s)
			}
			if https := strings.HasPrefix(target, "https"); https != (s.AppConnect > s.Connect) {
				t.Errorf("appconnect %s after connect %s, for %s", s.AppConnect, s.Connect, target)
			}
		})
	}
}
