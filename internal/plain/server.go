package plain

import "journey/internal/trace"

// gateway writes the gateway stage.
func (p *Printer) gateway(s *trace.Stage) {}

// router writes the router stage.
func (p *Printer) router(s *trace.Stage) {}
