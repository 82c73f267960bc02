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
