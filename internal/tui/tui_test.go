package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// Golden files live under testdata/<Test>/<case>.golden. They are
// refreshed with -update: that flag is the one the golden package of
// teatest already defines (a second flag of the same name would panic).

// journeysDir holds the recorded lab journeys (fixed timings and bytes).
const journeysDir = "../../testdata/journeys"

func loadJourney(t testing.TB, name string) *trace.Journey {
	t.Helper()
	f, err := os.Open(journeysDir + "/" + name + ".json")
	if err != nil {
		t.Fatalf("recorded journey: %v", err)
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		t.Fatalf("recorded journey %s: %v", name, err)
	}
	return j
}

// screen drives a replay of j through teatest at w x h, presses keys, quits
// and returns the last screen before quitting, without ANSI.
func screen(t *testing.T, j *trace.Journey, w, h int, keys ...tea.KeyMsg) string {
	t.Helper()
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	tm.Send(runes("i")) // the inspector
	for _, k := range keys {
		tm.Send(k)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	return ansi.Strip(fm.frame())
}

func right(n int) []tea.KeyMsg {
	ks := make([]tea.KeyMsg, n)
	for i := range ks {
		ks[i] = tea.KeyMsg{Type: tea.KeyRight}
	}
	return ks
}

var (
	keyTab   = tea.KeyMsg{Type: tea.KeyTab}
	keyDown  = tea.KeyMsg{Type: tea.KeyDown}
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyX     = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}
)

// TestGolden renders every stage of a recorded lab journey at 80x24 and
// 160x48, plus a selected field and the too-small screen.
func TestGolden(t *testing.T) {
	j := loadJourney(t, "http")
	sizes := []struct{ w, h int }{{80, 24}, {160, 48}}
	for _, sz := range sizes {
		for i, s := range j.Stages {
			name := fmt.Sprintf("%dx%d/%d-%s", sz.w, sz.h, i, s.Kind)
			t.Run(name, func(t *testing.T) {
				out := screen(t, j, sz.w, sz.h, right(i)...)
				checkFits(t, out, sz.w, sz.h)
				golden.RequireEqual(t, []byte(out))
			})
		}
		// The DNS stage's first query, a field inside it selected: its
		// bytes are the ones highlighted, its meaning explained.
		t.Run(fmt.Sprintf("%dx%d/dns-field", sz.w, sz.h), func(t *testing.T) {
			keys := append(right(1), keyTab, keyDown, keyEnter, keyDown)
			out := screen(t, j, sz.w, sz.h, keys...)
			checkFits(t, out, sz.w, sz.h)
			golden.RequireEqual(t, []byte(out))
		})
		t.Run(fmt.Sprintf("%dx%d/http-hex", sz.w, sz.h), func(t *testing.T) {
			out := screen(t, j, sz.w, sz.h, append(right(3), keyX)...)
			checkFits(t, out, sz.w, sz.h)
			golden.RequireEqual(t, []byte(out))
		})
	}
	t.Run("too-small", func(t *testing.T) {
		out := screen(t, j, 20, 6)
		checkFits(t, out, 20, 6)
		if !strings.Contains(strings.ReplaceAll(out, "\n", " "), "larger") {
			t.Errorf("too-small screen does not ask for a larger window:\n%s", out)
		}
		golden.RequireEqual(t, []byte(out))
	})
}

// checkFits fails when the screen is larger than the window.
func checkFits(t testing.TB, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > h {
		t.Errorf("%d lines for a %d-line window", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide in a %d-cell window: %q", i, n, w, l)
		}
	}
}

// TestResize shrinks and grows the window over every stage and focus: the
// screen always fits, and nothing panics.
func TestResize(t *testing.T) {
	j := loadJourney(t, "http")
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	m.Init()
	m.Update(runes("i")) // the inspector
	sizes := [][2]int{{250, 70}, {200, 50}, {160, 48}, {80, 24}, {60, 16}, {50, 14}, {49, 13}, {20, 6}, {1, 1}, {0, 0}, {120, 30}}
	for _, k := range []tea.KeyMsg{{}, keyTab, keyTab, keyTab, keyTab} {
		m.Update(k)
		for stage := range j.Stages {
			m.insp.selectStage(stage)
			for _, sz := range sizes {
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				m.Update(keyDown)
				out := ansi.Strip(m.View())
				if sz[0] > 0 && sz[1] > 0 {
					checkFits(t, out, sz[0], sz[1])
				}
			}
		}
	}
}

