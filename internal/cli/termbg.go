package cli

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// background tells the TUI how to learn whether the terminal's background
// is dark: COLORFGBG, where set, says so at once (lipgloss is told, and
// nothing is asked); otherwise the terminal itself is asked, by the TUI
// once it holds the terminal, without waiting (tui.Options.Background).
// Called only when colour is on: without it the answer changes nothing.
func background(std IO) io.Writer {
	if dark, ok := colorFGBGDark(std.Getenv("COLORFGBG")); ok {
		lipgloss.SetHasDarkBackground(dark)
		return nil
	}
	in, ok1 := std.Stdin.(*os.File)
	out, ok2 := std.Stdout.(*os.File)
	if !ok1 || !ok2 || !isTerminal(out) || !foreground(in) {
		return nil
	}
	return out
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
