package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"journey/internal/safetext"
)

// The bytes pane draws only the rows it shows: a hex row is found by
// arithmetic, and a text row through an index of row starts built once per
// message and width, so a 1 MiB body costs the same per frame as 100 bytes.

// hexPerRow is how many bytes a hex row holds in w cells: 16 as xxd and
// Wireshark show them when there is room, fewer on a narrow screen.
func hexPerRow(w, offDigits int) int {
	for _, n := range []int{16, 8, 4, 2} {
		if offDigits+2+n*3+1+n <= w {
			return n
		}
	}
	return 1
}

// offDigits is how many hex digits the offsets of a message of size n need.
func offDigits(n int) int {
	d := 4
	for n > 0xffff && d < 16 {
		n >>= 4
		d++
	}
	return d
}

// textRows is the index of a message's text rows at one width: the offset
// where each row starts.
type textRows struct {
	data  []byte
	width int
	start []int
}

func (t *textRows) valid(b []byte, w int) bool {
	return t.data != nil && len(t.data) == len(b) && len(b) > 0 && &t.data[0] == &b[0] && t.width == w
}

// cellWidth is how many cells the bytes starting at b[i] take once made
// safe, and how many bytes they are. It must agree with safetext.
func cellWidth(b []byte, i int) (cells, size int) {
	c := b[i]
	switch {
	case c == '\n' || c == '\r' || c == '\t':
		return 2, 1
	case c < 0x20 || c == 0x7f:
		return 4, 1
	case c < 0x80:
		return 1, 1
	}
	r, size := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && size == 1 {
		return 4, 1
	}
	if invisible(r) { // drawn as its escape: see width.go
		return len(terminalSafe(string(r))), size
	}
	return ansi.StringWidth(safetext.Line(string(b[i : i+size]))), size
}

// buildTextRows splits b into rows of at most w cells, breaking after
// each newline (shown as \n) and where a row is full.
func buildTextRows(b []byte, w int) textRows {
	t := textRows{data: b, width: w, start: []int{0}}
	used := 0
	for i := 0; i < len(b); {
		cells, size := cellWidth(b, i)
		if used+cells > w && used > 0 {
			t.start = append(t.start, i)
			used = 0
		}
		used += cells
		i += size
		if b[i-size] == '\n' && i < len(b) {
			t.start = append(t.start, i)
			used = 0
		}
	}
	return t
}

// bytesRowCount is how many rows the pane's content has at width w.
func (m *Inspector) bytesRowCount(w int) int {
	msg, _, _, _ := m.current()
	if msg == nil || len(msg.Bytes) == 0 {
		return 1
	}
	extra := 0
	if msg.Dropped > 0 {
		extra = 1
	}
	if m.textual() {
		return len(m.rows(msg.Bytes, w-1).start) + extra
	}
	n := hexPerRow(w, offDigits(len(msg.Bytes)))
	return (len(msg.Bytes)+n-1)/n + extra
}

// rows returns the cached text rows of b at width w.
func (m *Inspector) rows(b []byte, w int) *textRows {
	if !m.cache.text.valid(b, w) {
		m.cache.text = buildTextRows(b, w)
	}
	return &m.cache.text
}

