package trace

import "testing"

// TestPeerString: the one form every view and every engine label uses to
// name the other end of an exchange.
func TestPeerString(t *testing.T) {
	tests := []struct {
		name string
		peer Peer
		want string
	}{
		{"name and address", Peer{Name: "a.root-servers.net", Addr: "198.41.0.4:53"}, "a.root-servers.net (198.41.0.4:53)"},
		{"IPv6 address keeps its brackets", Peer{Name: "v6.example.com", Addr: "[2001:db8::10]:80"}, "v6.example.com ([2001:db8::10]:80)"},
		{"address alone", Peer{Addr: "127.0.0.9:53"}, "127.0.0.9:53"},
		{"name alone", Peer{Name: "www.example.com"}, "www.example.com"},
		{"the lab's route is not part of the name", Peer{Name: "ns1.example.com", Addr: "198.51.100.1:53", Via: "127.0.0.1:4053"}, "ns1.example.com (198.51.100.1:53)"},
		{"neither", Peer{}, "the server"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.peer.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}
