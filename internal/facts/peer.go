package facts

import "journey/internal/trace"

// Peer names the other end of an exchange, the one way every renderer
// names it: the host name with the address it was reached at,
// "a.root-servers.net (198.41.0.4:53)"; the address alone when no name is
// known; "the server" when the trace has neither. The form itself is
// trace.Peer.String, so the labels the engine writes (dns) name peers the
// same way.
func Peer(p trace.Peer) string { return p.String() }
