//go:build race

package lab

import "time"

// slack is how far over the model a measured time may be. The race
// detector slows every memory access several times over, and on a loaded
// two-core machine a handshake's own work (key exchange, signatures)
// then takes milliseconds: the bound is wider only under -race.
const slack = 8 * time.Millisecond
