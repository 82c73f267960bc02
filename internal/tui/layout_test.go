package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"journey/internal/trace"
)

func TestFit(t *testing.T) {
	tests := []struct {
		name string
		s    string
		w    int
		want string
	}{
		{"pad", "ab", 4, "ab  "},
		{"exact", "abcd", 4, "abcd"},
		{"cut with a mark", "abcdef", 4, "abc…"},
		{"wide runes", "日本語", 4, "日… "},
		{"zero", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fit(tt.s, tt.w)
			if ansi.Strip(got) != tt.want {
				t.Errorf("fit(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
			}
			if tt.w > 0 && ansi.StringWidth(got) != tt.w {
				t.Errorf("fit(%q, %d) is %d cells", tt.s, tt.w, ansi.StringWidth(got))
			}
		})
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name        string
		left, right string
		w           int
		want        string
	}{
		{"both", "DNS", "12.0 ms", 16, "DNS      12.0 ms"},
		{"left cut", "a.root-servers.net", "1.0 ms", 16, "a.root-s… 1.0 ms"},
		{"no right", "DNS", "", 16, "DNS"},
		{"no room", "DNS", "12.0 ms", 5, "DNS  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spread(tt.left, tt.right, tt.w); got != tt.want {
				t.Errorf("spread() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	tests := []struct {
		w, h        int
		small, wide bool
	}{
		{20, 6, true, false},
		{49, 24, true, false},
		{80, 24, false, false},
		{160, 48, false, true},
		{250, 70, false, true},
		{200, 30, false, false}, // wide but short: stacked
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			m := New(context.Background(), Options{Replay: &trace.Journey{Stages: []*trace.Stage{{Kind: trace.StageDNS}}}})
			m.Update(tea.WindowSizeMsg{Width: tt.w, Height: tt.h})
			l := m.insp.layout()
			if l.small != tt.small || l.wide != tt.wide {
				t.Fatalf("layout at %dx%d: small %v wide %v", tt.w, tt.h, l.small, l.wide)
			}
			if l.small {
				return
			}
			if l.midH < 3 {
				t.Errorf("bytes pane of %d rows at %dx%d", l.midH, tt.w, tt.h)
			}
			if l.wide && (l.itemsW+l.fieldsW+l.bytesW+2 != tt.w || l.itemsW+l.explW+1 != tt.w) {
				t.Errorf("columns %d+%d+%d+2 (explanation %d) do not fill %d", l.itemsW, l.fieldsW, l.bytesW, l.explW, tt.w)
			}
			if l.wide && l.explW < tt.w/2 {
				t.Errorf("the explanation is %d cells wide in %d", l.explW, tt.w)
			}
		})
	}
}

func TestScale(t *testing.T) {
	tests := []struct {
		d, end time.Duration
		width  int
		want   int
	}{
		{50 * time.Millisecond, 100 * time.Millisecond, 80, 40},
		{0, 100 * time.Millisecond, 80, 0},
		{time.Millisecond, 0, 80, 0},
		{200 * time.Millisecond, 100 * time.Millisecond, 80, 80},
	}
	for _, tt := range tests {
		if got := scale(tt.d, tt.end, tt.width); got != tt.want {
			t.Errorf("scale(%v, %v, %d) = %d, want %d", tt.d, tt.end, tt.width, got, tt.want)
		}
	}
}

// TestExplainRoom checks that the explanation gets the rows the fields and
// bytes leave empty, and that a cut says so.
func TestExplainRoom(t *testing.T) {
	j := loadJourney(t, "http")
	tests := []struct {
		w, h  int
		stage int
		whole bool // the whole explanation fits
	}{
		{120, 40, 1, true},
		{120, 40, 4, true},
		{80, 24, 1, false},
		{80, 24, 4, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d/%d", tt.w, tt.h, tt.stage), func(t *testing.T) {
			m := New(context.Background(), Options{Replay: j, NoColor: true})
			m.Init()
			m.Update(runes("i")) // the inspector
			m.Update(tea.WindowSizeMsg{Width: tt.w, Height: tt.h})
			m.insp.selectStage(tt.stage)
			m.insp.clampScroll()
			out := ansi.Strip(m.View())
			l := m.insp.layout()
			el := m.insp.explLines(l.explW)
			missing := 0
			for _, line := range el {
				if !strings.Contains(out, strings.TrimRight(line, " ")) {
					missing++
				}
			}
			hint := strings.Contains(out, "more lines")
			if tt.whole && (missing > 0 || hint) {
				t.Errorf("%d of %d explanation lines missing (hint %v), with %d rows for fields and bytes:\n%s", missing, len(el), hint, l.midH, out)
			}
			if !tt.whole && (missing == 0 || !hint) {
				t.Errorf("explanation cut without a hint (%d lines missing):\n%s", missing, out)
			}
			if l.midH < 3 || l.explH < minExplH {
				t.Errorf("panes of %d (fields, bytes) and %d (explanation) rows", l.midH, l.explH)
			}
		})
	}
}
