// Package http owns the connect and HTTP stages: the TCP connection, the TLS
// handshake for https, and the request and response exactly as they crossed
// the wire.
package http
