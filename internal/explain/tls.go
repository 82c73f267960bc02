package explain

import (
	"fmt"
	"strings"

	"journey/internal/trace"
)

// The words of the encrypted records' lesson. What each handshake message
// is for, and what the client checked with it, is data in the trace: the
// value of the message's field, written where the records are read
// (package tlswire); here those values are only gathered into sentences.
const (
	hiddenHandshake = " After the ServerHello everything is encrypted with keys only the two ends computed: an onlooker sees records labelled Application Data and their lengths, not the certificate, not the server's name in it, not the proofs that follow. journey is the client, so it holds this session's secrets and can show what each record carried:"
	// TLS 1.2 sends the certificate in the clear: only what follows each
	// side's ChangeCipherSpec is encrypted.
	hiddenFinished = " In this version the certificate crossed in the clear, readable by anyone on the path; only what follows each side's ChangeCipherSpec is encrypted. journey holds this session's secrets and decrypted it:"
	hiddenRequest  = " On the wire, the request travelled in %s: an onlooker sees %s bytes of Application Data, not the method, the path or the headers; journey decrypted them with this session's keys to show them here."
	hiddenResponse = " The response came back in %s, decrypted the same way."

	keyExchangeWords = " The keys come from a key exchange with %s: each side sent a key share in its hello, and from the two both computed the same secret, which never crossed the wire."
	postQuantum      = " That group joins ML-KEM-768, built to resist a future quantum computer, with the classic X25519: a recording of this session stays safe even if one of the two is broken one day."
)

// inside says what journey read inside TLS's encryption, for a handshake
// or an HTTP exchange over https.
func inside(b *strings.Builder, e *trace.Exchange) {
	switch e.Kind {
	case "tls":
		tlsInside(b, e)
	case "http":
		httpInside(b, e)
	}
}

// keyExchange says where the session's keys came from.
func keyExchange(b *strings.Builder, t *trace.TLS) {
	if t.KeyExchange == "" {
		return
	}
	fmt.Fprintf(b, keyExchangeWords, line(t.KeyExchange))
	if t.KeyExchange == "X25519MLKEM768" {
		b.WriteString(postQuantum)
	}
}

// tlsInside says what each encrypted record of a handshake carried, read
// from the fields journey decrypted, and what the client checked with it.
func tlsInside(b *strings.Builder, e *trace.Exchange) {
	var msgs []string
	for _, m := range []struct {
		who    string
		fields []trace.Field
	}{{"the server", e.Received.Fields}, {"we", e.Sent.Fields}} {
		for _, msg := range decryptedMessages(m.fields) {
			if msg.Name == "alert message" {
				msgs = append(msgs, fmt.Sprintf(" %s sent an alert, encrypted too: %s%s.", capital(m.who), line(msg.Value), alertWords(msg.Value)))
				continue
			}
			msgs = append(msgs, fmt.Sprintf(" %s sent %s: %s.", capital(m.who), line(msg.Name), strings.TrimSuffix(line(msg.Value), ".")))
		}
	}
	if len(msgs) == 0 {
		return
	}
	if hidCertificate(e.Received.Fields) {
		b.WriteString(hiddenHandshake)
	} else {
		b.WriteString(hiddenFinished)
	}
	for _, m := range msgs {
		b.WriteString(m)
	}
}

// httpInside says which encrypted records carried an HTTP exchange.
func httpInside(b *strings.Builder, e *trace.Exchange) {
	if r := e.Sent.Records; r != nil && r.Decrypted != nil {
		fmt.Fprintf(b, hiddenRequest, records(r), fmt.Sprint(r.Size()))
	}
	if r := e.Received.Records; r != nil && r.Decrypted != nil {
		fmt.Fprintf(b, hiddenResponse, records(r))
	}
}

// records counts a message's TLS records: "1 record of 95 bytes".
func records(m *trace.Message) string {
	n := 0
	for _, f := range m.Fields {
		if strings.HasPrefix(f.Name, "TLS record") {
			n++
		}
	}
	if n == 1 {
		return fmt.Sprintf("1 encrypted record of %d bytes", m.Size())
	}
	return fmt.Sprintf("%d encrypted records, %d bytes in all", n, m.Size())
}

// decryptedMessages are the handshake messages found inside encrypted
// records: the fields under an "encrypted data" field that have a
// handshake type.
func decryptedMessages(records []trace.Field) []trace.Field {
	var out []trace.Field
	for _, r := range records {
		for _, c := range r.Children {
			if c.Name != "encrypted data" {
				continue
			}
			for _, m := range c.Children {
				if len(m.Children) > 0 && m.Children[0].Name == "handshake type" && m.Value != "" || m.Name == "alert message" {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// alertWords says why an alert was sent, for the alerts a handshake ends
// with when a check fails.
func alertWords(alert string) string {
	switch {
	case strings.HasSuffix(alert, "bad_certificate"), strings.HasSuffix(alert, "unknown_ca"), strings.HasSuffix(alert, "certificate_unknown"):
		return ": the certificate did not pass the client's checks, so the client ends the handshake before any request is sent"
	case strings.HasSuffix(alert, "close_notify"):
		return ": the sender is done and closes the connection cleanly"
	case strings.HasSuffix(alert, "decrypt_error"):
		return ": a signature or the Finished MAC did not check out"
	}
	return ""
}

// hidCertificate reports whether the certificate was among the encrypted
// messages (TLS 1.3), not sent in the clear (TLS 1.2).
func hidCertificate(records []trace.Field) bool {
	for _, m := range decryptedMessages(records) {
		if m.Name == "Certificate" {
			return true
		}
	}
	return false
}
