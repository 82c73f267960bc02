package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/safetext"
	"journey/internal/story"
	"journey/internal/trace"
)

// recordedJourneys are the names of every recorded journey.
func recordedJourneys(t testing.TB) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	if len(paths) == 0 {
		t.Fatal("no recorded journeys")
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".json"))
	}
	return names
}

// tourScreen replays j in the tour through teatest at w x h, presses
// keys, quits and returns the last screen before quitting, without ANSI.
func tourScreen(t *testing.T, j *trace.Journey, w, h int, keys ...tea.KeyMsg) string {
	t.Helper()
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, k := range keys {
		tm.Send(k)
	}
	tm.Send(runes("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	return ansi.Strip(fm.frame())
}

// TestTourGolden draws the tour of every recorded journey at 80x24 and
// 160x48 at its key steps: the first, the first of DNS, connect, HTTP and
// the router, and the page.
func TestTourGolden(t *testing.T) {
	keySteps := []struct {
		name  string
		key   tea.KeyMsg
		stage trace.StageKind // the key does something only when the journey has it
	}{
		{"first", tea.KeyMsg{}, ""},
		{"1-dns", runes("1"), trace.StageDNS},
		{"2-connect", runes("2"), trace.StageConnect},
		{"3-http", runes("3"), trace.StageHTTP},
		{"5-router", runes("5"), trace.StageRouter},
		{"last", runes("G"), ""},
	}
	for _, name := range recordedJourneys(t) {
		j := loadJourney(t, name)
		s := story.Build(j)
		for _, sz := range [][2]int{{80, 24}, {160, 48}} {
			for _, ks := range keySteps {
				if ks.stage != "" && s.FirstOf(ks.stage) < 0 {
					continue
				}
				t.Run(fmt.Sprintf("%s/%dx%d/%s", name, sz[0], sz[1], ks.name), func(t *testing.T) {
					var keys []tea.KeyMsg
					if ks.key.Type != 0 || len(ks.key.Runes) > 0 {
						keys = append(keys, ks.key)
					}
					out := tourScreen(t, j, sz[0], sz[1], keys...)
					checkFits(t, out, sz[0], sz[1])
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}

// squeeze drops every space and newline: a wrapped text is found in a
// screen whatever its line breaks.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestTourWalk walks every step of every recorded journey at 80x24 and at
// 250x70, with space as a class would: each step's narration is on the
// screen whole, never cut nor "more lines", each lane's name is shown
// whole (or its role, when the name has no room), and the screen fits.
func TestTourWalk(t *testing.T) {
	for _, name := range recordedJourneys(t) {
		j := loadJourney(t, name)
		for _, sz := range [][2]int{{80, 24}, {250, 70}} {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m := New(context.Background(), Options{Replay: j, NoColor: true})
				m.Init()
				m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				n := m.tour.count()
				if n == 0 {
					t.Fatal("a recorded journey with no steps")
				}
				for i := 0; i < n; i++ {
					if m.tour.cur != i {
						t.Fatalf("step %d after %d spaces", m.tour.cur+1, i)
					}
					st := m.tour.stepAt(i)
					out := ansi.Strip(m.View())
					checkFits(t, out, sz[0], sz[1])
					want := squeeze(terminalSafe(safetext.Text(st.Narration)))
					if !strings.Contains(squeeze(out), want) {
						t.Errorf("step %d (%s): narration cut:\n%s\nscreen:\n%s", i+1, st.Title, st.Narration, out)
					}
					if strings.Contains(out, "more lines") && st.Page == nil {
						t.Errorf("step %d (%s): a \"more lines\" hint:\n%s", i+1, st.Title, out)
					}
					head := strings.Join(m.tour.layout().board.nameRows(sz[0]), "\n")
					for _, l := range m.tour.layout().board.lanes {
						if !strings.Contains(head, l.name) && !strings.Contains(head, l.short) {
							t.Errorf("step %d: lane %q cut past recognition:\n%s", i+1, l.name, head)
						}
					}
					m.Update(runes(" "))
				}
				if m.tour.cur != n-1 {
					t.Errorf("space past the last step moved to %d of %d", m.tour.cur+1, n)
				}
			})
		}
	}
}

// TestTourKeys presses each key of the tour on a replayed journey.
func TestTourKeys(t *testing.T) {
	j := loadJourney(t, "http")
	s := story.Build(j)
	last := len(s.Steps) - 1
	tests := []struct {
		name string
		keys []tea.KeyMsg
		want int
	}{
		{"opens on step 1", nil, 0},
		{"space", []tea.KeyMsg{runes(" ")}, 1},
		{"right", []tea.KeyMsg{{Type: tea.KeyRight}, {Type: tea.KeyRight}}, 2},
		{"l", []tea.KeyMsg{runes("l")}, 1},
		{"left", []tea.KeyMsg{runes(" "), runes(" "), {Type: tea.KeyLeft}}, 1},
		{"h stops at the first", []tea.KeyMsg{runes("h")}, 0},
		{"G", []tea.KeyMsg{runes("G")}, last},
		{"end", []tea.KeyMsg{{Type: tea.KeyEnd}}, last},
		{"g", []tea.KeyMsg{runes("G"), runes("g")}, 0},
		{"home", []tea.KeyMsg{runes("G"), {Type: tea.KeyHome}}, 0},
		{"space past the last", []tea.KeyMsg{runes("G"), runes(" ")}, last},
		{"1: DNS", []tea.KeyMsg{runes("1")}, s.FirstOf(trace.StageDNS)},
		{"3: HTTP", []tea.KeyMsg{runes("3")}, s.FirstOf(trace.StageHTTP)},
		{"4: gateway", []tea.KeyMsg{runes("4")}, s.FirstOf(trace.StageGateway)},
		{"5: router", []tea.KeyMsg{runes("5")}, s.FirstOf(trace.StageRouter)},
		{"0: the address", []tea.KeyMsg{runes("5"), runes("0")}, 0},
		{"j scrolls, does not walk", []tea.KeyMsg{runes("j")}, 0},
		{"i and back keeps the step", []tea.KeyMsg{runes("3"), runes("i"), runes("i")}, s.FirstOf(trace.StageHTTP)},
		{"tab and esc keeps the step", []tea.KeyMsg{runes("1"), runes(" "), keyTab, {Type: tea.KeyEsc}}, s.FirstOf(trace.StageDNS) + 1},
		{"a stage moved to in the inspector", []tea.KeyMsg{runes("i"), {Type: tea.KeyRight}, {Type: tea.KeyRight}, {Type: tea.KeyRight}, runes("i")}, s.FirstOf(trace.StageHTTP)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(context.Background(), Options{Replay: j, NoColor: true})
			m.Init()
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			for _, k := range tt.keys {
				m.Update(k)
			}
			if m.inspecting {
				t.Fatal("still in the inspector")
			}
			if m.tour.cur != tt.want {
				t.Errorf("on step %d, want %d", m.tour.cur, tt.want)
			}
		})
	}
	t.Run("i opens the inspector on the step's exchange", func(t *testing.T) {
		m := New(context.Background(), Options{Replay: j, NoColor: true})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		for _, k := range []tea.KeyMsg{runes("1"), runes(" "), runes(" "), runes(" "), runes("i")} {
			m.Update(k)
		}
		st := m.tour.stepAt(m.tour.cur)
		it, ok := m.insp.selectedItem()
		if !m.inspecting || !ok || it.ex != st.Exchange || m.insp.selected().Kind != st.Stage {
			t.Errorf("inspector on %v item %d, want the exchange of step %q", m.insp.selected().Kind, m.insp.item, st.Title)
		}
	})
	t.Run("the wheel walks the steps", func(t *testing.T) {
		m := New(context.Background(), Options{Replay: j, NoColor: true})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		for _, b := range []tea.MouseButton{tea.MouseButtonWheelDown, tea.MouseButtonWheelDown, tea.MouseButtonWheelUp} {
			m.Update(tea.MouseMsg{Button: b, Action: tea.MouseActionPress})
		}
		if m.tour.cur != 1 {
			t.Errorf("on step %d after the wheel down, down, up", m.tour.cur)
		}
	})
	t.Run("z zooms the ladder and the page", func(t *testing.T) {
		m := New(context.Background(), Options{Replay: j, NoColor: true})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		m.Update(runes("z"))
		out := ansi.Strip(m.View())
		if !m.tour.zoom || strings.Contains(out, "Before anything is sent") {
			t.Errorf("z: the ladder does not fill the window:\n%s", out)
		}
		m.Update(runes("z"))
		m.Update(runes("G"))
		m.Update(runes("z"))
		// The last step, where the time went, zooms its waterfall.
		if out := ansi.Strip(m.View()); !strings.Contains(out, "waterfall") || !strings.Contains(out, "TCP connect") {
			t.Errorf("z on where the time went: %s", out)
		}
		checkFits(t, ansi.Strip(m.View()), 80, 24)
		m.Update(runes("z"))
		m.Update(runes("h")) // back one step: the page
		m.Update(runes("z"))
		if out := ansi.Strip(m.View()); !strings.Contains(out, "the page") {
			t.Errorf("z on the page: %s", out)
		}
		checkFits(t, ansi.Strip(m.View()), 80, 24)
	})
	t.Run("r returns to the same step", func(t *testing.T) {
		start := func(context.Context, trace.Gate) <-chan trace.Event {
			ch := make(chan trace.Event, 1)
			ch <- trace.Event{Kind: trace.EventJourneyDone, Journey: j}
			close(ch)
			return ch
		}
		m := New(context.Background(), Options{Start: start, NoColor: true})
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		drive(m, m.Init())
		m.Update(runes("3"))
		at := m.tour.cur
		m.Update(runes(" "))
		at++
		drive(m, m.startRun())
		if m.runID != 2 || m.tour.cur != at {
			t.Errorf("after r: run %d on step %d, want run 2 on step %d", m.runID, m.tour.cur, at)
		}
	})
}

// drive runs cmd and the commands its messages lead to, as the program
// would, until none is left (the spinner's ticks are dropped).
func drive(m *Model, cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case nil:
			continue
		case runStartedMsg, eventMsg, runEndedMsg, sendMsg:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// termWidth is a row's width as a terminal may draw it: the width
// function's, plus one cell for each format character it counts as none.
func termWidth(s string) int {
	n := ansi.StringWidth(s)
	for _, r := range ansi.Strip(s) {
		if unicode.Is(unicode.Cf, r) {
			n++
		}
	}
	return n
}

// TestHostileWidth walks a journey whose outside strings carry format
// characters a terminal draws one cell wide (soft hyphen, zero-width
// space, a tag character): no row of the tour or the inspector is wider
// than the window, however the terminal counts them.
func TestHostileWidth(t *testing.T) {
	const cf = "\u00ad\u200b\U000e0001\u0600\u2060"
	j := loadJourney(t, "http")
	jj := *j
	jj.Target = "www.ex" + cf + "ample.com" + cf
	jj.Stages = nil
	for _, s := range j.Stages {
		c := *s
		c.Exchanges = nil
		for _, e := range s.Exchanges {
			ec := *e
			ec.Label += cf + cf
			ec.Peer.Name = cf + ec.Peer.Name + cf
			ec.Outcome += cf
			ec.Received.Bytes = append(append([]byte{}, ec.Received.Bytes...), []byte(strings.Repeat(cf, 40))...)
			c.Exchanges = append(c.Exchanges, &ec)
		}
		c.Notes = append(append([]string{}, c.Notes...), cf+cf+cf)
		jj.Stages = append(jj.Stages, &c)
	}
	for _, sz := range [][2]int{{80, 24}, {160, 48}, {50, 14}} {
		m := New(context.Background(), Options{Replay: &jj, NoColor: true})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		check := func(where string) {
			t.Helper()
			for i, row := range strings.Split(m.View(), "\n") {
				if n := termWidth(row); n > sz[0] {
					t.Fatalf("%dx%d %s: row %d is %d cells on a terminal that draws format characters: %q", sz[0], sz[1], where, i, n, ansi.Strip(row))
				}
			}
		}
		for i := 0; i < m.tour.count(); i++ {
			check(fmt.Sprintf("step %d", i+1))
			m.Update(runes(" "))
		}
		m.Update(runes("i"))
		for _, k := range []tea.KeyMsg{{}, {Type: tea.KeyRight}, keyTab, keyDown, keyDown, keyX, {Type: tea.KeyRight}, {Type: tea.KeyRight}, keyTab, keyTab} {
			m.Update(k)
			check("inspector")
		}
	}
}

// BenchmarkTourView draws the tour's frames on the response step of a
// journey whose body is 1 MiB (its bytes strip reads the 1 MiB), and
// while moving between steps: the aim is well under 2 ms a frame.
func BenchmarkTourView(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {250, 70}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(context.Background(), Options{Replay: bigJourney(1 << 20)})
			m.Init()
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			resp := -1
			for i := 0; i < m.tour.count(); i++ {
				if m.tour.stepAt(i).Kind == story.KindResponse {
					resp = i
				}
			}
			if resp < 0 || len(m.tour.stepAt(resp).Bytes) < 1<<20 {
				b.Fatal("no response step with the 1 MiB body")
			}
			m.tour.setCur(resp)
			m.View()
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				m.View()
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkFirstFrame is the time from the model's creation to its first
// frame, for the largest recorded journey replayed: the TUI's own share of
// the time to the first frame (the program's start and the terminal's
// are measured in package cli's TestTUIExitStatus).
func BenchmarkFirstFrame(b *testing.B) {
	var largest string
	var size int64
	for _, n := range recordedJourneys(b) {
		if fi, err := os.Stat(filepath.Join(journeysDir, n+".json")); err == nil && fi.Size() > size {
			largest, size = n, fi.Size()
		}
	}
	j := loadJourney(b, largest)
	cpu := cpuTime()
	defer func() { reportCPU(b, cpu) }()
	for b.Loop() {
		m := New(context.Background(), Options{Replay: j})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		m.View()
	}
}

// TestTourStepLab runs a real lab journey in step mode, as a class walks
// it: the first packet waits until space; once sent, the tour shows the
// reply while the next packet waits, and nothing more leaves until space.
func TestTourStepLab(t *testing.T) {
	m := New(t.Context(), Options{Start: labStart(t, "www.example.com"), Step: true, NoColor: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitScreen := func(want string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(ansi.Strip(string(b)), want) },
			teatest.WithDuration(10*time.Second))
	}
	waitScreen("walks to it") // the address shown, and the first packet waiting
	tm.Send(runes(" "))
	waitScreen("space sends it")
	time.Sleep(100 * time.Millisecond) // time enough for a packet sent early to come back
	tm.Send(runes(" "))                // sends the first query
	waitScreen("referral to com")
	time.Sleep(100 * time.Millisecond)
	tm.Send(runes("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	sent := 0
	for _, e := range fm.journey.Stage(trace.StageDNS).Exchanges {
		if !e.Failed() {
			sent++
		}
	}
	if sent != 1 {
		t.Fatalf("%d DNS exchanges answered after one packet was let go, want 1", sent)
	}
	st := fm.tour.stepAt(fm.tour.cur)
	if st == nil || st.Kind != story.KindReply {
		t.Errorf("the tour is on %+v, want the reply", st)
	}
	// Quitting cancels the packet still waiting, and the engine may record
	// it as not sent before the program stops: only that it was waiting is
	// checked here (the sends are counted above).
	if fm.pending == nil {
		t.Error("the next packet is not waiting")
	}
}

// ladderRow is an arrow's row of the ladder: its time, then the lanes.
var ladderRow = regexp.MustCompile(`(?m)^[ ▸] *([0-9.]+ ms|…) [│├●┤◀]`)

// TestTourPacedReplay checks journey replay --step: a recording shown one
// step at a time, each revealed by space, the ladder never ahead of the
// class, and the last step staying once reached.
func TestTourPacedReplay(t *testing.T) {
	j := loadJourney(t, "http")
	m := New(context.Background(), Options{Replay: j, Step: true, NoColor: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	n := m.tour.count()
	for i := 0; i < n; i++ {
		if got := m.tour.visible(); got != i+1 {
			t.Fatalf("after %d spaces %d steps drawn, want %d", i, got, i+1)
		}
		out := ansi.Strip(m.View())
		if rows := len(ladderRow.FindAllString(out, -1)); rows > i+1 {
			t.Fatalf("%d arrows drawn on step %d: the ladder is ahead of the class:\n%s", rows, i+1, out)
		}
		m.Update(runes(" "))
	}
	m.Update(runes(" "))
	if m.tour.cur != n-1 || m.tour.visible() != n {
		t.Errorf("after the last step: on %d of %d, %d drawn", m.tour.cur+1, n, m.tour.visible())
	}
	m.Update(runes("g"))
	m.Update(runes("5"))
	if s := story.Build(j); m.tour.cur != s.FirstOf(trace.StageRouter) {
		t.Errorf("5 in a paced replay: step %d", m.tour.cur)
	}
}

// TestTourStepServer runs a lab journey in step mode with the web server
// held for the class: after the request leaves, the server waits before
// the gateway reads it and before the response leaves, each wait longer
// than the client's --timeout, and the journey still completes with the
// server's time, not the class's, as its time to first byte.
func TestTourStepServer(t *testing.T) {
	const timeout = 300 * time.Millisecond
	start := labStartWith(t, "www.example.com/articles/2024/", func(c *engine.Config, l *lab.Lab) {
		c.HoldServer = l.HoldServer
		c.Timeout = timeout
	})
	m := New(t.Context(), Options{Start: start, Step: true, NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	seen := map[trace.StageKind]bool{}
	p := newPump(t, m, m.Init())
	p.until(func() bool {
		if pd := m.pending; pd != nil {
			if pd.Stage == trace.StageGateway || pd.Stage == trace.StageRouter {
				seen[pd.Stage] = true
				time.Sleep(timeout * 3 / 2) // the class reads longer than the client's timeout
			}
			m.Update(sendMsg{p: pd})
		}
		return !m.running
	})
	fm := m
	if !seen[trace.StageGateway] || !seen[trace.StageRouter] {
		t.Errorf("the server waited at %v, want before the gateway and before the response", seen)
	}
	j := fm.journey
	if j == nil || j.Error != "" {
		t.Fatalf("the journey failed: %+v", j)
	}
	h := j.Stage(trace.StageHTTP)
	if h == nil || h.HTTP == nil || len(h.HTTP.Hops) == 0 {
		t.Fatal("no HTTP hop")
	}
	if ttfb := h.HTTP.Hops[0].Timing.TTFB; ttfb >= timeout {
		t.Errorf("time to first byte %v: the class's pause counted as the server's time", ttfb)
	}
	g := j.Stage(trace.StageGateway)
	if g == nil || g.Status != trace.StatusDone || g.Start < h.HTTP.Hops[0].Timing.WriteStart {
		t.Errorf("the gateway stage %+v does not start after the request was written", g)
	}
}

// TestTourStepServerInOrder walks a held server in step mode as a class
// does: the request is a step of its own as soon as it leaves; while the
// response waits to leave, the server's side (the read, the view, the
// response written) is already in the story and the response is not; and
// after each of the server's waits the tour lands on the step in its
// place, the gateway's read, then the response, not on the one after.
func TestTourStepServerInOrder(t *testing.T) {
	start := labStartWith(t, "www.example.com/articles/2024/", func(c *engine.Config, l *lab.Lab) {
		c.HoldServer = l.HoldServer
	})
	m := New(t.Context(), Options{Start: start, Step: true, NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	kinds := func() map[story.Kind]bool {
		set := map[story.Kind]bool{}
		for _, st := range m.tour.story.Steps {
			set[st.Kind] = true
		}
		return set
	}
	atWait := map[trace.StageKind]map[story.Kind]bool{}
	landed := map[trace.StageKind]story.Kind{}
	var let trace.StageKind // the server's wait just let go
	p := newPump(t, m, m.Init())
	space := tea.KeyMsg{Type: tea.KeySpace}
	// walk presses space as a class does, until a packet leaves or there
	// is nothing more to reveal for now.
	walk := func() {
		for m.running && m.tour.sentAt < 0 {
			if pd := m.pending; pd != nil && m.tour.isPending(m.tour.cur) {
				if pd.Stage == trace.StageGateway || pd.Stage == trace.StageRouter {
					atWait[pd.Stage] = kinds()
					let = pd.Stage
				}
				p.key(space)
				return
			}
			before := m.tour.cur
			p.key(space)
			if m.tour.cur == before {
				return
			}
		}
	}
	walk()
	p.until(func() bool {
		if let != "" && m.tour.sentAt < 0 {
			// What came back is in: where the tour stands now.
			if st := m.tour.stepAt(m.tour.cur); st != nil {
				landed[let] = st.Kind
			}
			let = ""
		}
		walk()
		return !m.running
	})
	for _, tt := range []struct {
		wait       trace.StageKind
		has, hasNo []story.Kind
		landOn     story.Kind
	}{
		{trace.StageGateway, []story.Kind{story.KindRequest}, []story.Kind{story.KindRead, story.KindResponse}, story.KindRead},
		{trace.StageRouter, []story.Kind{story.KindRequest, story.KindRead, story.KindView, story.KindWrite}, []story.Kind{story.KindResponse}, story.KindResponse},
	} {
		got, ok := atWait[tt.wait]
		if !ok {
			t.Errorf("the server never waited at %s", tt.wait)
			continue
		}
		for _, k := range tt.has {
			if !got[k] {
				t.Errorf("while the server waits at %s, the story has no %s step", tt.wait, k)
			}
		}
		for _, k := range tt.hasNo {
			if got[k] {
				t.Errorf("while the server waits at %s, the story already has a %s step", tt.wait, k)
			}
		}
		if landed[tt.wait] != tt.landOn {
			t.Errorf("after the wait at %s the tour is on a %q step, want %q", tt.wait, landed[tt.wait], tt.landOn)
		}
	}
}

// TestTourStepNeverGoesBack walks a lossy lab in step mode with space, as
// a class does: a packet sent stays a step while what answers it is
// awaited (a lost DNS question waits its whole timeout, a lost SYN a
// second), so the step counter never goes down.
func TestTourStepNeverGoesBack(t *testing.T) {
	start := labStartOn(t, lab.Options{Latency: 0, Loss: 30, Seed: 1}, "www.example.com", func(c *engine.Config, l *lab.Lab) {
		c.HoldServer = l.HoldServer
	})
	m := New(t.Context(), Options{Start: start, Step: true, NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	p := newPump(t, m, m.Init())
	space := tea.KeyMsg{Type: tea.KeySpace}
	shown, sends := 0, 0
	check := func() {
		if v := m.tour.visible(); v < shown {
			t.Fatalf("the tour went back from %d steps to %d (step %d, sent at %d)", shown, v, m.tour.cur+1, m.tour.sentAt)
		} else {
			shown = v
		}
	}
	// walk presses space until a packet leaves or nothing moves.
	walk := func() {
		for m.running && m.tour.sentAt < 0 {
			if m.pending != nil && m.tour.isPending(m.tour.cur) {
				sends++
				p.key(space)
				check()
				return
			}
			before := m.tour.cur
			p.key(space)
			check()
			if m.tour.cur == before {
				return
			}
		}
	}
	walk()
	p.until(func() bool {
		check()
		walk()
		return !m.running
	})
	if sends < 5 {
		t.Errorf("only %d packets sent: the walk did not get far", sends)
	}
}

// pump runs a model as the program would, on the test's goroutine: the
// commands run in the background and their messages come back to Update
// here, so the test reads the model between messages without a race.
type pump struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
}

func newPump(t *testing.T, m *Model, first tea.Cmd) *pump {
	p := &pump{t: t, m: m, msgs: make(chan tea.Msg, 16)}
	p.run(first)
	return p
}

func (p *pump) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				p.run(c)
			}
		case runStartedMsg, eventMsg, runEndedMsg, sendMsg:
			p.msgs <- msg
		}
	}()
}

// until handles messages until done, checked after each, says so.
func (p *pump) until(done func() bool) {
	p.t.Helper()
	timer := time.After(10 * time.Second)
	for !done() {
		select {
		case msg := <-p.msgs:
			_, cmd := p.m.Update(msg)
			p.run(cmd)
		case <-timer:
			p.t.Fatalf("gave up waiting (run %d, step %d, want %d, pending %v); the screen:\n%s", p.m.runID, p.m.tour.cur, p.m.tour.want, p.m.pending != nil, ansi.Strip(p.m.View()))
		}
	}
}

// key presses k and runs what it leads to.
func (p *pump) key(k tea.KeyMsg) {
	_, cmd := p.m.Update(k)
	p.run(cmd)
}

// TestTourStepRerun checks r in step mode: the new run comes back to the
// step the class was on, letting the packets before it go without waiting,
// and then waits again.
func TestTourStepRerun(t *testing.T) {
	m := New(t.Context(), Options{Start: labStart(t, "www.example.com"), Step: true, NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	p := newPump(t, m, m.Init())
	// Walk to the fifth step (the second referral) as a class would.
	for m.tour.cur < 4 {
		p.until(func() bool { return m.pending != nil })
		if pd := m.pending; m.tour.isPending(m.tour.cur) {
			p.key(runes(" ")) // sends it
			p.until(func() bool { return m.pending != pd })
		} else {
			p.key(runes(" "))
		}
	}
	p.until(func() bool { return m.pending != nil })
	want := m.tour.stepAt(m.tour.cur).ID
	at := m.tour.cur
	p.run(m.startRun()) // r
	p.until(func() bool { return m.runID == 2 && m.pending != nil && m.tour.want < 0 })
	if m.tour.cur != at || m.tour.stepAt(at).ID != want {
		t.Errorf("after r: on step %d (%s), want %d (%s)", m.tour.cur, m.tour.stepAt(m.tour.cur).ID, at, want)
	}
	answered := 0
	for _, e := range m.journey.Stage(trace.StageDNS).Exchanges {
		if !e.Failed() {
			answered++
		}
	}
	if answered != 2 {
		t.Errorf("%d DNS exchanges in the new run, want the 2 up to the step", answered)
	}
	// r twice in a row: the second comes while the first run is still
	// catching up, and the tour still comes back to the same step.
	p.run(m.startRun())
	p.until(func() bool { return m.runID == 3 && m.tour.want >= 0 && m.tour.cur > 0 && m.tour.cur < at })
	p.run(m.startRun())
	p.until(func() bool { return m.runID == 4 && m.pending != nil && m.tour.want < 0 })
	if m.tour.cur != at || m.tour.stepAt(at).ID != want {
		t.Errorf("after r twice: on step %d (%s), want %d (%s)", m.tour.cur, m.tour.stepAt(m.tour.cur).ID, at, want)
	}
}
