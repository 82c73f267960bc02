package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/tracefile"
)

// sgr is the only escape sequence the TUI writes itself: colours and
// bold, from its styles. Anything else that starts with ESC came from the
// journey and was not made safe.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// fuzzSizes are window sizes the fuzz target renders at: the classic
// terminal, the wide layout, the smallest usable one and a too-small one.
var fuzzSizes = [][2]int{{80, 24}, {160, 48}, {minWidth, minHeight}, {20, 6}}

// fuzzKeys walk the screen: every stage, every pane, a field opened, the
// other byte form, the full help.
var fuzzKeys = []tea.KeyMsg{
	{Type: tea.KeyRight}, keyTab, keyDown, keyEnter, keyDown, keyX,
	{Type: tea.KeyRight}, keyTab, {Type: tea.KeyPgDown}, keyTab, keyDown,
	{Type: tea.KeyRight}, runes("?"), {Type: tea.KeyRight}, {Type: tea.KeyLeft},
}

// tourKeys jump about the tour: the first step, a stage, the last step,
// zoom and back.
var tourKeys = []tea.KeyMsg{runes("g"), runes("3"), runes("G"), runes("z"), {Type: tea.KeyDown}, runes("z"), runes("1")}

// maxFuzzSteps bounds the steps walked per input, so an input with
// thousands of exchanges does not stall the fuzzer.
const maxFuzzSteps = 200

// FuzzView decodes arbitrary bytes as a recorded journey and, when the
// decoder accepts them, replays the journey in the TUI at several sizes
// and after several keys: nothing panics, and nothing but the TUI's own
// colour sequences reaches the terminal raw. The seeds are whole recorded
// journeys (up to 200 KB): fuzz with -fuzzminimizetime=2s, or minimising
// each new input for the default minute stalls the run.
func FuzzView(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	if len(seeds) == 0 {
		f.Fatal("no recorded journeys to seed the fuzz target with")
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":"journey/1","mode":"lab","target":"x\u001b]0;pwned\u0007\u202e","error":"\u001b[2J","stages":[` +
		`{"kind":"address","status":"done"},{"kind":"dns","status":"failed","error":"\u009b31m","notes":["\u001b[2J"],` +
		`"exchanges":[{"kind":"dns","label":"\u001b]8;;x\u0007","depth":3,"received":{"bytes":"G1sySg==","fields":[{"name":"\u001b","value":"\u007f","offset":0,"length":4}]}}]},` +
		`{"kind":"connect","status":"skipped"},{"kind":"http","status":"skipped"},{"kind":"gateway","status":"skipped"},{"kind":"router","status":"skipped"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := tracefile.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, color := range []bool{false, true} {
			m := New(context.Background(), Options{Replay: j, NoColor: !color})
			m.Init()
			// The tour: every step at 80x24 (bounded), the keys that jump.
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			for i := 0; i < min(m.tour.count(), maxFuzzSteps); i++ {
				checkRaw(t, m.View())
				m.Update(runes(" "))
			}
			for _, k := range tourKeys {
				m.Update(k)
				for _, sz := range fuzzSizes {
					m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
					checkRaw(t, m.View())
				}
			}
			m.Update(runes("z"))
			m.Update(runes("i")) // the inspector
			for _, sz := range fuzzSizes {
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				checkRaw(t, m.View())
			}
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			for _, k := range fuzzKeys {
				m.Update(k)
				checkRaw(t, m.View())
			}
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
			checkRaw(t, m.View())
		}
	})
}

// checkRaw fails on any control byte in a frame other than a newline and
// the TUI's own colour sequences, and on invalid UTF-8.
func checkRaw(t *testing.T, frame string) {
	t.Helper()
	rest := sgr.ReplaceAllString(frame, "")
	if !utf8.ValidString(rest) {
		t.Fatalf("invalid UTF-8 on screen: %q", rest)
	}
	for i, r := range rest {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x202e || r == 0x2066 || r == 0x2067 || r == 0x2068 {
			lo, hi := max(0, i-40), min(len(rest), i+40)
			t.Fatalf("raw control %U on screen, near %q", r, rest[lo:hi])
		}
	}
}