// rowOf is the row showing byte off.
func (m *Inspector) rowOf(off, w int) int {
	msg, _, _, _ := m.current()
	if msg == nil || len(msg.Bytes) == 0 {
		return 0
	}
	if m.textual() {
		st := m.rows(msg.Bytes, w-1).start
		lo, hi := 0, len(st)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if st[mid] <= off {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	return off / hexPerRow(w, offDigits(len(msg.Bytes)))
}

// bytesLines renders h rows of the bytes pane from row top, w cells wide.
func (m *Inspector) bytesLines(w, h, top int) []string {
	msg, off, n, _ := m.current()
	out := make([]string, 0, h)
	if msg == nil || len(msg.Bytes) == 0 {
		text := "no bytes: this stage has no exchange on the wire"
		if msg != nil && msg.Dropped > 0 {
			text = fmt.Sprintf("%d bytes seen, none kept", msg.Dropped)
		} else if it, _ := m.selectedItem(); it.ex != nil && it.ex.Kind == "tcp" {
			text = "no data: the system sends SYN, SYN-ACK and ACK itself"
		} else if msg != nil {
			text = "no bytes in this direction"
		}
		return append(out, m.pt.dim.wrap(ansi.Truncate(text, w, "…")))
	}
	hl := [2]int{off, off + n}
	if n <= 0 {
		hl = [2]int{-1, -1}
	}
	total := m.bytesRowCount(w)
	for r := top; r < top+h && r < total; r++ {
		if msg.Dropped > 0 && r == total-1 {
			out = append(out, m.pt.dim.wrap(ansi.Truncate(fmt.Sprintf("… %d more bytes seen, not kept (capture limit)", msg.Dropped), w, "…")))
			continue
		}
		if m.textual() {
			out = append(out, m.textRow(msg.Bytes, r, w-1, hl))
		} else {
			out = append(out, m.hexRow(msg.Bytes, r, w, hl))
		}
	}
	return out
}

const hexDigits = "0123456789abcdef"

// hexRow is row r as offset, hex bytes and their ASCII, highlighting hl.
func (m *Inspector) hexRow(b []byte, r, w int, hl [2]int) string {
	return hexRowOf(m.pt, b, r, w, hl)
}

// hexRowOf is hexRow for any pane, with its paints.
func hexRowOf(pt paints, b []byte, r, w int, hl [2]int) string {
	d := offDigits(len(b))
	per := hexPerRow(w, d)
	a := r * per
	e := min(a+per, len(b))
	var sb strings.Builder
	sb.Grow(w + 64)
	sb.WriteString(pt.dim.pre)
	for i := d - 1; i >= 0; i-- {
		sb.WriteByte(hexDigits[(a>>(4*i))&0xf])
	}
	sb.WriteString(pt.dim.post)
	sb.WriteString("  ")
	in := false
	for i := a; i < a+per; i++ {
		if i >= e {
			sb.WriteString("   ")
			continue
		}
		if i >= hl[0] && i < hl[1] && !in {
			sb.WriteString(pt.highlight.pre)
			in = true
		}
		sb.WriteByte(hexDigits[b[i]>>4])
		sb.WriteByte(hexDigits[b[i]&0xf])
		// A highlighted run stays one block, the spaces inside it included.
		if next := i+1 < e && i+1 >= hl[0] && i+1 < hl[1]; in && !next {
			sb.WriteString(pt.highlight.post)
			in = false
		}
		sb.WriteByte(' ')
	}
	sb.WriteByte(' ')
	for i := a; i < e; i++ {
		on := i >= hl[0] && i < hl[1]
		if on && !in {
			sb.WriteString(pt.highlight.pre)
		} else if !on && in {
			sb.WriteString(pt.highlight.post)
		}
		in = on
		c := b[i]
		if c < 0x20 || c > 0x7e {
			c = '.' // as xxd: the text form (x) shows the escapes
		}
		sb.WriteByte(c)
	}
	if in {
		sb.WriteString(pt.highlight.post)
	}
	return sb.String()
}

// textRow is row r of the text form, made safe, highlighting hl.
func (m *Inspector) textRow(b []byte, r, w int, hl [2]int) string {
	return textRowOf(m.pt, m.rows(b, w).start, b, r, hl)
}

// textRowOf is row r of b, whose rows start at st, made safe,
// highlighting hl.
func textRowOf(pt paints, st []int, b []byte, r int, hl [2]int) string {
	if r >= len(st) {
		return ""
	}
	a := st[r]
	e := len(b)
	if r+1 < len(st) {
		e = st[r+1]
	}
	var sb strings.Builder
	seg := func(x, y int, p *paint) {
		if x >= y {
			return
		}
		s := safetext.Bytes(b[x:y])
		if p != nil {
			s = p.wrap(s)
		}
		sb.WriteString(s)
	}
	x, y := max(a, min(hl[0], e)), min(e, max(hl[1], a))
	if hl[0] < 0 || x >= y {
		seg(a, e, nil)
	} else {
		seg(a, x, nil)
		seg(x, y, &pt.highlight)
		seg(y, e, nil)
	}
	if e > a && b[e-1] != '\n' && e < len(b) {
		sb.WriteString(pt.dim.wrap("↩")) // the line goes on in the next row
	}
	return sb.String()
}
