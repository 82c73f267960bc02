package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"journey/internal/trace"
)

// labels are the field tree's rows as text.
func labels(m *Model) []string {
	var out []string
	for _, r := range m.insp.tree() {
		out = append(out, strings.Repeat(" ", r.depth)+r.label)
	}
	return out
}

func TestTree(t *testing.T) {
	raw := []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
	ex := &trace.Exchange{Kind: "http", Label: "GET /", Sent: trace.Message{Bytes: []byte("GET / HTTP/1.1\r\n\r\n")},
		Received: trace.Message{Bytes: raw, Fields: []trace.Field{
			{Name: "status line", Offset: 0, Length: 17, Children: []trace.Field{{Name: "status", Value: "200", Offset: 9, Length: 3}}},
			{Name: "body", Offset: 47, Length: 15},
		}}}
	j := &trace.Journey{Stages: []*trace.Stage{
		{Kind: trace.StageAddress, Status: trace.StatusDone, Address: &trace.Address{URL: "http://a.test/", Scheme: "http", Host: "a.test", ASCIIHost: "a.test", Port: 80, Path: "/"}},
		{Kind: trace.StageHTTP, Status: trace.StatusDone, Exchanges: []*trace.Exchange{ex},
			HTTP: &trace.HTTP{Status: 200, Hops: []trace.HTTPHop{{Exchange: 0, Method: "GET", URL: "http://a.test/", Status: 200, Chunked: true, Body: []byte("hello"), DecodedSize: 5}}}},
	}}
	m := New(context.Background(), Options{Replay: j})
	m.Init()
	m.Update(runes("i")) // the inspector
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})

	t.Run("address result open", func(t *testing.T) {
		got := strings.Join(labels(m), "|")
		for _, want := range []string{"result of this stage", "URL: http://a.test/", "port: 80"} {
			if !strings.Contains(got, want) {
				t.Errorf("tree %q lacks %q", got, want)
			}
		}
	})
	t.Run("http messages and decoded body", func(t *testing.T) {
		m.insp.selectStage(1)
		got := labels(m)
		want := []string{"sent · 18 bytes", "received · 62 bytes", " status line", " body", "body, decoded · 5 bytes", "result of this stage"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("tree =\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("expand and select a field", func(t *testing.T) {
		m.insp.focus = focusFields
		m.insp.selectNode(2) // status line
		m.insp.Expand()
		if got := labels(m)[3]; got != "  status: 200" {
			t.Fatalf("after enter, row 3 = %q", got)
		}
		m.Update(keyDown)
		msg, off, n, f := m.insp.current()
		if f == nil || f.Name != "status" || off != 9 || n != 3 || msg == nil || len(msg.Bytes) != len(raw) {
			t.Fatalf("current() = %v %d %d %v", msg != nil, off, n, f)
		}
		m.insp.Expand() // a leaf: nothing happens
		if len(labels(m)) != 7 {
			t.Errorf("enter on a leaf changed the tree: %q", labels(m))
		}
	})
	t.Run("decoded body bytes", func(t *testing.T) {
		m.insp.selectNode(5)
		msg, _, _, _ := m.insp.current()
		if msg == nil || string(msg.Bytes) != "hello" {
			t.Fatalf("decoded body = %v", msg)
		}
	})
}

// TestNestedLookup checks that a lookup made inside the lookup shows in
// the exchanges list at 80x24: indented, marked, its first row naming what
// it looks up, and its explanation saying why.
func TestNestedLookup(t *testing.T) {
	ex := func(depth int, q, label string) *trace.Exchange {
		e := &trace.Exchange{Kind: "dns", Depth: depth, Label: label, Duration: time.Millisecond,
			DNS: &trace.DNSExchange{Question: q, Kind: trace.DNSReferral}}
		if depth > 0 {
			e.DNS.For = "the address of ns1.example.net, a nameserver for example.org. that came without glue"
		}
		return e
	}
	dns := &trace.Stage{Kind: trace.StageDNS, Status: trace.StatusDone, Exchanges: []*trace.Exchange{
		ex(0, "www.example.org. A", "a.root-servers.net: referral to org."),
		ex(1, "ns1.example.net. A", "a.root-servers.net: referral to net."),
		ex(1, "ns1.example.net. A", "a.gtld-servers.net: referral to example.net."),
		ex(0, "www.example.org. A", "ns1.example.net: answer"),
	}}
	j := &trace.Journey{Target: "www.example.org", Mode: trace.ModeLab, Stages: []*trace.Stage{{Kind: trace.StageAddress, Status: trace.StatusDone}, dns}}
	m := New(context.Background(), Options{Replay: j, NoColor: true})
	m.Init()
	m.Update(runes("i")) // the inspector
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(tea.KeyMsg{Type: tea.KeyRight})
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	out := ansi.Strip(m.View())
	want := []string{
		"exchanges 1–3 of 4", // the list is cut, and says so
		" a.root-servers.net: referral to org.",
		" ↳ looking up ns1.example.net. A: a.root-servers.net: referral to net.",
		" ↳ a.gtld-servers.net: referral to example.net.",
		"A lookup inside the lookup: before going on, we need the address of",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("screen lacks %q:\n%s", w, out)
		}
	}
}

