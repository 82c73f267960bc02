package plain

import "journey/internal/trace"

// connect writes the connect stage.
func (p *Printer) connect(s *trace.Stage) {}

// http writes the HTTP stage.
func (p *Printer) http(s *trace.Stage) {}

// waterfall writes every stage on one time axis, DNS split per hop.
func (p *Printer) waterfall(j *trace.Journey) {}
