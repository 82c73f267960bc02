package plain

import "journey/internal/trace"

// dns writes the DNS stage: each hop, what it answered, the result.
func (p *Printer) dns(s *trace.Stage) {}
