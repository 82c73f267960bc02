package facts

import "journey/internal/trace"

// Peer names the other end of an exchange, the one way every renderer
// names it: the host name with the address it was reached at,
// "a.root-servers.net (198.41.0.4:53)"; the address alone when no name is
// known; "the server" when the trace has neither. The address keeps its
// port: with -p, @SERVER:PORT or a URL's port it is part of what was asked.
func Peer(p trace.Peer) string {
	switch {
	case p.Name != "" && p.Addr != "":
		return p.Name + " (" + p.Addr + ")"
	case p.Name != "":
		return p.Name
	case p.Addr != "":
		return p.Addr
	}
	return "the server"
}
