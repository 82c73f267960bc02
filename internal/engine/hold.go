package engine

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"journey/internal/dial"
	"journey/internal/trace"
)

// In step mode the lab's web server waits for the class too (before the
// gateway reads the request, before the response leaves): Config.HoldServer
// hands it the journey's gate. Two things follow on the client's side.
// While the server holds, no byte comes back, and the client's idle
// timeout (--timeout) must not count the class's pause: the connections
// of a held journey wait on. And the server's stages, rebased onto the
// journey's clock once the response is in, must not be moved back by a
// pause that came after they began.

// holdClock counts the server's waits of one journey.
type holdClock struct {
	mu     sync.Mutex
	active int
	gen    int // bumped at each wait's start and end
	waits  []heldWait
	// served are the server's stages already taken from the lab, by
	// client address: at the response's hold, to be shown before it.
	served map[string][]*trace.Stage
}

type heldWait struct {
	start time.Time
	took  time.Duration
}

// holdServer, when the configuration can hold the server, hands it the
// journey's gate and returns the configuration whose dialer tolerates the
// waits, and the function that gives the server back.
func holdServer(ctx context.Context, cfg Config, rec *trace.Recorder) (Config, func()) {
	if cfg.HoldServer == nil || cfg.Dialer == nil {
		return cfg, func() {}
	}
	c := &holdClock{}
	cfg.held = c
	cfg.Dialer = &holdDialer{Dialer: cfg.Dialer, clock: c}
	release := cfg.HoldServer(func(sctx context.Context, p trace.Pending) error {
		// The wait ends with the server, or with the journey.
		wctx, cancel := context.WithCancel(sctx)
		defer cancel()
		defer context.AfterFunc(ctx, cancel)()
		if p.Stage == trace.StageRouter && cfg.ServerStages != nil {
			// The response is about to leave: the server's side is
			// done, and shown now, before the class lets the response go.
			if stages, err := labStages(wctx, cfg, rec, p.Peer.Addr); err == nil {
				c.keep(p.Peer.Addr, stages)
				setServerStages(rec, stages)
			}
		}
		start := c.begin()
		defer c.end(start)
		return rec.Wait(wctx, p)
	})
	return cfg, release
}

// keep holds the server's stages for the connection from client, shown
// while the response was held, until the engine asks for them.
func (c *holdClock) keep(client string, stages []*trace.Stage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.served == nil {
		c.served = map[string][]*trace.Stage{}
	}
	c.served[client] = stages
}

// take returns and forgets the stages kept for client.
func (c *holdClock) take(client string) []*trace.Stage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	stages := c.served[client]
	delete(c.served, client)
	return stages
}

func (c *holdClock) begin() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active++
	c.gen++
	return time.Now()
}

func (c *holdClock) end(start time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	c.gen++
	c.waits = append(c.waits, heldWait{start: start, took: time.Since(start)})
}

// state is whether a wait is on, and the generation now.
func (c *holdClock) state() (active bool, gen int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active > 0, c.gen
}

// heldSince is the time spent waiting from t on: a moment converted to the
// journey's clock after these waits had them taken off, wrongly.
func (c *holdClock) heldSince(t time.Time) time.Duration {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var d time.Duration
	for _, w := range c.waits {
		if !w.start.Before(t) {
			d += w.took
		}
	}
	return d
}

// holdDialer is a dialer whose connections do not time out a read while
// the server holds the journey.
type holdDialer struct {
	dial.Dialer
	clock *holdClock
}

// Route says where the dialer underneath routes address, so the trace
// still names the loopback address behind a lab address.
func (d *holdDialer) Route(network, address string) (string, bool) {
	if r, ok := d.Dialer.(dial.Routing); ok {
		return r.Route(network, address)
	}
	return "", false
}

func (d *holdDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := d.Dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return &holdConn{Conn: conn, clock: d.clock}, nil
}

// holdConn retries a read that timed out while the server held the
// journey (or began or ended a wait since the read began), with the idle
// time the reader asked for, counted again from then.
type holdConn struct {
	net.Conn
	clock *holdClock
	mu    sync.Mutex
	idle  time.Duration // the last read deadline, as a time from when it was set
}

func (c *holdConn) SetReadDeadline(t time.Time) error {
	c.rememberIdle(t)
	return c.Conn.SetReadDeadline(t)
}

func (c *holdConn) SetDeadline(t time.Time) error {
	c.rememberIdle(t)
	return c.Conn.SetDeadline(t)
}

// rememberIdle keeps a read deadline as the idle time it grants, so a
// read cut short by the class's pause can be given it again.
func (c *holdConn) rememberIdle(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = 0
	if !t.IsZero() {
		c.idle = time.Until(t)
	}
}

func (c *holdConn) Read(p []byte) (int, error) {
	for {
		_, gen := c.clock.state()
		n, err := c.Conn.Read(p)
		var ne net.Error
		if n > 0 || err == nil || !errors.As(err, &ne) || !ne.Timeout() {
			return n, err
		}
		active, now := c.clock.state()
		c.mu.Lock()
		idle := c.idle
		c.mu.Unlock()
		if (!active && now == gen) || idle <= 0 {
			return n, err
		}
		c.Conn.SetReadDeadline(time.Now().Add(idle))
	}
}
