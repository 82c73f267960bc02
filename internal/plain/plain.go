// Package plain owns the plain-text report: the journey as a person reads
// it top to bottom, in the spirit of dig +trace, curl -v and httpstat
// together. It reads only the trace, so a replay prints the same bytes as
// the run that recorded it.
package plain

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"journey/internal/explain"
	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// Width is the report's line width for rules and right-aligned timings.
const Width = 78

// Options configure the report.
type Options struct {
	Color bool // ANSI colours and bold
	Bytes bool // hex dumps of every DNS packet
	// Replay names the file a recorded journey was read from ("-" for
	// standard input); empty for a journey running now. The header then
	// says it is a replay, of which file, recorded when.
	Replay string
}

// Printer writes a report, stage by stage, as the journey streams in.
type Printer struct {
	w   io.Writer
	opt Options
	st  styles
}

// New returns a Printer writing to w.
func New(w io.Writer, opt Options) *Printer {
	return &Printer{w: w, opt: opt, st: newStyles(opt.Color)}
}

// Render writes the whole report of a finished journey.
func Render(w io.Writer, j *trace.Journey, opt Options) {
	NewStream(w, opt, false).Finish(j)
}

// Header writes the report's first lines.
func (p *Printer) Header(j *trace.Journey) {
	p.Title(j.Version, j.Mode, j.Target)
	p.headerRest(j)
}

// Title writes the header's first line, which names the target: the
// stream prints it before the journey starts (issue 15).
func (p *Printer) Title(version string, mode trace.Mode, target string) {
	p.printf("%s %s · %s · %s\n", p.st.bold("journey"), safetext.Line(version), safetext.Line(string(mode)), safetext.Line(facts.Shorten(target, facts.MaxHeaderTarget)))
}

// headerRest writes the header after its first line.
func (p *Printer) headerRest(j *trace.Journey) {
	if p.opt.Replay != "" {
		from := safetext.Line(p.opt.Replay)
		if p.opt.Replay == "-" {
			from = "standard input"
		}
		p.printf("%s\n", p.st.dim(wrapLine("replay of "+from+", recorded "+j.Started.Format("2006-01-02 15:04:05 MST")+": nothing is sent now; every byte and time below is the recording's", 0, "")))
		if j.Mode == trace.ModeLab {
			p.printf("%s\n", p.st.dim(wrapLine("lab: every server was a real socket on the recording machine's loopback; the addresses shown are the lab's documentation addresses", 0, "")))
		}
		return
	}
	p.printf("%s\n", p.st.dim("started "+j.Started.Format("2006-01-02 15:04:05 MST")))
	if j.Mode == trace.ModeLab {
		p.printf("%s\n", p.st.dim(wrapLine("lab: every server below is a real socket on this machine's loopback; the addresses shown are the lab's documentation addresses", 0, "")))
	}
}

// Stage writes one finished stage.
func (p *Printer) Stage(j *trace.Journey, s *trace.Stage) {
	if s == nil {
		return
	}
	p.heading(s)
	switch s.Kind {
	case trace.StageAddress:
		p.address(s)
	case trace.StageDNS:
		p.dns(s)
	case trace.StageConnect:
		p.connect(s)
	case trace.StageHTTP:
		p.http(s)
	case trace.StageGateway:
		p.gateway(s)
	case trace.StageRouter:
		p.router(s)
	}
	for _, n := range facts.Notes(s) {
		p.printf("  %s %s\n", p.st.note("note:"), wrapLine(safetext.Line(n), 8, "        "))
	}
	if s.Error != "" {
		p.printf("  %s %s\n", p.st.bad("failed:"), wrapLine(safetext.Line(s.Error), 10, "          "))
	}
}

// Summary writes the waterfall and the journey's outcome.
func (p *Printer) Summary(j *trace.Journey) {
	p.waterfall(j)
	p.printf("\n")
	if j.Error != "" {
		p.printf("%s %s\n", p.st.bad("journey stopped:"), wrapLine(safetext.Line(j.Error), 17, "  "))
	} else {
		p.printf("%s in %s\n", p.st.good("journey complete"), trace.Dur(j.Duration))
	}
	p.printf("%s\n", p.st.dim(timingLine(facts.TimingOf(j))))
	// The line above gives every figure; the sentence says which cost
	// most, and that its total runs to the response's last byte (the
	// journey's own end, above, comes after the server's side is told).
	if share := explain.Share(j); share != "" {
		p.printf("%s\n", wrapWhole(share, 0, ""))
	}
}

