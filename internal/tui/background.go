package tui

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// The TUI asks the terminal its background colour (OSC 11) only once it
// holds the terminal, and never waits for the answer: the first frame is
// drawn for a dark background (termenv's own default when a terminal does
// not say), and the colours follow when the answer comes, over ssh a
// round trip later. A terminal that never answers (a serial console, a
// script's pty) costs nothing. The answer comes in as input, which
// bubbletea v1 reads as keys (alt+], the text, alt+\ or ctrl+g); a filter
// takes those keys back out while an answer is due.

// bgQuery asks for the background colour; the terminal answers with the
// same terminator (ST).
const bgQuery = "\x1b]11;?\x1b\\"

// bgAnswerWait is how long after asking keys are read as a possible
// answer: past it, alt+] is a key like any other. A second covers a
// terminal at the far end of a slow link.
const bgAnswerWait = time.Second

// maxBgAnswer bounds the answer's text (rgb:RRRR/GGGG/BBBB is 21 runes).
const maxBgAnswer = 64

// maxQuitDrain bounds how long quitting waits for an answer still due:
// an answer that came after the program gave the terminal back would be
// echoed onto the shell's line.
const maxQuitDrain = 200 * time.Millisecond

// bgMsg says the terminal answered: its background is dark or not.
type bgMsg struct{ dark bool }

// leaveMsg ends the program once the wait for the answer is over.
type leaveMsg struct{}

// askBackground is the command that writes the question on w.
func askBackground(w io.Writer) tea.Cmd {
	return func() tea.Msg {
		w.Write([]byte(bgQuery))
		return nil
	}
}

// bgReader recognises the terminal's answer among the keys.
type bgReader struct {
	until     time.Time // keys are read as a possible answer until then
	capturing bool
	text      []rune
}

// due is how long quitting should still wait for the answer: 0 when
// nothing was asked, or it was answered, or the wait is over.
func (r *bgReader) due() time.Duration {
	if r == nil || r.until.IsZero() {
		return 0
	}
	return min(max(time.Until(r.until), 0), maxQuitDrain)
}

// filter is a tea.WithFilter function: it drops the keys that make up an
// answer, and hands the answer on as a bgMsg.
func (r *bgReader) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	k, ok := msg.(tea.KeyMsg)
	if !ok || r.until.IsZero() || time.Now().After(r.until) {
		return msg
	}
	switch {
	case !r.capturing && k.Type == tea.KeyRunes && k.Alt && string(k.Runes) == "]":
		r.capturing, r.text = true, r.text[:0]
		return nil
	case !r.capturing:
		return msg
	case k.Type == tea.KeyRunes && !k.Alt && len(r.text)+len(k.Runes) <= maxBgAnswer:
		r.text = append(r.text, k.Runes...)
		return nil
	case k.Type == tea.KeyCtrlG, k.Type == tea.KeyEscape, k.Type == tea.KeyRunes && k.Alt && string(k.Runes) == "\\":
		// The terminator: BEL, or ST (ESC \) read as alt+\ or as ESC.
		r.capturing = false
		r.until = time.Time{} // answered: what follows is keys
		if dark, ok := parseBackground([]byte("\x1b]" + string(r.text) + "\x1b\\")); ok {
			return bgMsg{dark: dark}
		}
		return nil
	}
	// Not an answer after all (a person typed alt+]): let the key be.
	r.capturing = false
	return msg
}

// parseBackground finds an OSC 11 answer, "\x1b]11;rgb:RRRR/GGGG/BBBB"
// ended by ST or BEL, and says whether that colour is dark.
func parseBackground(b []byte) (dark, ok bool) {
	i := bytes.Index(b, []byte("\x1b]11;rgb:"))
	if i < 0 {
		return false, false
	}
	rest := b[i+len("\x1b]11;rgb:"):]
	end := bytes.IndexAny(rest, "\x07\x1b")
	if end < 0 {
		return false, false
	}
	parts := strings.Split(string(rest[:end]), "/")
	if len(parts) != 3 {
		return false, false
	}
	var c [3]float64
	for k, p := range parts {
		if p == "" || len(p) > 4 {
			return false, false
		}
		v, err := strconv.ParseUint(p, 16, 16)
		if err != nil {
			return false, false
		}
		c[k] = float64(v) / float64(uint64(1)<<(4*len(p))-1)
	}
	// Relative luminance (ITU-R BT.709), as termenv judges it.
	return 0.2126*c[0]+0.7152*c[1]+0.0722*c[2] < 0.5, true
}
