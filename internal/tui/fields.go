package tui

import (
	"fmt"
	"strconv"
	"strings"

	"journey/internal/safetext"
	"journey/internal/trace"
)

// item is one row of the exchanges pane: an exchange, or in step mode the
// packet waiting to leave.
type item struct {
	ex   *trace.Exchange
	pend *trace.Pending
}

// items are the selected stage's exchanges, then the pending packet if it
// belongs to that stage.
func (m *Inspector) items() []item {
	s := m.selected()
	if s == nil {
		return nil
	}
	out := make([]item, 0, len(s.Exchanges)+1)
	for _, e := range s.Exchanges {
		out = append(out, item{ex: e})
	}
	if m.pending != nil && m.pending.Stage == s.Kind {
		out = append(out, item{pend: m.pending})
	}
	return out
}

func (m *Inspector) selected() *trace.Stage {
	if m.journey == nil || m.stage < 0 || m.stage >= len(m.journey.Stages) {
		return nil
	}
	return m.journey.Stages[m.stage]
}

func (m *Inspector) selectedItem() (item, bool) {
	its := m.items()
	if m.item < 0 || m.item >= len(its) {
		return item{}, false
	}
	return its[m.item], true
}

// messages are the item's directions: sent and received, or the one
// packet about to be sent.
func (it item) messages() ([]trace.Message, []string) {
	if it.pend != nil {
		return []trace.Message{{Bytes: it.pend.Bytes, Fields: it.pend.Fields}}, []string{"about to send"}
	}
	if it.ex == nil {
		return nil, nil
	}
	msgs, names := []trace.Message{it.ex.Sent, it.ex.Received}, []string{"sent", "received"}
	// Inside the encryption: what journey's own session keys read in the
	// records (a TLS handshake's encrypted part), and for a request or
	// response over TLS the records that carried it, as on the wire.
	for _, m := range []struct {
		msg  trace.Message
		name string
	}{{it.ex.Sent, "sent"}, {it.ex.Received, "received"}} {
		if d := decrypted(m.msg); d != nil {
			msgs, names = append(msgs, *d), append(names, m.name+", decrypted")
		}
		if r := m.msg.Records; r != nil && len(r.Bytes) > 0 {
			msgs, names = append(msgs, *r), append(names, m.name+" as TLS records")
			if d := decrypted(*r); d != nil {
				msgs, names = append(msgs, *d), append(names, m.name+" as TLS records, decrypted")
			}
		}
	}
	return msgs, names
}

// decrypted is m with each record's plaintext over its ciphertext, the
// same fields at the same offsets, or nil when nothing was decrypted.
func decrypted(m trace.Message) *trace.Message {
	if len(m.Decrypted) == 0 || len(m.Decrypted) != len(m.Bytes) {
		return nil
	}
	return &trace.Message{Bytes: m.Decrypted, Fields: m.Fields}
}

// messages are the item's messages, and for an HTTP response whose body
// was chunked or compressed, the body as decoded.
func (m *Inspector) messages(it item) ([]trace.Message, []string) {
	msgs, names := it.messages()
	s := m.selected()
	if it.ex == nil || s == nil || s.HTTP == nil {
		return msgs, names
	}
	for _, hop := range s.HTTP.Hops {
		if hop.Exchange >= 0 && hop.Exchange < len(s.Exchanges) && s.Exchanges[hop.Exchange] == it.ex && hop.Body != nil {
			dropped := max(0, hop.DecodedSize-int64(len(hop.Body)))
			msgs = append(msgs, trace.Message{Bytes: hop.Body, Dropped: dropped})
			names = append(names, "body, decoded")
		}
	}
	return msgs, names
}

// id names the item for the tree's open/closed memory.
func (it item) id() string {
	switch {
	case it.pend != nil:
		return fmt.Sprintf("p%p", it.pend)
	case it.ex != nil:
		return fmt.Sprintf("e%p", it.ex)
	}
	return "none"
}

// node is one visible row of the field tree.
type node struct {
	label string // safe to print
	depth int
	msg   int // which message's bytes
	off   int
	n     int
	field *trace.Field // nil for a message's root row
	kids  bool
	key   string
	shut  bool // starts closed though it is not a field
}

// isOpen: message rows start open, fields with children closed.
func (m *Inspector) isOpen(n node) bool {
	if v, ok := m.open[n.key]; ok {
		return v
	}
	return n.field == nil && !n.shut
}

// tree is the field tree of the selected item, flattened to the rows
// that are visible with the current open/closed state.
func (m *Inspector) tree() []node {
	it, _ := m.selectedItem()
	c := &m.cache
	if c.treeOK && c.treeStage == m.selected() && c.treeItem == it {
		return c.tree
	}
	c.tree, c.treeStage, c.treeItem, c.treeOK = m.buildTree(it), m.selected(), it, true
	return c.tree
}