// TestResizeTour shrinks and grows the window on every step of a journey,
// zoomed or not: the screen always fits, and nothing panics.
func TestResizeTour(t *testing.T) {
	j := loadJourney(t, "https")
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	m.Init()
	sizes := [][2]int{{250, 70}, {160, 48}, {80, 24}, {60, 16}, {50, 14}, {49, 13}, {20, 6}, {1, 1}, {0, 0}, {120, 30}}
	for _, zoom := range []bool{false, true} {
		if zoom {
			m.Update(runes("z"))
		}
		m.Update(runes("g"))
		for range m.tour.count() {
			for _, sz := range sizes {
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				out := ansi.Strip(m.View())
				if sz[0] > 0 && sz[1] > 0 {
					checkFits(t, out, sz[0], sz[1])
				}
			}
			m.Update(runes(" "))
		}
	}
}

// TestHostile shows a journey whose every outside string carries escape
// sequences: none reaches the screen raw.
func TestHostile(t *testing.T) {
	evil := "x\x1b]0;pwned\x07\x1b[2J\u202e"
	body := []byte("HTTP/1.1 200 OK\r\nX-Evil: " + evil + "\r\n\r\n" + evil)
	j := &trace.Journey{Target: evil, Mode: trace.Mode(evil), Stages: []*trace.Stage{{Kind: trace.StageKind(evil), Status: trace.StatusDone}, {
		Kind: trace.StageHTTP, Status: trace.StatusDone, Notes: []string{evil},
		Exchanges: []*trace.Exchange{{Kind: "http", Label: evil, Peer: trace.Peer{Name: evil, Addr: evil},
			Received: trace.Message{Bytes: body, Fields: []trace.Field{{Name: evil, Value: evil, Offset: 17, Length: 20}}}}},
	}}}
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	m.Init()
	m.Update(runes("i")) // the inspector
	for _, sz := range [][2]int{{80, 24}, {200, 50}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, k := range []tea.KeyMsg{{}, {Type: tea.KeyRight}, keyTab, keyDown, keyDown, keyDown, keyX} {
			m.Update(k)
			out := m.View()
			if strings.Contains(out, "pwned\x07") || strings.Contains(out, "\u202e") || strings.Contains(out, "]0;") && !strings.Contains(out, `\x1b]0;`) {
				t.Fatalf("raw control sequence on screen:\n%q", out)
			}
		}
	}
}

// labStart runs real lab journeys for the TUI, as the CLI does.
func labStart(t *testing.T, target string) func(ctx context.Context, gate trace.Gate) <-chan trace.Event {
	t.Helper()
	return labStartWith(t, target, func(*engine.Config, *lab.Lab) {})
}

// labStartWith is labStart with the engine's configuration changed by set.
func labStartWith(t *testing.T, target string, set func(*engine.Config, *lab.Lab)) func(ctx context.Context, gate trace.Gate) <-chan trace.Event {
	t.Helper()
	return labStartOn(t, lab.Options{Latency: 0}, target, set)
}

