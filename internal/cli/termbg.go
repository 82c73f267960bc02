package cli

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
)

// bgWait bounds the wait for a terminal's answer about its background. A
// local terminal answers in about a millisecond, one over ssh in a round
// trip; a terminal that never answers must not hold the first frame, so
// past this the TUI draws for a dark background (termenv's own default).
const bgWait = 60 * time.Millisecond

// setBackground tells lipgloss whether the terminal's background is dark,
// before the TUI builds its styles. It asks only when the answer changes
// what is drawn (the TUI, in colour, and COLORFGBG does not already say),
// and waits at most bgWait. The journey is already running meanwhile.
func setBackground(std IO) {
	if dark, ok := colorFGBGDark(std.Getenv("COLORFGBG")); ok {
		lipgloss.SetHasDarkBackground(dark)
		return
	}
	in, ok1 := std.Stdin.(*os.File)
	out, ok2 := std.Stdout.(*os.File)
	if !ok1 || !ok2 {
		return
	}
	if dark, err := queryBackground(in, out, bgWait); err == nil {
		lipgloss.SetHasDarkBackground(dark)
	}
}

// colorFGBGDark reads COLORFGBG ("15;0", "default;default;0"), set by
// rxvt, Konsole and others: its last field is the background's ANSI
// colour, 0-6 and 8 dark, 7 and 9-15 light.
func colorFGBGDark(v string) (dark, ok bool) {
	if !strings.Contains(v, ";") {
		return false, false
	}
	fields := strings.Split(v, ";")
	n, err := strconv.Atoi(fields[len(fields)-1])
	if err != nil || n < 0 || n > 15 {
		return false, false
	}
	return n != 7 && n < 9, true
}

var errNoAnswer = errors.New("the terminal did not answer")

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

// dsrAnswered reports whether b holds a cursor position report, ESC [ n ; m R.
func dsrAnswered(b []byte) bool {
	for i := bytes.Index(b, []byte("\x1b[")); i >= 0; {
		j := i + 2
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == ';') {
			j++
		}
		if j < len(b) && b[j] == 'R' && j > i+2 {
			return true
		}
		k := bytes.Index(b[i+2:], []byte("\x1b["))
		if k < 0 {
			return false
		}
		i += 2 + k
	}
	return false
}
