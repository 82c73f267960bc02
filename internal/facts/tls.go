package facts

import "journey/internal/trace"

// TLSVerdict is what the TLS handshake proved about the server, with -k
// taken into account. The trace's TLS.Verified says whether the chain
// verified, whatever -k said: -k only decides whether a failure stops the
// connection.
type TLSVerdict int

const (
	NotTLS          TLSVerdict = iota // plain http, or no handshake recorded
	Verified                          // the chain leads to a trusted root and names the host
	VerifiedWithK                     // verified, though -k was given: -k was not needed
	UnverifiedWithK                   // did not verify, and -k let the connection go on
	Failed                            // the chain did not verify or the handshake failed: the connection stopped
)

// String is the verdict in a few words, the same in every renderer.
func (v TLSVerdict) String() string {
	switch v {
	case Verified:
		return "verified"
	case VerifiedWithK:
		return "verified (-k was not needed)"
	case UnverifiedWithK:
		return "NOT verified (-k went on anyway)"
	case Failed:
		return "failed"
	}
	return "no TLS"
}

// Secure reports whether the connection's server is proven: the chain
// verified, with or without -k.
func (v TLSVerdict) Secure() bool { return v == Verified || v == VerifiedWithK }

// TLS is the verdict of one handshake and why it is not Verified.
type TLS struct {
	Verdict TLSVerdict
	// Why is, for UnverifiedWithK and Failed, why the chain did not verify
	// or the handshake failed; empty otherwise.
	Why string
}

// TLSOf reads the verdict of the connect stage's handshake (the first
// request's connection). A nil stage, or one without TLS, is NotTLS.
func TLSOf(s *trace.Stage) TLS {
	if s == nil || s.Connect == nil || s.Connect.TLS == nil {
		return TLS{}
	}
	handshakeErr := ""
	for _, e := range s.Exchanges {
		if e != nil && e.Kind == "tls" && e.Failed() {
			handshakeErr = e.Error
		}
	}
	return VerdictOf(s.Connect.TLS, handshakeErr)
}

// VerdictOf reads the verdict of one handshake: info as recorded, and
// handshakeErr, the error of its exchange (empty when it completed). A
// redirect hop's own handshake is read this way too.
func VerdictOf(info *trace.TLS, handshakeErr string) TLS {
	switch {
	case info == nil:
		return TLS{}
	case handshakeErr != "":
		// Without -k a chain that did not verify is what stopped the
		// handshake; under -k it cannot be, so the handshake's own error says.
		why := info.VerifyError
		if why == "" || info.Insecure {
			why = handshakeErr
		}
		return TLS{Verdict: Failed, Why: why}
	case info.Verified && info.Insecure:
		return TLS{Verdict: VerifiedWithK}
	case info.Verified:
		return TLS{Verdict: Verified}
	case info.Insecure:
		return TLS{Verdict: UnverifiedWithK, Why: orUnknown(info.VerifyError)}
	}
	// Not verified, no -k, yet no error: a recording that says nothing of
	// why. It is not proven, so it is not called verified.
	return TLS{Verdict: Failed, Why: orUnknown(info.VerifyError)}
}

func orUnknown(s string) string {
	if s == "" {
		return "the recording does not say why"
	}
	return s
}
