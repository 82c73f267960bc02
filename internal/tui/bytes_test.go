package tui

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"journey/internal/safetext"
	"journey/internal/trace"
)

// marked is a model whose highlight is drawn as [ and ], so tests can see
// which bytes are highlighted without reading escape sequences.
func marked() *Model {
	m := New(context.Background(), Options{Replay: &trace.Journey{}, NoColor: true})
	m.pt = paints{highlight: paint{pre: "[", post: "]"}}
	return m
}

func TestHexRow(t *testing.T) {
	b := []byte("\x12\x34ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	tests := []struct {
		name string
		row  int
		w    int
		hl   [2]int
		want string
	}{
		{"no highlight", 0, 80, [2]int{-1, -1}, "0000  12 34 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e  .4ABCDEFGHIJKLMN"},
		{"id field", 0, 80, [2]int{0, 2}, "0000  [12 34] 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e  [.4]ABCDEFGHIJKLMN"},
		{"across rows", 1, 80, [2]int{14, 18}, "0010  [4f 50] 51 52 53 54 55 56 57 58 59 5a              [OP]QRSTUVWXYZ"},
		{"narrow", 1, 40, [2]int{9, 10}, "0008  47 [48] 49 4a 4b 4c 4d 4e  G[H]IJKLMN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := marked().insp.hexRow(b, tt.row, tt.w, tt.hl); got != tt.want {
				t.Errorf("hexRow() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestTextRows(t *testing.T) {
	b := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody with \x1b escape")
	tests := []struct {
		name string
		w    int
		hl   [2]int
		want []string
	}{
		{"lines", 40, [2]int{-1, -1}, []string{`GET / HTTP/1.1\r\n`, `Host: a\r\n`, `\r\n`, `body with \x1b escape`}},
		{"host highlighted", 40, [2]int{16, 25}, []string{`GET / HTTP/1.1\r\n`, `[Host: a\r\n]`, `\r\n`, `body with \x1b escape`}},
		{"wrapped", 12, [2]int{-1, -1}, []string{`GET / HTTP/1↩`, `.1\r\n`, `Host: a\r\n`, `\r\n`, `body with ↩`, `\x1b escape`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := marked()
			var got []string
			for r := range len(m.insp.rows(b, tt.w).start) {
				got = append(got, m.insp.textRow(b, r, tt.w, tt.hl))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("rows =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// FuzzTextRows feeds the text form arbitrary bytes: the rows cover every
// byte once, in order, and no row is wider than asked or carries a raw
// control character.
func FuzzTextRows(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\nhello"), 10)
	f.Add([]byte("\x1b[2J\xff\xfe\u202e\t\n\n"), 3)
	f.Add([]byte("日本語のテキスト"), 5)
	f.Add([]byte{}, 1)
	f.Fuzz(func(t *testing.T, b []byte, w int) {
		if w < 1 || w > 300 {
			return
		}
		m := marked()
		tr := m.insp.rows(b, w)
		if tr.start[0] != 0 {
			t.Fatalf("first row starts at %d", tr.start[0])
		}
		for i := 1; i < len(tr.start); i++ {
			if tr.start[i] <= tr.start[i-1] || tr.start[i] > len(b) {
				t.Fatalf("row starts out of order: %v", tr.start)
			}
		}
		for r := range tr.start {
			row := m.insp.textRow(b, r, w, [2]int{-1, -1})
			// A row over w holds a single wide escape (a 6-cell \uXXXX in a
			// narrower pane): it cannot be split.
			if n := ansi.StringWidth(strings.TrimSuffix(row, "↩")); n > max(w, 6) {
				t.Fatalf("row %d is %d cells for width %d: %q", r, n, w, row)
			}
			if !utf8.ValidString(row) || !safetext.IsSafe(strings.TrimSuffix(row, "↩")) {
				t.Fatalf("row %d is not safe to print: %q", r, row)
			}
		}
	})
}

// TestNoColorKeepsEmphasis checks that without colour the selection and
// the highlighted bytes still stand out, with reverse and underline.
func TestNoColorKeepsEmphasis(t *testing.T) {
	st := DefaultStyles(true)
	for name, got := range map[string]string{
		"selected":  st.Selected.Render("x"),
		"highlight": st.Highlight.Render("x"),
		"focus":     st.FocusTitle.Render("x"),
	} {
		if got == "x" || strings.Contains(got, "38;") || strings.Contains(got, "48;") {
			t.Errorf("%s without colour = %q: want an attribute and no colour", name, got)
		}
	}
}
