package plain

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// maxBodyShown bounds the response body printed in the report; past it the
// report says how much more there was.
const maxBodyShown = 2048

// gateway writes the gateway stage: the request line as the server read
// it, each step timed, the environment as a table, the middleware onion.
func (p *Printer) gateway(s *trace.Stage) {
	g := s.Gateway
	if g == nil {
		return
	}
	if g.Reenacted {
		p.printf("  %s\n", p.st.note("re-enacted on this machine: the real site runs its own software"))
	}
	if g.Method != "" {
		p.printf("  %-10s %s %s %s\n", "request", safetext.Line(g.Method), safetext.Line(g.Target), safetext.Line(g.Proto))
	}
	if g.Client != "" {
		p.printf("  %-10s %s over %s\n", "from", safetext.Line(g.Client), safetext.Line(g.Scheme))
	}
	if len(g.Steps) > 0 {
		p.printf("  steps, each timed:\n")
		for _, st := range g.Steps {
			p.printf("    %-24s %9s  %s\n", st.Name, fine(st.Duration), p.st.dim(safetext.Line(st.Detail)))
		}
	}
	if len(g.Environ) > 0 {
		p.printf("  the environment (WSGI, PEP 3333), in the order the server fills it:\n")
		width := 0
		for _, e := range g.Environ {
			width = max(width, len(e.Name))
		}
		for _, e := range g.Environ {
			v := safetext.Line(e.Value)
			if e.Value == "" {
				v = "''"
			}
			p.printf("    %-*s  %-28s %s\n", width, safetext.Line(e.Name), v, p.st.dim(safetext.Line(e.From)))
		}
	}
	if len(g.Middleware) > 0 {
		p.printf("  middleware: down with the request, then back up with the response (the onion):\n")
		downs := 0
		for _, m := range g.Middleware {
			if m.Direction == trace.DirectionDown {
				downs++
			}
		}
		for i, m := range g.Middleware {
			arrow := "↓"
			if m.Direction == trace.DirectionUp {
				arrow = "↑"
			}
			p.printf("    %s %-56s %9s\n", arrow, safetext.Line(m.Middleware), fine(m.Duration))
			p.printf("        %s\n", p.st.dim(safetext.Line(m.Action)))
			if i == downs-1 && !m.Answered {
				p.printf("      %s\n", p.st.bold("→ the router and the view (stage 5)"))
			}
		}
	}
	if r := g.Response; r != nil {
		p.printf("  %-10s %d %s, %s, %s\n", "response", r.Status, safetext.Line(r.Reason), facts.Count(len(r.Headers), "header", "headers"), facts.Count(r.BodySize, "body byte", "body bytes"))
	}
}

// router writes the router stage: the patterns tried in order with why
// each did not match, the match, what each converter extracted, the view
// and the response bytes it led to.
func (p *Printer) router(s *trace.Stage) {
	r := s.Router
	if r == nil || s.Status == trace.StatusSkipped {
		return
	}
	p.printf("  %-10s %s\n", "urlconf", safetext.Line(r.URLConf))
	p.printf("  %-10s %s %s\n", "path", quote(r.Path), p.st.dim("(PATH_INFO without its leading slash: what patterns match against)"))
	if len(r.Tried) > 0 {
		p.printf("  patterns tried, in order (first match wins), in %s:\n", fine(r.Resolve))
		for i, t := range r.Tried {
			mark := p.st.bad("✗")
			if t.Matched {
				mark = p.st.good("✓")
			}
			route := safetext.Line(t.Route)
			if t.Route == "" {
				route = "''"
			}
			if t.Name != "" {
				route += p.st.dim(" [name=" + safetext.Line(t.Name) + "]")
			}
			p.printf("    %2d %s %s%s\n", i+1, mark, strings.Repeat("  ", t.Depth), route)
			p.printf("         %s%s\n", strings.Repeat("  ", t.Depth), p.st.dim(safetext.Line(t.Why)))
		}
	}
	if m := r.Match; m != nil {
		name := ""
		if m.Name != "" {
			name = "   name " + safetext.Line(m.Name)
		}
		p.printf("  %-10s %s%s\n", "match", safetext.Line(m.Route), name)
		for _, c := range m.Converters {
			p.printf("    %-10s %-8s took %-16s → %s %s\n", safetext.Line(c.Name), "<"+safetext.Line(c.Converter)+">", quote(c.Text), safetext.Line(c.Value), p.st.dim("("+safetext.Line(c.Type)+")"))
		}
	}
	if r.View != "" {
		var args []string
		for _, a := range r.Args {
			if a.Name != "" {
				args = append(args, safetext.Line(a.Name)+"="+safetext.Line(a.Value))
			} else {
				args = append(args, safetext.Line(a.Value))
			}
		}
		p.printf("  %-10s %s\n", "view", safetext.Line(r.View))
		p.printf("  %-10s view(request%s)   ran %s\n", "called", prefixComma(args), fine(r.Took))
	}
	if r.Error != "" {
		p.printf("  %s %s\n", p.st.bad("the view raised:"), safetext.Line(r.Error))
	}
	for _, e := range s.Exchanges {
		if e.Kind == "view" {
			p.responseBytes(e.Received)
		}
	}
}

// responseBytes prints the response as serialised: the head line by line,
// the body as text when it is text, or its size when it is binary.
func (p *Printer) responseBytes(m trace.Message) {
	if len(m.Bytes) == 0 {
		return
	}
	p.printf("  the response, as the server wrote it (%s):\n", facts.Count(m.Size(), "byte", "bytes"))
	head, body, _ := bytes.Cut(m.Bytes, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		p.printf("    %s\n", safetext.Line(line))
	}
	p.printf("    %s\n", p.st.dim("(blank line)"))
	if len(body) == 0 && m.Dropped == 0 {
		return
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		p.printf("    %s\n", p.st.dim(facts.Count(int64(len(body))+m.Dropped, "byte", "bytes")+" of binary body, not shown as text"))
		return
	}
	shown := body
	if len(shown) > maxBodyShown {
		shown = shown[:maxBodyShown]
	}
	for _, line := range strings.Split(strings.TrimRight(string(shown), "\n"), "\n") {
		p.printf("    %s\n", safetext.Text(line))
	}
	if more := int64(len(body)-len(shown)) + m.Dropped; more > 0 {
		p.printf("    %s\n", p.st.dim("… "+facts.Count(more, "more byte", "more bytes")))
	}
}

func quote(s string) string { return "'" + safetext.Line(s) + "'" }

func prefixComma(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return ", " + strings.Join(args, ", ")
}

// fine formats the short timings of server-side steps: microseconds below
// a millisecond, where trace.Dur would print 0.0 ms for all of them.
func fine(d time.Duration) string {
	if d >= time.Millisecond || d < 0 {
		return trace.Dur(d)
	}
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}