// labStartOn is labStartWith on a lab started with opts.
func labStartOn(t *testing.T, opts lab.Options, target string, set func(*engine.Config, *lab.Lab)) func(ctx context.Context, gate trace.Gate) <-chan trace.Event {
	t.Helper()
	ctx := t.Context()
	l, err := lab.Start(ctx, opts)
	if err != nil {
		t.Fatalf("starting the lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	a, err := address.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Dialer: d, Roots: l.Roots(), RootCAs: l.RootCAs(), ServerStages: l.ServerStages}
	set(&cfg, l)
	return func(ctx context.Context, gate trace.Gate) <-chan trace.Event {
		ch := make(chan trace.Event, 16)
		go func() {
			defer close(ch)
			rec := trace.NewRecorder(target, trace.ModeLab, "test", func(ev trace.Event) {
				select {
				case ch <- ev:
				case <-ctx.Done():
				}
			}, gate)
			err := engine.Run(ctx, cfg, rec)
			if errors.Is(err, context.Canceled) {
				return
			}
			rec.Finish(err)
		}()
		return ch
	}
}

// TestStreamLab runs a real lab journey: the screen appears before the
// journey ends, and the end is reported with the DNS hops in place.
func TestStreamLab(t *testing.T) {
	m := New(t.Context(), Options{Start: labStart(t, "www.example.com")})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("complete")) },
		teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	j := fm.journey
	if j == nil || j.Stage(trace.StageDNS) == nil || len(j.Stage(trace.StageDNS).Exchanges) < 2 {
		t.Fatalf("journey without its DNS hops: %+v", j)
	}
	if fm.running {
		t.Error("still running after the journey ended")
	}
	if s := fm.insp.selected(); s == nil || s.Kind != trace.StageRouter {
		t.Errorf("a complete journey ends on %v, want the router (the last stage followed)", s)
	}
}

// TestStepLab checks that in step mode nothing leaves before the user
// presses space: the pending packet is shown and no exchange is recorded
// until then.
func TestStepLab(t *testing.T) {
	m := New(t.Context(), Options{Start: labStart(t, "www.example.com"), Step: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitScreen := func(want string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
			teatest.WithDuration(10*time.Second))
	}
	// The tour says a packet waits; space walks to it (the tour stays on
	// the step being read until then), and space on it sends it. Waiting
	// for each screen, not for a time, holds on a slow machine under -race.
	waitScreen("a packet is waiting")
	tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")})
	waitScreen("about to send")
	time.Sleep(100 * time.Millisecond) // would be time enough for a packet sent early to come back
	tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")})
	waitScreen("referral")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	// Quitting cancels the gate of the packet still waiting; the resolver
	// records that one as not sent, with the cancellation as its error.
	sent := 0
	for _, e := range fm.journey.Stage(trace.StageDNS).Exchanges {
		if !e.Failed() {
			sent++
		}
	}
	if sent != 1 {
		t.Fatalf("%d DNS exchanges answered after one key press, want 1", sent)
	}
	if fm.pending == nil {
		t.Error("the next packet is not shown as pending")
	}
}

// TestStaleRun drops events of a run that r replaced.
func TestStaleRun(t *testing.T) {
	m := New(context.Background(), Options{Start: func(context.Context, trace.Gate) <-chan trace.Event { return nil }})
	m.Init()
	m.Update(runes("i")) // the inspector
	m.startRun()         // r: run 2
	old := &trace.Journey{Target: "old"}
	m.Update(eventMsg{id: 1, ev: trace.Event{Kind: trace.EventExchange, Journey: old}})
	if m.journey == old {
		t.Fatal("an event of the replaced run was taken")
	}
	cur := &trace.Journey{Target: "new"}
	m.Update(eventMsg{id: 2, ev: trace.Event{Kind: trace.EventExchange, Journey: cur}})
	if m.journey != cur {
		t.Fatal("an event of the current run was dropped")
	}
	m.Update(runEndedMsg{id: 1})
	if !m.running {
		t.Error("the end of the replaced run ended the current one")
	}
	m.Update(runEndedMsg{id: 2})
	if m.running {
		t.Error("the current run did not end")
	}
}

// TestGate checks the step gate: it holds until opened, and gives way to
// a cancelled context.
func TestGate(t *testing.T) {
	g := newStepGate()
	done := make(chan error, 1)
	go func() { done <- g.wait(context.Background(), trace.Pending{}) }()
	select {
	case <-done:
		t.Fatal("the gate opened by itself")
	case <-time.After(50 * time.Millisecond):
	}
	g.open()
	if err := <-done; err != nil {
		t.Fatalf("opened gate: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.wait(ctx, trace.Pending{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled gate: %v", err)
	}
}

// TestQuitBlank checks that the last frame is blank: a terminal resized
// while the TUI ran (tmux) may carry the alternate screen's rows back to
// the shell's screen, and a blank frame leaves none to carry.
func TestQuitBlank(t *testing.T) {
	for _, k := range []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("q")}, {Type: tea.KeyCtrlC}} {
		t.Run(k.String(), func(t *testing.T) {
			m := New(context.Background(), Options{Replay: loadJourney(t, "http"), NoColor: true})
			m.Init()
			m.Update(runes("i")) // the inspector
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			if m.View() == "" {
				t.Fatal("blank screen before quitting")
			}
			_, cmd := m.Update(k)
			if cmd == nil {
				t.Fatalf("%s does not quit", k)
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Fatalf("%s does not quit", k)
			}
			if v := m.View(); v != "" {
				t.Errorf("last frame after %s is not blank: %q", k, v)
			}
		})
	}
}

