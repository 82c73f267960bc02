package trace

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRecorderStreamsInOrder(t *testing.T) {
	var events []Event
	rec := NewRecorder("www.example.com", ModeLab, "test", func(ev Event) { events = append(events, ev) }, nil)
	rec.StartStage(StageDNS)
	rec.AddExchange(StageDNS, &Exchange{Kind: "dns", Label: "hop 1"})
	rec.Note(StageDNS, "a note")
	rec.FinishStage(StageDNS, errors.New("boom"), func(s *Stage) { s.DNS = &DNS{Name: "www.example.com."} })
	rec.SkipStage(StageConnect, "not reached")
	j := rec.Finish(errors.New("a stage failed"))

	wantKinds := []EventKind{EventStageStarted, EventExchange, EventNote, EventStageFinished, EventStageFinished, EventJourneyDone}
	if len(events) != len(wantKinds) {
		t.Fatalf("%d events, want %d", len(events), len(wantKinds))
	}
	for i, k := range wantKinds {
		if events[i].Kind != k {
			t.Errorf("event %d is %v, want %v", i, events[i].Kind, k)
		}
	}
	dns := j.Stage(StageDNS)
	if dns.Status != StatusFailed || dns.Error != "boom" || dns.DNS == nil || len(dns.Exchanges) != 1 || len(dns.Notes) != 1 {
		t.Errorf("dns stage = %+v", dns)
	}
	if c := j.Stage(StageConnect); c.Status != StatusSkipped || c.Notes[0] != "not reached" {
		t.Errorf("connect stage = %+v", c)
	}
	if j.Error != "a stage failed" || j.Format != Format || len(j.Stages) != len(StageOrder) {
		t.Errorf("journey = %+v", j)
	}
	// An early snapshot does not see later changes.
	if got := len(events[1].Journey.Stage(StageDNS).Notes); got != 0 {
		t.Errorf("the snapshot of the exchange event has %d notes, want 0", got)
	}
}

func TestRecorderTimesAreMonotonicOffsets(t *testing.T) {
	rec := NewRecorder("x", ModeLab, "test", nil, nil)
	rec.StartStage(StageDNS)
	time.Sleep(20 * time.Millisecond)
	rec.FinishStage(StageDNS, nil, nil)
	s := rec.Snapshot().Stage(StageDNS)
	if s.Duration < 20*time.Millisecond || s.Duration > 200*time.Millisecond {
		t.Errorf("duration %s, want about 20ms", s.Duration)
	}
}

// TestRecorderConcurrentReaders: snapshots read while the engine writes
// (run with -race).
func TestRecorderConcurrentReaders(t *testing.T) {
	ch := make(chan Event, 1000)
	rec := NewRecorder("x", ModeLab, "test", func(ev Event) { ch <- ev }, nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range ch {
			for _, s := range ev.Journey.Stages {
				for _, e := range s.Exchanges {
					_ = e.Label
				}
				_ = len(s.Notes)
			}
		}
	}()
	rec.StartStage(StageDNS)
	for range 200 {
		rec.AddExchange(StageDNS, &Exchange{Label: "hop"})
		rec.Note(StageDNS, "n")
	}
	rec.Finish(nil)
	close(ch)
	wg.Wait()
}

