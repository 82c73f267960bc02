package http

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestCapture(t *testing.T) {
	c := capture{max: 5}
	for _, w := range []string{"abc", "def", "ghi"} {
		if n, err := c.Write([]byte(w)); n != 3 || err != nil {
			t.Fatalf("Write = %d, %v: a capture never refuses bytes", n, err)
		}
	}
	if string(c.buf) != "abcde" || c.dropped != 4 {
		t.Errorf("kept %q, dropped %d; want abcde, 4", c.buf, c.dropped)
	}
}

func TestRecordConnGateAndStop(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	rc := newRecordConn(a, 4)
	var gated []byte
	rc.gate = func(p []byte) error { gated = append([]byte(nil), p...); return nil }
	go func() {
		buf := make([]byte, 16)
		b.Read(buf)
		b.Read(buf)
		b.Write([]byte("pong"))
	}()
	rc.Write([]byte("hello"))
	rc.Write([]byte("x"))
	buf := make([]byte, 16)
	n, _ := rc.Read(buf)
	sent, recv, first := rc.stop()
	if string(gated) != "hello" || string(sent.buf) != "hell" || sent.dropped != 2 || string(recv.buf) != string(buf[:n]) || first.IsZero() {
		t.Errorf("gated %q, sent %q (+%d), recv %q, first %v", gated, sent.buf, sent.dropped, recv.buf, first)
	}

	refused := newRecordConn(a, 4)
	refused.gate = func([]byte) error { return context.Canceled }
	if _, err := refused.Write([]byte("no")); !errors.Is(err, context.Canceled) {
		t.Errorf("a gate's refusal should stop the write: %v", err)
	}
}

func TestTimedReaderDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := &timedReader{conn: a, ctx: ctx, idle: time.Hour}
	start := time.Now()
	_, err := r.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("a read with nothing to read ended after %s with %v: the context's deadline should end it", time.Since(start), err)
	}
	if !r.first.IsZero() || r.total != 0 {
		t.Error("no byte came, yet a first byte is noted")
	}
}
