package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"journey/internal/trace"
)

func TestParseBackground(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		dark, ok bool
	}{
		{"black, ended by ST", "\x1b]11;rgb:0000/0000/0000\x1b\\", true, true},
		{"white, ended by BEL", "\x1b]11;rgb:ffff/ffff/ffff\a", false, true},
		{"two hex digits a channel", "\x1b]11;rgb:fd/f6/e3\a", false, true},
		{"solarized dark", "\x1b]11;rgb:0000/2b2b/3636\x1b\\", true, true},
		{"cut short", "\x1b]11;rgb:ffff/ff", false, false},
		{"not hex", "\x1b]11;rgb:zzzz/0000/0000\a", false, false},
		{"two channels", "\x1b]11;rgb:0000/0000\a", false, false},
		{"another question's answer", "\x1b]10;rgb:ffff/ffff/ffff\a", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dark, ok := parseBackground([]byte(tt.in))
			if dark != tt.dark || ok != tt.ok {
				t.Errorf("parseBackground(%q) = %v, %v; want %v, %v", tt.in, dark, ok, tt.dark, tt.ok)
			}
		})
	}
}

// TestBackgroundFilter feeds the keys bubbletea reads an OSC 11 answer as
// (alt+], its text, then alt+\ for ST or ctrl+g for BEL) to the filter:
// they become one bgMsg and no key; keys that are not an answer, or come
// after the wait, pass.
func TestBackgroundFilter(t *testing.T) {
	alt := func(r rune) tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: true} }
	text := func(s string) tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	ctrlG := tea.KeyMsg{Type: tea.KeyCtrlG}
	esc := tea.KeyMsg{Type: tea.KeyEscape}
	tests := []struct {
		name string
		late bool // the wait for an answer is over
		in   []tea.Msg
		want []string // what passes: "bg dark", "bg light" or a key
	}{
		{"dark, ended by ST", false, []tea.Msg{alt(']'), text("11;rgb:0000/0000/0000"), alt('\\')}, []string{"bg dark"}},
		{"light, ended by BEL", false, []tea.Msg{alt(']'), text("11;rgb:ffff/ffff/ffff"), ctrlG}, []string{"bg light"}},
		{"text in two reads, ST as ESC", false, []tea.Msg{alt(']'), text("11;rgb:ff"), text("ff/ffff/ffff"), esc}, []string{"bg light"}},
		{"keys before it pass", false, []tea.Msg{text("j"), alt(']'), text("11;rgb:0/0/0"), ctrlG, text("k")}, []string{"j", "bg dark", "k"}},
		{"alt+] then a key is no answer", false, []tea.Msg{alt(']'), tea.KeyMsg{Type: tea.KeyDown}}, []string{"down"}},
		{"garbage ends in nothing", false, []tea.Msg{alt(']'), text("11;nonsense"), ctrlG}, nil},
		{"after the wait, alt+] is a key", true, []tea.Msg{alt(']')}, []string{"alt+]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &bgReader{until: time.Now().Add(time.Minute)}
			if tt.late {
				r.until = time.Now().Add(-time.Second)
			}
			var got []string
			for _, m := range tt.in {
				switch out := r.filter(nil, m).(type) {
				case nil:
				case bgMsg:
					if out.dark {
						got = append(got, "bg dark")
					} else {
						got = append(got, "bg light")
					}
				case tea.KeyMsg:
					got = append(got, out.String())
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("passed %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("passed %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestQuitWaitsForTheAnswer: q while the terminal's answer is still due
// waits for it (at most maxQuitDrain), so that it is not echoed onto the
// shell's line once the program has given the terminal back; the answer
// ends the wait at once. With nothing due, q quits at once.
func TestQuitWaitsForTheAnswer(t *testing.T) {
	quits := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	q := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}

	m := New(t.Context(), Options{Replay: &trace.Journey{}, NoColor: true})
	if _, cmd := m.Update(q); !quits(cmd) {
		t.Error("q with nothing asked does not quit at once")
	}

	m = New(t.Context(), Options{Replay: &trace.Journey{}, NoColor: true})
	m.bg = &bgReader{until: time.Now().Add(bgAnswerWait)}
	_, cmd := m.Update(q)
	if quits(cmd) || !m.leaving || m.quitting {
		t.Fatalf("q with an answer due quit at once (leaving %v)", m.leaving)
	}
	if _, cmd := m.Update(bgMsg{dark: true}); !quits(cmd) {
		t.Error("the answer, come while leaving, does not end the program")
	}

	m = New(t.Context(), Options{Replay: &trace.Journey{}, NoColor: true})
	m.bg = &bgReader{until: time.Now().Add(bgAnswerWait)}
	m.Update(q)
	if _, cmd := m.Update(leaveMsg{}); !quits(cmd) {
		t.Error("the end of the wait does not end the program")
	}
	if d := (&bgReader{until: time.Now().Add(time.Hour)}).due(); d != maxQuitDrain {
		t.Errorf("due = %v, want at most %v", d, maxQuitDrain)
	}
}
