package dial_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"journey/internal/dial"
)

// A Network carries a routed connection across a link: the connect costs
// one round trip, and a request and its answer another.
func ExampleNetwork() {
	n := &dial.Network{}
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	defer ln.Close()
	server := n.Listener(ln) // the server's end: its writes travel half a round trip
	go func() {
		c, err := server.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		b := make([]byte, 4)
		io.ReadFull(c, b)
		c.Write([]byte("pong"))
	}()

	r := &dial.Router{LoopbackOnly: true, Net: n}
	r.Add("tcp", "192.0.2.1:7", ln.Addr().String())
	n.SetLink("192.0.2.1", dial.Link{RTT: 20 * time.Millisecond})

	start := time.Now()
	c, _ := r.DialContext(context.Background(), "tcp", "192.0.2.1:7")
	defer c.Close()
	connected := time.Since(start)
	c.Write([]byte("ping"))
	b := make([]byte, 4)
	io.ReadFull(c, b)
	fmt.Println(string(b), connected >= 20*time.Millisecond, time.Since(start) >= 40*time.Millisecond)
	// Output: pong true true
}