// timingLine is the journey's time in one line, split as httpstat splits
// it: the phases reached (for the final request, after the redirects
// before it), then the total, curl's time_total. All in milliseconds, the
// unit said once, so the line fits the report's width.
func timingLine(t facts.Timing) string {
	var parts []string
	add := func(name string, d time.Duration) {
		parts = append(parts, fmt.Sprintf("%s %.1f", name, float64(d)/float64(time.Millisecond)))
	}
	if t.DNS > 0 {
		add("DNS", t.DNS)
	}
	if t.Redirect > 0 {
		add("redirects", t.Redirect-t.NameLookup)
	}
	if t.TCP > 0 {
		add("connect", t.TCP)
	}
	if t.HTTPS && t.TLS > 0 {
		add("TLS", t.TLS)
	}
	if t.Complete {
		add("server", t.Server)
		add("transfer", t.Transfer)
	}
	add("total", t.Total)
	return strings.Join(parts, " · ") + " ms"
}

// heading is the stage's rule: number, title, status, time.
func (p *Printer) heading(s *trace.Stage) {
	left := fmt.Sprintf("━━ %d · %s ", s.Kind.Index(), s.Kind.Title())
	right := ""
	switch s.Status {
	case trace.StatusSkipped:
		right = " skipped"
	case trace.StatusFailed:
		right = " failed after " + trace.Dur(s.Duration)
	case trace.StatusRunning:
		right = " cut short"
	case trace.StatusPending:
		right = " not reached"
	default:
		right = " " + trace.Dur(s.Duration)
	}
	fill := Width - len([]rune(left)) - len([]rune(right))
	if fill < 3 {
		fill = 3
	}
	p.printf("\n%s\n", p.st.heading(left+strings.Repeat("━", fill)+right))
}

func (p *Printer) printf(format string, args ...any) {
	fmt.Fprintf(p.w, format, args...)
}

// address writes the address stage.
func (p *Printer) address(s *trace.Stage) {
	a := s.Address
	if a == nil {
		return
	}
	row := func(k, v string) { p.printf("  %-10s %s\n", k, v) }
	row("URL", safetext.Line(a.URL))
	scheme := safetext.Line(a.Scheme)
	if a.SchemeAssumed {
		scheme += p.st.dim("   (no scheme was typed: http is assumed)")
	}
	row("scheme", scheme)
	host := safetext.Line(a.Host)
	if a.ASCIIHost != a.Host {
		host += "   on the wire: " + safetext.Line(a.ASCIIHost) + p.st.dim(" (punycode)")
	}
	if a.IsIP {
		host += p.st.dim("   (an IP address: no DNS needed)")
	}
	row("host", host)
	port := fmt.Sprint(a.Port)
	if a.PortDefault {
		port += p.st.dim("   (the default for " + safetext.Line(a.Scheme) + ")")
	}
	row("port", port)
	row("path", safetext.Line(a.Path))
	if a.Query != "" {
		row("query", safetext.Line(a.Query))
	}
	if a.Fragment != "" {
		row("fragment", safetext.Line(a.Fragment)+p.st.dim("   (kept by the client, never sent)"))
	}
	if len(a.Parts) == 0 {
		return
	}
	p.printf("  the host read right to left, as DNS reads it:\n")
	names := make([]string, len(a.Parts))
	width := 0
	for i, part := range a.Parts {
		names[i] = safetext.Line(part.Name)
		if part.Unicode != "" {
			names[i] += " (" + safetext.Line(part.Unicode) + ")"
		}
		width = max(width, utf8.RuneCountInString(names[i]))
	}
	for i, part := range a.Parts {
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(names[i]))
		p.printf("    %s%s  %s\n", names[i], pad, p.st.dim(roleText(part, a)))
	}
}

func roleText(part trace.HostPart, a *trace.Address) string {
	switch part.Role {
	case "root":
		return "the root: where every lookup starts"
	case "tld":
		if part.Name == a.PublicSuffix {
			return "top-level domain, and the public suffix"
		}
		return "top-level domain"
	case "suffix":
		if part.Name == a.PublicSuffix {
			return "public suffix: names are registered under it"
		}
		return "part of the public suffix " + a.PublicSuffix
	case "registrable":
		return "registrable domain: what its owner bought"
	default:
		return "subdomain, chosen by the domain's owner"
	}
}

// warm writes the second visit (--warm) after the first: its stages, its
// waterfall and summary, then the two visits' times side by side.
func (p *Printer) warm(first, w *trace.Journey) {
	p.printf("\n%s\n", p.st.bold(wrapLine("second visit (--warm): the same page again, as a browser's second visit: the name from its cache, the connection kept open, the page revalidated", 0, "")))
	for _, kind := range trace.StageOrder {
		if st := w.Stage(kind); st != nil && st.Status != trace.StatusPending && st.Status != trace.StatusRunning {
			p.Stage(w, st)
		}
	}
	p.Summary(w)
	if w.Error != "" {
		return // the summary says why it stopped: no times to set side by side
	}
	p.printf("%s\n", p.st.bold(fmt.Sprintf("first visit %s, second visit %s", trace.Dur(first.Duration), trace.Dur(w.Duration))))
}
