// Package dialtest gives tests a dialer that fails the test on any attempt
// to reach an address outside loopback, so no test can reach the internet.
package dialtest

import (
	"testing"

	"journey/internal/dial"
)

// Loopback returns a Router that dials loopback addresses and routes, and
// fails t on anything else.
func Loopback(t testing.TB) *dial.Router {
	return &dial.Router{
		LoopbackOnly: true,
		Refuse: func(network, address string) error {
			if !dial.IsLoopback(address) {
				t.Errorf("test tried to reach %s %s, outside loopback", network, address)
				return dial.ErrRefused
			}
			return nil
		},
	}
}
