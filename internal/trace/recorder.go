package trace

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// EventKind says what changed in the trace.
type EventKind int

const (
	EventStageStarted  EventKind = iota // a stage began
	EventExchange                       // a stage gained an exchange
	EventNote                           // a stage gained a note
	EventPending                        // a packet is about to be sent (step mode shows it)
	EventStageFinished                  // a stage ended (done, failed or skipped)
	EventJourneyDone                    // the journey ended; Journey is final
)

// Event is one change to the trace, streamed as the journey runs.
type Event struct {
	Kind     EventKind
	Stage    StageKind
	Exchange *Exchange // EventExchange
	Pending  *Pending  // EventPending
	// Journey is a snapshot taken right after the change. Its stages are
	// copies; exchanges and byte slices are shared but never changed once
	// recorded, so a renderer may keep and read the snapshot freely.
	Journey *Journey
}

// Pending is a packet about to leave, shown before the gate opens.
type Pending struct {
	Stage     StageKind `json:"stage"`
	Peer      Peer      `json:"peer"`
	Transport Transport `json:"transport"`
	Bytes     []byte    `json:"bytes"`
	Fields    []Field   `json:"fields,omitempty"`
	Why       string    `json:"why"` // one sentence: why this packet, why this server
}

// Gate is called before each packet is sent; the packet leaves when it
// returns nil. Step mode holds it until the user presses a key.
type Gate func(ctx context.Context, p Pending) error

// Recorder builds a Journey as the engine runs and streams each change.
// It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	j     *Journey
	start time.Time // monotonic reference for every offset
	emit  func(Event)
	gate  Gate
	// onStart holds notes said only if their stage starts (NoteOnStart).
	onStart map[StageKind][]string
	// paused is the time spent waiting at the gate: the journey's clock
	// stops while step mode holds a packet, so timings stay the network's
	// and not the reader's. Waits can overlap (a hedged question and a
	// retry over TCP both at the gate, the server and a packet of ours):
	// the clock stops once, from the first wait's start to the last's
	// end, counted in waiting and waitedFrom.
	paused     atomic.Int64
	pauseMu    sync.Mutex
	waiting    int
	waitedFrom time.Time
	// ended, when set (EndHere), is the journey's length: what is done
	// after it (a second visit, --warm) is not the journey's time.
	ended time.Duration
	// turn lets one packet at a time be shown at the gate: the one shown
	// is the one the gate lets go. Others (a hedged question while a
	// retry over TCP waits) queue until it has gone.
	turn chan struct{}
}

// NewRecorder starts a journey's trace now. emit, if not nil, receives every
// event in order, on the engine's goroutine: it must not block for long.
// gate, if not nil, is asked before each packet leaves.
func NewRecorder(target string, mode Mode, version string, emit func(Event), gate Gate) *Recorder {
	now := time.Now()
	j := &Journey{Format: Format, Version: version, Target: target, Mode: mode, Started: now.UTC()}
	for _, k := range StageOrder {
		j.Stages = append(j.Stages, &Stage{Kind: k, Status: StatusPending})
	}
	return &Recorder{j: j, start: now, emit: emit, gate: gate, turn: make(chan struct{}, 1)}
}

// Since is the offset of now from the journey's start (monotonic), less
// the time spent waiting at the gate.
func (r *Recorder) Since() time.Duration { return r.Offset(time.Now()) }

// Offset converts a moment to an offset from the journey's start, less the
// time spent waiting at the gate so far. Convert a moment soon after it
// happens: a later wait would be taken off it too.
func (r *Recorder) Offset(t time.Time) time.Duration {
	return t.Sub(r.start) - time.Duration(r.paused.Load())
}

// StartStage marks a stage as running, with the notes NoteOnStart kept
// for it.
func (r *Recorder) StartStage(kind StageKind) {
	r.update(Event{Kind: EventStageStarted, Stage: kind}, func(s *Stage) {
		s.Status = StatusRunning
		s.Start = r.Since()
		s.Notes = append(s.Notes, r.onStart[kind]...)
		delete(r.onStart, kind)
	})
}

// NoteOnStart keeps a note for a stage until it starts: a fact about how
// the stage runs (the lab's latency on the web server) is said only if it
// runs, never on a stage skipped because an earlier one failed.
func (r *Recorder) NoteOnStart(kind StageKind, text string) {
	r.mu.Lock()
	s := r.j.Stage(kind)
	started := s != nil && s.Status != StatusPending
	if !started {
		if r.onStart == nil {
			r.onStart = map[StageKind][]string{}
		}
		r.onStart[kind] = append(r.onStart[kind], text)
	}
	r.mu.Unlock()
	if started {
		r.Note(kind, text)
	}
}

// AddExchange appends a finished exchange to a stage. The exchange must not
// be changed afterwards: renderers read it from other goroutines.
func (r *Recorder) AddExchange(kind StageKind, e *Exchange) {
	r.update(Event{Kind: EventExchange, Stage: kind, Exchange: e}, func(s *Stage) {
		s.Exchanges = append(s.Exchanges, e)
	})
}

