//go:build !race

package lab

import "time"

// slack is how far over the model a measured time may be: the issue's
// bound (2 ms), which covers the real work of a handshake on loopback.
const slack = 2 * time.Millisecond

// under is how far under the model a measured time may be: a timer never
// fires early, but the client stamps some moments just after a write that
// the model counts from just before it.
const under = 500 * time.Microsecond

// wallRatio bounds the journey's wall time over the model's delays in the
// best of several runs: the lab adds nothing the model does not say.
const wallRatio = 1.05
