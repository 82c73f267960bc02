package tlswire_test

import (
	"fmt"
	"os"

	"journey/internal/tlswire"
)

// A Conn reads one connection both ways. With the secrets crypto/tls gave
// Config.KeyLogWriter (here, a recorded lab session's key log), it
// decrypts what each record carried. The server's side is read first: its
// ServerHello says the version and cipher suite both sides' records need.
func ExampleConn() {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/sessions/tls13." + name)
		if err != nil {
			panic(err)
		}
		return b
	}
	keys := &tlswire.KeyLog{}
	keys.Write(read("keylog"))
	c := &tlswire.Conn{Keys: keys, ServerName: "www.example.com"}
	server := c.Read(tlswire.Server, read("server"))
	client := c.Read(tlswire.Client, read("client"))
	for _, what := range server.Carried[:6] {
		fmt.Println("<", what)
	}
	for _, what := range client.Carried[:3] {
		fmt.Println(">", what)
	}
	fmt.Println(len(server.Decrypted) == len(read("server")))
	// Output:
	// < Handshake: ServerHello
	// < ChangeCipherSpec
	// < Application Data (encrypted): EncryptedExtensions
	// < Application Data (encrypted): Certificate
	// < Application Data (encrypted): CertificateVerify
	// < Application Data (encrypted): Finished
	// > Handshake: ClientHello
	// > ChangeCipherSpec
	// > Application Data (encrypted): Finished
	// true
}
