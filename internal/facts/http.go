package facts

import "journey/internal/trace"

// HTTP is the HTTP stage's outcome.
type HTTP struct {
	Status    int    // the final response's status code; 0 when none came
	Reason    string // its reason phrase as sent
	Requests  int    // requests made (hops)
	Redirects int    // redirects followed
	Error     string // why the stage failed
}

// HTTPOf reads the HTTP stage's outcome. A nil stage has none.
func HTTPOf(s *trace.Stage) HTTP {
	if s == nil {
		return HTTP{}
	}
	out := HTTP{Error: s.Error}
	if h := s.HTTP; h != nil {
		out.Status, out.Reason = h.Status, h.Reason
		out.Requests, out.Redirects = len(h.Hops), h.Redirects
	}
	return out
}

// DecodedSize says the decoded body's size of a hop, saying when it is only
// where counting stopped: "1234 bytes", or "more than 67108864 bytes
// (counting stopped there)" for a body that decodes past the cap.
func DecodedSize(hop *trace.HTTPHop) string {
	if hop.DecodedCapped {
		return "more than " + Count(hop.DecodedSize, "byte", "bytes") + " (counting stopped there)"
	}
	return Count(hop.DecodedSize, "byte", "bytes")
}
