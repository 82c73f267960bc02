package tui

import (
	"testing"

	"journey/internal/story"
)

func TestArrowRow(t *testing.T) {
	b := board{lanes: []lane{{x: 0}, {x: 5}, {x: 10}}, ladderW: 11}
	tests := []struct {
		name string
		a, c int
		lost bool
		want string
	}{
		{"to the right", 0, 1, false, "├───▶│    │"},
		{"across a lane", 0, 2, false, "├────┼───▶│"},
		{"back", 2, 0, false, "│◀───┼────┤"},
		{"lost on the way", 0, 1, true, "├╌╌╌✗│    │"},
		{"one party", 1, 1, false, "│    ●    │"},
		{"no such lane", 0, 7, false, "│    │    │"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.arrowRow(tt.a, tt.c, tt.lost); got != tt.want {
				t.Errorf("arrowRow(%d, %d) = %q, want %q", tt.a, tt.c, got, tt.want)
			}
		})
	}
}

func TestMiddleCut(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"www.example.com", 15, "www.example.com"},
		{"a.root-servers.net", 11, "a.roo…s.net"},
		{"abc", 2, "ab"},
	}
	for _, tt := range tests {
		if got := middleCut(tt.in, tt.w); got != tt.want {
			t.Errorf("middleCut(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
}

// TestStepLabel checks an arrow's label: the DNS server named when the DNS
// lanes are merged, after the nested lookup's mark the story puts first.
func TestStepLabel(t *testing.T) {
	s := &story.Story{Parties: []story.Party{{Kind: story.PartyYou, Name: "you"}, {Kind: story.PartyDNS, Name: "a.root-servers.net"}}}
	tests := []struct {
		name   string
		merged bool
		step   story.Step
		want   string
	}{
		{"own lane", false, story.Step{From: 0, To: 1, Title: "? www.example.com. A"}, "? www.example.com. A"},
		{"merged lane", true, story.Step{From: 0, To: 1, Title: "? www.example.com. A"}, "a.root-servers.net: ? www.example.com. A"},
		{"nested, merged", true, story.Step{From: 1, To: 0, Depth: 1, Title: "↳ referral to net"}, "↳ a.root-servers.net: referral to net"},
		{"nested twice", false, story.Step{From: 1, To: 0, Depth: 2, Title: "↳ referral to net"}, "  ↳ referral to net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := board{merged: tt.merged}
			if got := b.stepLabel(s, &tt.step); got != tt.want {
				t.Errorf("stepLabel = %q, want %q", got, tt.want)
			}
		})
	}
}