// TestInsideTheEncryption: over https, the inspector offers what the
// session's keys read: the handshake's records decrypted, and for the
// request and the response the TLS records that carried them, as on the
// wire and decrypted, each the same length as the wire bytes.
func TestInsideTheEncryption(t *testing.T) {
	j := loadJourney(t, "https")
	for _, tt := range []struct {
		stage trace.StageKind
		kind  string
		want  []string
	}{
		{trace.StageConnect, "tls", []string{"sent", "received", "sent, decrypted", "received, decrypted"}},
		{trace.StageHTTP, "http", []string{"sent", "received", "sent as TLS records", "sent as TLS records, decrypted", "received as TLS records", "received as TLS records, decrypted"}},
	} {
		var ex *trace.Exchange
		for _, e := range j.Stage(tt.stage).Exchanges {
			if e.Kind == tt.kind {
				ex = e
			}
		}
		if ex == nil {
			t.Fatalf("no %s exchange in the https recording", tt.kind)
		}
		msgs, names := item{ex: ex}.messages()
		if strings.Join(names, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: messages %q, want %q", tt.kind, names, tt.want)
			continue
		}
		size := map[string]int{}
		for i, m := range msgs {
			size[names[i]] = len(m.Bytes)
		}
		for name, n := range size {
			if wire, ok := strings.CutSuffix(name, ", decrypted"); ok && n != size[wire] {
				t.Errorf("%s %s: %d bytes, not the %d of the wire", tt.kind, name, n, size[wire])
			}
		}
	}
	// A decrypted view shows what the wire bytes hide: the certificate's
	// name is in the server's decrypted flight, not in its ciphertext.
	for _, e := range j.Stage(trace.StageConnect).Exchanges {
		if e.Kind == "tls" {
			if d := decrypted(e.Received); d == nil || !strings.Contains(string(d.Bytes), "journey lab") || strings.Contains(string(e.Received.Bytes), "journey lab") {
				t.Error("the server's flight decrypted does not show the certificate the ciphertext hides")
			}
		}
	}
}

// TestHeadingShowsItsMessageFromTheStart: selecting a message's heading
// (not one of its fields) shows its bytes from offset 0, not where the
// last field selected had scrolled them.
func TestHeadingShowsItsMessageFromTheStart(t *testing.T) {
	m := New(context.Background(), Options{Replay: loadJourney(t, "https"), NoColor: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(runes("i"))
	m.insp.selectStage(m.insp.stageIndex(trace.StageConnect))
	rows := m.insp.tree()
	heading := -1
	for i, r := range rows {
		if r.field == nil && r.msg >= 0 && strings.HasPrefix(r.label, "received") {
			heading = i
			break
		}
	}
	if heading < 0 {
		t.Fatal("no heading for the received message")
	}
	*m.insp.scroll(focusBytes) = 40 // as a field far in had left it
	m.insp.selectNode(heading)
	if got := *m.insp.scroll(focusBytes); got != 0 {
		t.Errorf("the received message's heading shows its bytes from row %d, not its start", got)
	}
}

// TestSkippedStageSaidOnce: a stage that did not run says why once in the
// explanation, not again as a note (its note is the reason).
func TestSkippedStageSaidOnce(t *testing.T) {
	m := New(context.Background(), Options{Replay: loadJourney(t, "nxdomain"), NoColor: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(runes("i"))
	m.insp.selectStage(m.insp.stageIndex(trace.StageConnect))
	s := m.insp.selected()
	if s == nil || s.Status != trace.StatusSkipped || len(s.Notes) == 0 {
		t.Fatalf("the nxdomain recording's connect stage is not skipped with a reason: %+v", s)
	}
	why := s.Notes[len(s.Notes)-1]
	if n := strings.Count(m.insp.explanation(), why); n != 1 {
		t.Errorf("the reason %q is said %d times:\n%s", why, n, m.insp.explanation())
	}
}