// TestWarmInTheTour: a journey with its second visit (--warm) is walked to
// the end: the second visit follows the first, and its last step draws the
// second visit's own waterfall (no DNS, no connection of its own).
func TestWarmInTheTour(t *testing.T) {
	ctx := t.Context()
	l, err := lab.Start(ctx, lab.Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	a, _ := address.Parse("https://www.example.com/")
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Dialer: d, Roots: l.Roots(), RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Warm: &engine.Warm{}}
	rec := trace.NewRecorder(a.Input, trace.ModeLab, "test", nil, nil)
	err = engine.Run(ctx, cfg, rec)
	rec.SetWarm(cfg.Warm.Journey()) // as the command line's stream does
	j := rec.Finish(err)
	if j.Warm == nil {
		t.Fatal("no second visit")
	}
	out := tourScreen(t, j, 80, 24, tea.KeyMsg{Type: tea.KeyEnd})
	for _, want := range []string{"the second visit: ", "waterfall", "server processing"} {
		if !strings.Contains(out, want) {
			t.Errorf("the last step lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "TCP connect") {
		t.Errorf("the second visit's waterfall shows a TCP connect (the first visit's):\n%s", out)
	}
	checkFits(t, out, 80, 24)
	// The inspector opened on a step of the second visit shows the second
	// visit's trace, and says so.
	left := tea.KeyMsg{Type: tea.KeyLeft}
	out = tourScreen(t, j, 80, 24, tea.KeyMsg{Type: tea.KeyEnd}, left, left, runes("i"))
	for _, want := range []string{"2nd visit", "304 Not Modified"} {
		if !strings.Contains(out, want) {
			t.Errorf("the inspector on the second visit lacks %q:\n%s", want, out)
		}
	}
	// Left on another stage of the second visit, the tour comes back to
	// the second visit, not to the first's step of that stage.
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, k := range []tea.KeyMsg{{Type: tea.KeyEnd}, left, runes("i"), left, {Type: tea.KeyEsc}} {
		m.Update(k)
	}
	if m.inspecting || !m.tour.onSecond() {
		t.Errorf("back from the second visit's inspector on step %d (%s), not the second visit's", m.tour.cur+1, m.tour.stepAt(m.tour.cur).Title)
	}
	// Opened on a step of the first visit, it shows the first.
	out = tourScreen(t, j, 80, 24, runes("G"), runes("3"), runes("i"))
	if strings.Contains(out, "2nd visit") || strings.Contains(out, "304") {
		t.Errorf("the inspector on the first visit shows the second:\n%s", out)
	}
}

// TestTooSmallIgnoresKeys: while the window is too small to show anything
// but a request for a larger one, keys do nothing (but q): the tour does
// not move unseen.
func TestTooSmallIgnoresKeys(t *testing.T) {
	m := New(context.Background(), Options{Replay: loadJourney(t, "http"), NoColor: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 12})
	for range 5 {
		m.Update(tea.KeyMsg{Type: tea.KeySpace})
	}
	m.Update(runes("i"))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.tour.cur != 0 || m.inspecting {
		t.Errorf("keys acted on a window too small to show them: step %d, inspecting %v", m.tour.cur, m.inspecting)
	}
	if _, cmd := m.Update(runes("q")); cmd == nil {
		t.Error("q does not quit")
	}
}