func TestGateHoldsThePacket(t *testing.T) {
	open := make(chan struct{})
	var pending []Pending
	rec := NewRecorder("x", ModeLab, "test", func(ev Event) {
		if ev.Kind == EventPending {
			pending = append(pending, *ev.Pending)
		}
	}, func(ctx context.Context, p Pending) error {
		select {
		case <-open:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	done := make(chan error)
	go func() { done <- rec.Wait(context.Background(), Pending{Stage: StageDNS, Why: "first hop"}) }()
	select {
	case <-done:
		t.Fatal("Wait returned before the gate opened")
	case <-time.After(30 * time.Millisecond):
	}
	close(open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Why != "first hop" {
		t.Errorf("pending events = %+v", pending)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec2 := NewRecorder("x", ModeLab, "test", nil, func(ctx context.Context, p Pending) error { <-ctx.Done(); return ctx.Err() })
	if err := rec2.Wait(ctx, Pending{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context = %v", err)
	}
}

func TestDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0.0 ms",
		1234 * time.Microsecond:  "1.2 ms",
		9999 * time.Millisecond:  "9999.0 ms",
		12500 * time.Millisecond: "12.50 s",
		-time.Millisecond:        "-1.0 ms",
	} {
		if got := Dur(d); got != want {
			t.Errorf("Dur(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestGateWaitIsNotTimed: time spent at the gate (step mode) is not part
// of any timing.
func TestGateWaitIsNotTimed(t *testing.T) {
	rec := NewRecorder("x", ModeLab, "test", nil, func(ctx context.Context, p Pending) error {
		time.Sleep(100 * time.Millisecond) // the reader thinking
		return nil
	})
	rec.StartStage(StageDNS)
	if err := rec.Wait(context.Background(), Pending{Stage: StageDNS}); err != nil {
		t.Fatal(err)
	}
	rec.FinishStage(StageDNS, nil, nil)
	j := rec.Finish(nil)
	if d := j.Stage(StageDNS).Duration; d > 50*time.Millisecond {
		t.Errorf("stage took %s: the wait at the gate was counted", d)
	}
	if j.Duration > 50*time.Millisecond {
		t.Errorf("journey took %s: the wait at the gate was counted", j.Duration)
	}
}

func TestNoteOnStart(t *testing.T) {
	r := NewRecorder("x", ModeLab, "test", nil, nil)
	r.NoteOnStart(StageHTTP, "said when HTTP starts")
	r.NoteOnStart(StageConnect, "said when connect starts")
	r.SkipStage(StageConnect, "not reached")
	r.StartStage(StageHTTP)
	r.NoteOnStart(StageHTTP, "said at once: HTTP has started")
	j := r.Finish(nil)
	if got := j.Stage(StageHTTP).Notes; len(got) != 2 || got[0] != "said when HTTP starts" || got[1] != "said at once: HTTP has started" {
		t.Errorf("HTTP notes %q", got)
	}
	if got := j.Stage(StageConnect).Notes; len(got) != 1 || got[0] != "not reached" {
		t.Errorf("a skipped stage's notes %q, want only why it was skipped", got)
	}
}

// TestReplaceExchange: an exchange recorded in flight is replaced where it
// stands by the finished one, and a snapshot taken before keeps what it
// saw; an exchange not found is appended.
func TestReplaceExchange(t *testing.T) {
	r := NewRecorder("x", ModeLab, "test", nil, nil)
	r.StartStage(StageHTTP)
	tcp := &Exchange{Kind: "tcp"}
	sent := &Exchange{Kind: "http", InFlight: true}
	r.AddExchange(StageHTTP, tcp)
	r.AddExchange(StageHTTP, sent)
	before := r.Snapshot()
	done := &Exchange{Kind: "http", Outcome: "200 OK"}
	r.ReplaceExchange(StageHTTP, sent, done)
	after := r.Snapshot().Stage(StageHTTP).Exchanges
	if len(after) != 2 || after[0] != tcp || after[1] != done {
		t.Errorf("after the replacement: %v, want [tcp, the finished exchange]", after)
	}
	if got := before.Stage(StageHTTP).Exchanges[1]; got != sent {
		t.Errorf("a snapshot taken before the replacement changed: %+v", got)
	}
	other := &Exchange{Kind: "http"}
	r.ReplaceExchange(StageHTTP, &Exchange{}, other)
	if got := r.Snapshot().Stage(StageHTTP).Exchanges; len(got) != 3 || got[2] != other {
		t.Errorf("an exchange replacing one not there is not appended: %v", got)
	}
}

// TestOverlappingWaitsStopTheClockOnce: two packets held at the gate at
// once (a hedged question and a retry over TCP, the server and a packet
// of ours) stop the journey's clock once, not once each: the clock never
// runs backwards, and no offset is negative.
func TestOverlappingWaitsStopTheClockOnce(t *testing.T) {
	const wait = 150 * time.Millisecond
	rec := NewRecorder("x", ModeLab, "test", nil, func(ctx context.Context, p Pending) error {
		time.Sleep(wait)
		return nil
	})
	before := rec.Since()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec.Wait(context.Background(), Pending{Stage: StageDNS})
		}()
		time.Sleep(wait / 3) // the second starts while the first waits
	}
	wg.Wait()
	after := rec.Since()
	if after < before {
		t.Errorf("the journey's clock ran backwards: %v, then %v", before, after)
	}
	// The waits overlapped for two thirds of one: the clock stood still
	// from the first's start to the second's end, and ran only outside.
	if after-before > wait/2 {
		t.Errorf("%v passed on the journey's clock across two overlapping waits of %v: the waits were not taken off", after-before, wait)
	}
}

// TestOnePacketAtTheGate: two packets asking the gate at once are shown
// one after the other: the second is shown only once the first has gone,
// so the one shown is the one the gate lets go.
func TestOnePacketAtTheGate(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var shown []string
	rec := NewRecorder("x", ModeLab, "test", func(ev Event) {
		if ev.Kind == EventPending {
			mu.Lock()
			shown = append(shown, ev.Pending.Why)
			mu.Unlock()
		}
	}, func(ctx context.Context, p Pending) error {
		<-release
		return nil
	})
	var wg sync.WaitGroup
	for _, why := range []string{"first", "second"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec.Wait(context.Background(), Pending{Stage: StageDNS, Why: why})
		}()
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	if len(shown) != 1 {
		t.Errorf("%d packets shown at the gate at once: %v", len(shown), shown)
	}
	mu.Unlock()
	release <- struct{}{}
	release <- struct{}{}
	wg.Wait()
	if len(shown) != 2 {
		t.Errorf("shown %v, want both, one after the other", shown)
	}
}