// ReplaceExchange puts e where old is in a stage (appending it when old is
// not there): an exchange recorded while in flight (Exchange.InFlight),
// replaced by the finished one. The stage gets a new slice, since
// snapshots share the old one.
func (r *Recorder) ReplaceExchange(kind StageKind, old, e *Exchange) {
	r.update(Event{Kind: EventExchange, Stage: kind, Exchange: e}, func(s *Stage) {
		i := slices.Index(s.Exchanges, old)
		if old == nil || i < 0 {
			s.Exchanges = append(s.Exchanges, e)
			return
		}
		s.Exchanges = slices.Clone(s.Exchanges)
		s.Exchanges[i] = e
	})
}

// Note adds a plain-words fact to a stage.
func (r *Recorder) Note(kind StageKind, text string) {
	r.update(Event{Kind: EventNote, Stage: kind}, func(s *Stage) {
		s.Notes = append(s.Notes, text)
	})
}

// FinishStage ends a stage. err, if not nil, marks it failed; fill, if not
// nil, sets the stage's result (Stage.DNS and so on) before the event goes out.
func (r *Recorder) FinishStage(kind StageKind, err error, fill func(*Stage)) {
	r.update(Event{Kind: EventStageFinished, Stage: kind}, func(s *Stage) {
		if s.Status == StatusPending {
			s.Start = r.Since()
		}
		s.Duration = r.Since() - s.Start
		s.Status = StatusDone
		if err != nil {
			s.Status = StatusFailed
			s.Error = err.Error()
		}
		if fill != nil {
			fill(s)
		}
	})
}

// SkipStage marks a stage as not needed, saying why.
func (r *Recorder) SkipStage(kind StageKind, why string) {
	r.update(Event{Kind: EventStageFinished, Stage: kind}, func(s *Stage) {
		s.Status = StatusSkipped
		s.Start = r.Since()
		if why != "" {
			s.Notes = append(s.Notes, why)
		}
	})
}

// SetStage replaces a whole stage with one built elsewhere (the lab's web
// server records the gateway and router stages of the request it served).
// Offsets in st are taken as already relative to this journey.
func (r *Recorder) SetStage(st *Stage) {
	r.update(Event{Kind: EventStageFinished, Stage: st.Kind}, func(s *Stage) {
		*s = *st
	})
}

// Holds reports whether a gate holds each packet for a person (step
// mode): what runs on timers (a hedged question) is then left out.
func (r *Recorder) Holds() bool { return r.gate != nil }

// Wait shows a packet about to be sent and asks the gate, if any. One
// packet at a time is shown and asked for: a second waits its turn.
func (r *Recorder) Wait(ctx context.Context, p Pending) error {
	if r.gate == nil {
		return ctx.Err()
	}
	r.pause()
	defer r.resume()
	select {
	case r.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.turn }()
	r.update(Event{Kind: EventPending, Stage: p.Stage, Pending: &p}, nil)
	return r.gate(ctx, p)
}

// pause stops the journey's clock for a wait at the gate, unless another
// wait already has.
func (r *Recorder) pause() {
	r.pauseMu.Lock()
	defer r.pauseMu.Unlock()
	if r.waiting == 0 {
		r.waitedFrom = time.Now()
	}
	r.waiting++
}

// resume ends a wait; the clock runs again when no other wait is on.
func (r *Recorder) resume() {
	r.pauseMu.Lock()
	defer r.pauseMu.Unlock()
	r.waiting--
	if r.waiting == 0 {
		r.paused.Add(int64(time.Since(r.waitedFrom)))
	}
}

// EndHere says the journey's time ends now, though the recorder may still
// be given the second visit (SetWarm) before Finish.
func (r *Recorder) EndHere() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = r.Since()
}

// SetWarm attaches the second visit (--warm), finished, to the journey,
// so that the journey's last event carries it.
func (r *Recorder) SetWarm(w *Journey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.j.Warm = w
}

// Finish ends the journey, recording err as its error if not nil, and
// returns the final trace.
func (r *Recorder) Finish(err error) *Journey {
	var final *Journey
	r.mu.Lock()
	r.j.Duration = r.Since()
	if r.ended > 0 {
		r.j.Duration = r.ended
	}
	if err != nil {
		r.j.Error = err.Error()
	}
	sum := Summarize(r.j)
	r.j.Timing = &sum
	final = r.snapshotLocked()
	r.mu.Unlock()
	if r.emit != nil {
		r.emit(Event{Kind: EventJourneyDone, Journey: final})
	}
	return final
}

// Snapshot returns a copy of the trace as it stands.
func (r *Recorder) Snapshot() *Journey {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshotLocked()
}

func (r *Recorder) update(ev Event, change func(*Stage)) {
	r.mu.Lock()
	if change != nil {
		s := r.j.Stage(ev.Stage)
		if s == nil {
			s = &Stage{Kind: ev.Stage}
			r.j.Stages = append(r.j.Stages, s)
		}
		change(s)
	}
	ev.Journey = r.snapshotLocked()
	r.mu.Unlock()
	if r.emit != nil {
		r.emit(ev)
	}
}

// snapshotLocked copies the journey and its stages; slices are clipped so a
// later append by the recorder never writes where a snapshot reads.
func (r *Recorder) snapshotLocked() *Journey {
	j := *r.j
	j.Stages = make([]*Stage, len(r.j.Stages))
	for i, s := range r.j.Stages {
		c := *s
		c.Exchanges = slices.Clip(c.Exchanges)
		c.Notes = slices.Clip(c.Notes)
		j.Stages[i] = &c
	}
	return &j
}
