//go:build !race

package lab

import "time"

// slack is how far over the model a measured time may be: the issue's
// bound (2 ms), which covers the real work of a handshake on loopback.
const slack = 2 * time.Millisecond
