package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/trace"
)

// bigJourney is an HTTP stage whose response carries a 1 MiB body, the
// body's field selected: the worst case for the bytes pane.
func bigJourney(size int) *trace.Journey {
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + fmt.Sprint(size) + "\r\n\r\n"
	var body bytes.Buffer
	for i := 0; body.Len() < size; i++ {
		fmt.Fprintf(&body, "<p>line %d of a long page, with some text to wrap \x1b and a tab\t</p>\n", i)
	}
	resp := append([]byte(head), body.Bytes()[:size]...)
	return &trace.Journey{Target: "www.example.com", Mode: trace.ModeLab, Stages: []*trace.Stage{{
		Kind: trace.StageHTTP, Status: trace.StatusDone,
		Exchanges: []*trace.Exchange{{Kind: "http", Label: "GET http://www.example.com/big", Peer: trace.Peer{Addr: "203.0.113.10:80"},
			Sent: trace.Message{Bytes: []byte("GET /big HTTP/1.1\r\nHost: www.example.com\r\n\r\n")},
			Received: trace.Message{Bytes: resp, Fields: []trace.Field{
				{Name: "status line", Offset: 0, Length: 17},
				{Name: "body", Offset: len(head), Length: size},
			}}}},
	}}}
}

// bigModel is a model at w x h showing the 1 MiB body, its field selected.
func bigModel(tb testing.TB, w, h int, hex bool) *Model {
	m := New(context.Background(), Options{Replay: bigJourney(1 << 20)})
	m.Init()
	m.Update(runes("i")) // the inspector
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.insp.focus = focusFields
	rows := m.insp.tree()
	for i, r := range rows {
		if r.field != nil && r.field.Name == "body" {
			m.insp.selectNode(i)
		}
	}
	if _, _, n, _ := m.insp.current(); n != 1<<20 {
		tb.Fatalf("the body is not selected (%d bytes)", n)
	}
	m.insp.flip = hex
	m.insp.focus = focusBytes
	return m
}

// BenchmarkView draws frames with a 1 MiB body selected while scrolling
// through it: the aim is well under 2 ms a frame.
func BenchmarkView(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {250, 70}} {
		for _, hex := range []bool{false, true} {
			form := "text"
			if hex {
				form = "hex"
			}
			b.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], form), func(b *testing.B) {
				m := bigModel(b, sz[0], sz[1], hex)
				m.View()
				down := tea.KeyMsg{Type: tea.KeyPgDown}
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for b.Loop() {
					m.Update(down)
					m.View()
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// TestBigBody scrolls a 1 MiB body to its end and checks the last rows
// drawn are the body's last bytes.
func TestBigBody(t *testing.T) {
	for _, hex := range []bool{false, true} {
		t.Run(fmt.Sprint("hex=", hex), func(t *testing.T) {
			m := bigModel(t, 80, 24, hex)
			*m.insp.scroll(focusBytes) = 1 << 30
			m.insp.clampScroll()
			out := m.View()
			checkFits(t, out, 80, 24)
			if hex {
				if !strings.Contains(out, "1000") { // the offsets run past 0x100000
					t.Errorf("the last hex rows are not shown:\n%s", out)
				}
				return
			}
			if !strings.Contains(out, `\x1b`) || strings.Contains(out, "\x1b and") {
				t.Errorf("the body's escape is not shown escaped:\n%s", out)
			}
		})
	}
}
