//go:build race

package lab

import "time"

// slack is how far over the model a measured time may be. The race
// detector slows every memory access several times over, and on a loaded
// two-core machine a handshake's own work (key exchange, signatures)
// then takes milliseconds: the bound is wider only under -race.
const slack = 8 * time.Millisecond

// under is how far under the model a measured time may be: a timer never
// fires early, but the client stamps some moments just after a write that
// the model counts from just before it (the race detector slows the few instructions between the two most).
const under = time.Millisecond

// wallRatio bounds the journey's wall time over the model's delays in the
// best of several runs. Under -race the engine's own work (parsing,
// annotating, TLS, a snapshot of the trace at each event) costs tens of
// milliseconds over a journey of a third of a second: 1.05 to 1.10 was
// measured on an idle two-core machine, before and after 2026-11-29.
const wallRatio = 1.12
