package http

import "journey/internal/tlswire"

// recordHandshake is the TLS record type that carries handshake messages:
// the first byte of a ClientHello on the wire. Records are read, and
// decrypted with the session's own secrets, by package tlswire.
const recordHandshake = tlswire.RecordHandshake
