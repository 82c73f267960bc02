package engine

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"journey/internal/dial"
	"journey/internal/trace"
)

// TestLossNotes: each packet the lab loses on purpose is a note of the
// stage running, the first dozen one by one, then one line for the rest.
func TestLossNotes(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n := &dial.Network{Seed: 1, Loss: 100}
	n.SetLink("192.0.2.1", dial.Link{RTT: time.Millisecond})
	r := &dial.Router{LoopbackOnly: true, Net: n}
	r.Add("udp", "192.0.2.1:53", pc.LocalAddr().String())

	rec := trace.NewRecorder("test", trace.ModeLab, "test", nil, nil)
	rec.StartStage(trace.StageDNS)
	stop := observeLinks(Config{Dialer: r}, rec)
	c, err := r.DialContext(context.Background(), "udp", "192.0.2.1:53")
	if err != nil {
		t.Fatal(err)
	}
	for range maxLossNotes + 5 {
		c.Write([]byte("query"))
	}
	c.Close()
	stop()
	notes := rec.Snapshot().Stage(trace.StageDNS).Notes
	var lost, more int
	for _, note := range notes {
		switch {
		case strings.HasPrefix(note, "Simulated loss (--lab-loss): the lab dropped a 5-byte UDP datagram to 192.0.2.1:53"):
			lost++
		case strings.HasPrefix(note, "More packets were lost"):
			more++
		}
	}
	if lost != maxLossNotes || more != 1 || len(notes) != maxLossNotes+1 {
		t.Errorf("%d losses noted one by one, %d summary lines, %d notes; want %d, 1, %d:\n%s", lost, more, len(notes), maxLossNotes, maxLossNotes+1, strings.Join(notes, "\n"))
	}
	if got := len(n.Events()); got != maxLossNotes+5 {
		t.Errorf("the network kept %d losses, want all %d", got, maxLossNotes+5)
	}
}
