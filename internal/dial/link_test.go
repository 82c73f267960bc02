package dial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"syscall"
	"testing"
	"time"
)

// echoServer accepts TCP connections on loopback, through n's listener,
// and writes back every byte it reads.
func echoServer(t *testing.T, n *Network) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	wrapped := n.Listener(ln)
	go func() {
		for {
			c, err := wrapped.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln
}

// udpEcho answers every datagram with itself, after the link's travel.
func udpEcho(t *testing.T, n *Network) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			lost, due := n.Reply("udp", from, k, 0)
			if !lost {
				time.Sleep(time.Until(due))
				pc.WriteTo(buf[:k], from)
			}
		}
	}()
	return pc
}

// linked is a Router carrying "192.0.2.1" across a link of rtt to real.
func linked(n *Network, network, real string, rtt time.Duration) *Router {
	r := &Router{LoopbackOnly: true, Net: n}
	r.Add(network, "192.0.2.1:7", real)
	n.SetLink("192.0.2.1", Link{RTT: rtt})
	return r
}

// grace is how late a delay may end here: these tests check that each
// delay is paid; internal/lab's measure how closely (a busy machine under
// -race wakes timers tens of milliseconds late).
const grace = 250 * time.Millisecond

// TestLinkDelays: a TCP connect takes one round trip, and a segment and
// its echo another; a datagram and its reply one.
func TestLinkDelays(t *testing.T) {
	const rtt = 30 * time.Millisecond
	ctx := context.Background()
	n := &Network{}
	ln := echoServer(t, n)
	r := linked(n, "tcp", ln.Addr().String(), rtt)
	start := time.Now()
	c, err := r.DialContext(ctx, "tcp", "192.0.2.1:7")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if took := time.Since(start); took < rtt || took > rtt+grace {
		t.Errorf("TCP connect took %s across a %s link", took, rtt)
	}
	start = time.Now()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Millisecond {
		t.Errorf("a write waited %s: the link should take it at once, as a socket buffer does", took)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < rtt || took > rtt+grace {
		t.Errorf("echo took %s across a %s link", took, rtt)
	}

	pc := udpEcho(t, n)
	r.Add("udp", "192.0.2.1:7", pc.LocalAddr().String())
	u, err := r.DialContext(ctx, "udp", "192.0.2.1:7")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, ok := u.(net.PacketConn); !ok {
		t.Error("a UDP socket across a link is not a net.PacketConn")
	}
	start = time.Now()
	u.Write([]byte("ping"))
	u.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := u.Read(buf); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < rtt || took > rtt+grace {
		t.Errorf("UDP round trip took %s across a %s link", took, rtt)
	}
}

// TestLinkCloseDelivers: what was written before Close still arrives, and
// a write after Close fails.
func TestLinkCloseDelivers(t *testing.T) {
	n := &Network{}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(c)
		got <- b
	}()
	r := linked(n, "tcp", ln.Addr().String(), 10*time.Millisecond)
	c, err := r.DialContext(context.Background(), "tcp", "192.0.2.1:7")
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello, "))
	c.Write([]byte("world"))
	c.Close()
	if _, err := c.Write([]byte("late")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after Close: %v", err)
	}
	select {
	case b := <-got:
		if string(b) != "hello, world" {
			t.Errorf("the server read %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server never saw the end of the connection")
	}
}

// lossRun sends count datagrams across a lossy link and returns what the
// network lost.
func lossRun(t *testing.T, n *Network, r *Router, count int) []Event {
	t.Helper()
	n.Begin(nil)
	for range count {
		u, err := r.DialContext(context.Background(), "udp", "192.0.2.1:7")
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 16)
		for range 3 {
			u.Write([]byte("ping"))
			// Wait for the reply, or long enough to know it was lost, so
			// the replies' fate is drawn before the events are read.
			u.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			u.Read(buf)
		}
		u.Close()
	}
	return n.Events()
}

// TestLossRepeats: the same seed loses the same packets; another seed
// others.
func TestLossRepeats(t *testing.T) {
	n := &Network{Seed: 42, Loss: 30}
	pc := udpEcho(t, n)
	r := linked(n, "udp", pc.LocalAddr().String(), time.Millisecond)
	first := lossRun(t, n, r, 10)
	second := lossRun(t, n, r, 10)
	if len(first) == 0 {
		t.Fatal("30% loss over 30 datagrams and their replies lost none")
	}
	if !slices.Equal(first, second) {
		t.Errorf("the same seed lost different packets:\n%+v\n%+v", brief(first), brief(second))
	}
	n.Seed = 43
	if other := lossRun(t, n, r, 10); slices.Equal(first, other) {
		t.Error("another seed lost the same packets")
	}
}

// TestLostSYN: a lost SYN costs the initial retransmission timeout, and
// the event says so.
func TestLostSYN(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a second for a retransmission")
	}
	n := &Network{Seed: 1, Loss: 100}
	ln := echoServer(t, n)
	r := linked(n, "tcp", ln.Addr().String(), 10*time.Millisecond)
	var seen []Event
	n.Begin(func(ev Event) { seen = append(seen, ev) })
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.DialContext(ctx, "tcp", "192.0.2.1:7")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every SYN lost, dial = %v, want the deadline", err)
	}
	if took := time.Since(start); took < 1400*time.Millisecond {
		t.Errorf("gave up after %s, before the deadline", took)
	}
	if len(seen) != 1 || seen[0].Segment != 0 || seen[0].Delay < InitialRTO || seen[0].Tries < 2 {
		t.Errorf("events %+v, want one lost SYN", seen)
	}

	n.Loss = 0
	start = time.Now()
	c, err := r.DialContext(context.Background(), "tcp", "192.0.2.1:7")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("with no loss, connect took %s", took)
	}
}

// TestRefusedPortNamesIt: a port of a lab host where nothing listens is
// refused, naming the port and the ports that are open.
func TestRefusedPortNamesIt(t *testing.T) {
	r := &Router{LoopbackOnly: true}
	r.Add("tcp", "203.0.113.10:80", "127.0.0.1:1")
	r.Add("tcp", "203.0.113.10:443", "127.0.0.1:2")
	_, err := r.DialContext(context.Background(), "tcp", "203.0.113.10:81")
	if !errors.Is(err, ErrPortClosed) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want a refused port", err)
	}
	want := "TCP connection to 203.0.113.10:81 refused: nothing listens on port 81 there; the lab listens at 203.0.113.10 on TCP ports 80 and 443"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	if _, err := r.DialContext(context.Background(), "tcp", "203.0.113.99:80"); !errors.Is(err, ErrRefused) {
		t.Errorf("an address outside the lab: %v", err)
	}
}

// brief is what identifies each lost packet, for a readable failure.
func brief(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("flow %d to host %v segment %d", e.Flow, e.ToHost, e.Segment))
	}
	return out
}
