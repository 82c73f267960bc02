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