// buildTree flattens the tree of it; tree caches it until the selection,
// the trace or an open/closed state changes.
func (m *Inspector) buildTree(it item) []node {
	msgs, names := m.messages(it)
	base := it.id()
	var rows []node
	var walk func(fs []trace.Field, depth, msg int, key string)
	walk = func(fs []trace.Field, depth, msg int, key string) {
		for i := range fs {
			f := &fs[i]
			k := key + "/" + strconv.Itoa(i)
			label := safetext.Line(f.Name)
			if f.Value != "" {
				label += ": " + safetext.Line(f.Value)
			}
			n := node{label: label, depth: depth, msg: msg, off: f.Offset, n: f.Length, field: f, kids: len(f.Children) > 0, key: k}
			rows = append(rows, n)
			if n.kids && m.isOpen(n) {
				walk(f.Children, depth+1, msg, k)
			}
		}
	}
	for i, msg := range msgs {
		label := fmt.Sprintf("%s · %d bytes", names[i], msg.Size())
		if msg.Dropped > 0 {
			label += fmt.Sprintf(" (%d kept)", len(msg.Bytes))
		}
		n := node{label: label, msg: i, kids: len(msg.Fields) > 0, key: base + "/" + strconv.Itoa(i)}
		rows = append(rows, n)
		if n.kids && m.isOpen(n) {
			walk(msg.Fields, 1, i, n.key)
		}
	}
	// The stage's result, with no bytes behind it (msg -1). It starts
	// open when there is no exchange to show.
	if res := resultFields(m.selected()); len(res) > 0 {
		n := node{label: "result of this stage", msg: -1, kids: true, key: fmt.Sprintf("result/%p", m.selected()), shut: hasBytes(msgs)}
		rows = append(rows, n)
		if m.isOpen(n) {
			walk(res, 1, -1, n.key)
		}
	}
	return rows
}

// current is the message the bytes pane shows and the range of the
// selected field in it (n is 0 when a whole message is selected).
func (m *Inspector) current() (msg *trace.Message, off, n int, f *trace.Field) {
	it, _ := m.selectedItem()
	rows := m.tree()
	if m.node >= 0 && m.node < len(rows) {
		return m.nodeMessage(rows[m.node])
	}
	msgs, _ := m.messages(it)
	if len(msgs) == 0 {
		return nil, 0, 0, nil
	}
	return &msgs[0], 0, 0, nil
}

// textual reports whether the selected item is text (HTTP, the server's
// side) rather than a binary protocol; x shows the other form.
func (m *Inspector) textual() bool {
	text := false
	if it, ok := m.selectedItem(); ok {
		switch {
		case it.pend != nil:
			text = it.pend.Stage == trace.StageHTTP || it.pend.Transport == trace.TransportProcess
		case it.ex != nil:
			text = it.ex.Kind == "http" || it.ex.Transport == trace.TransportProcess
		}
		if s := m.selected(); s != nil && (s.Kind == trace.StageHTTP || s.Kind == trace.StageGateway || s.Kind == trace.StageRouter) && (it.ex == nil || it.ex.Kind != "tls") {
			text = true
		}
		// The TLS records that carried a request or response are binary,
		// encrypted or not (their headers and tags are not text).
		if rows := m.tree(); m.node >= 0 && m.node < len(rows) && rows[m.node].msg >= 0 {
			if _, names := m.messages(it); rows[m.node].msg < len(names) && strings.Contains(names[rows[m.node].msg], "TLS records") {
				text = false
			}
		}
	}
	return text != m.flip
}

// nodeMessage is the message a tree row belongs to.
func (m *Inspector) nodeMessage(r node) (msg *trace.Message, off, n int, f *trace.Field) {
	it, _ := m.selectedItem()
	msgs, _ := m.messages(it)
	if r.msg < 0 {
		// A result row has no bytes: the pane keeps the exchange's first
		// message in view, nothing highlighted.
		for i := range msgs {
			if len(msgs[i].Bytes) > 0 {
				return &msgs[i], 0, 0, r.field
			}
		}
		return nil, 0, 0, r.field
	}
	if r.msg >= len(msgs) {
		return nil, 0, 0, nil
	}
	return &msgs[r.msg], r.off, r.n, r.field
}

// hasBytes reports whether any of msgs kept a byte: a TCP connect has
// none of its own (the kernel sends SYN and ACK), so its result is shown.
func hasBytes(msgs []trace.Message) bool {
	for _, m := range msgs {
		if len(m.Bytes) > 0 {
			return true
		}
	}
	return false
}
