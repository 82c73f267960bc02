package tui

import (
	"fmt"
	"strconv"
	"strings"

	"journey/internal/facts"
	"journey/internal/trace"
)

// The field tree ends with the stage's result: what the stage found, as a
// tree of name and value with no bytes behind it (the environment the
// gateway built, the patterns the router tried, the certificate chain).
// Values are made safe where the tree is drawn, like every field.

// maxResultRows bounds one result list: a URL file may hold hundreds of
// patterns, a response dozens of headers; the rest is counted.
const maxResultRows = 200

// resultFields is the selected stage's result as fields without bytes.
func resultFields(s *trace.Stage) []trace.Field {
	if s == nil {
		return nil
	}
	var fs []trace.Field
	switch {
	case s.Address != nil:
		fs = addressResult(s.Address)
	case s.DNS != nil:
		fs = dnsResult(s.DNS, facts.DNSOf(s))
	case s.Connect != nil:
		fs = connectResult(s.Connect, facts.TLSOf(s))
	case s.HTTP != nil:
		fs = httpResult(s.HTTP)
	case s.Gateway != nil:
		fs = gatewayResult(s.Gateway)
	case s.Router != nil:
		fs = routerResult(s.Router)
	}
	return fs
}

func kv(name, value string, kids ...trace.Field) trace.Field {
	return trace.Field{Name: name, Value: value, Children: kids}
}

// bounded keeps at most maxResultRows fields and says how many more there were.
func bounded(fs []trace.Field) []trace.Field {
	if len(fs) <= maxResultRows {
		return fs
	}
	n := len(fs) - maxResultRows
	return append(fs[:maxResultRows:maxResultRows], kv("…", fmt.Sprintf("%d more not listed", n)))
}

func addressResult(a *trace.Address) []trace.Field {
	fs := []trace.Field{kv("URL", a.URL), kv("scheme", a.Scheme), kv("host", a.Host)}
	if a.ASCIIHost != a.Host {
		fs = append(fs, kv("on the wire", a.ASCIIHost))
	}
	fs = append(fs, kv("port", strconv.Itoa(a.Port)), kv("path", a.Path))
	if a.Query != "" {
		fs = append(fs, kv("query", a.Query))
	}
	if a.Fragment != "" {
		fs = append(fs, kv("fragment", a.Fragment+" (never sent)"))
	}
	var parts []trace.Field
	for _, p := range a.Parts {
		v := p.Name
		if p.Unicode != "" {
			v += " (" + p.Unicode + ")"
		}
		parts = append(parts, kv(p.Role, v))
	}
	if len(parts) > 0 {
		fs = append(fs, kv("read right to left", "", bounded(parts)...))
	}
	return fs
}

func dnsResult(d *trace.DNS, out facts.DNS) []trace.Field {
	fs := []trace.Field{kv("name", d.Name), kv("method", d.Method)}
	if d.Resolver != "" {
		fs = append(fs, kv("resolver", d.Resolver))
	}
	if out.Aliased() {
		fs = append(fs, kv("CNAME chain", strings.Join(out.Chain, " → ")))
	}
	var addrs []trace.Field
	for _, a := range d.Addresses {
		addrs = append(addrs, kv("address", a))
	}
	fs = append(fs, kv("addresses", strconv.Itoa(len(d.Addresses)), bounded(addrs)...))
	fs = append(fs, kv("queries", strconv.Itoa(out.Queries)), kv("referrals", strconv.Itoa(d.Referrals)))
	if d.RCode != "" {
		fs = append(fs, kv("response code", d.RCode))
	}
	return fs
}

func connectResult(c *trace.Connect, v facts.TLS) []trace.Field {
	fs := []trace.Field{kv("remote", c.Remote), kv("local", c.Local), kv("TCP handshake", trace.Dur(c.TCP))}
	if c.Via != "" {
		fs = append(fs, kv("lab route", c.Via))
	}
	for _, a := range c.Attempts {
		if a.Error != "" {
			fs = append(fs, kv("failed attempt", a.Addr+": "+a.Error))
		}
	}
	if t := c.TLS; t != nil {
		tls := []trace.Field{kv("version", t.Version), kv("cipher suite", t.CipherSuite), kv("ALPN", orDash(t.ALPN)), kv("SNI", orDash(t.ServerName)),
			kv("handshake", trace.Dur(t.Handshake))}
		switch v.Verdict {
		case facts.Verified:
			tls = append(tls, kv("verified", "yes"))
		case facts.VerifiedWithK:
			tls = append(tls, kv("verified", "yes (-k was not needed)"))
		case facts.UnverifiedWithK:
			tls = append(tls, kv("verified", "NO, -k went on anyway: "+v.Why))
		default:
			tls = append(tls, kv("verified", "no: "+v.Why))
		}
		var chain []trace.Field
		for i, cert := range t.Chain {
			chain = append(chain, kv(fmt.Sprintf("certificate %d", i), cert.Subject,
				kv("issuer", cert.Issuer),
				kv("valid", cert.NotBefore.Format("2006-01-02")+" to "+cert.NotAfter.Format("2006-01-02")),
				kv("names", strings.Join(append(append([]string{}, cert.DNSNames...), cert.IPs...), ", ")),
				kv("key", cert.KeyType), kv("signature", cert.Signature)))
		}
		if len(chain) > 0 {
			tls = append(tls, kv("chain", strconv.Itoa(len(chain)), bounded(chain)...))
		}
		fs = append(fs, kv("TLS", t.Version, tls...))
	}
	return fs
}

func httpResult(h *trace.HTTP) []trace.Field {
	var fs []trace.Field
	for i, hop := range h.Hops {
		t := hop.Timing
		kids := []trace.Field{
			kv("status", fmt.Sprintf("%d %s", hop.Status, hop.Reason)),
			kv("TCP connect", trace.Dur(t.Connect)),
		}
		if t.TLS > 0 {
			kids = append(kids, kv("TLS handshake", trace.Dur(t.TLS)))
		}
		kids = append(kids, kv("request written", trace.Dur(t.Write)), kv("server processing", trace.Dur(t.TTFB)),
			kv("content transfer", trace.Dur(t.Transfer)), kv("total", trace.Dur(t.Total)))
		if hop.Location != "" {
			kids = append(kids, kv("redirect to", hop.Location))
		}
		if hop.Chunked {
			kids = append(kids, kv("framing", "chunked"))
		} else if hop.ContentLength >= 0 {
			kids = append(kids, kv("Content-Length", strconv.FormatInt(hop.ContentLength, 10)))
		}
		if len(hop.Encodings) > 0 {
			kids = append(kids, kv("encodings", strings.Join(hop.Encodings, ", ")))
		}
		kids = append(kids, kv("body", facts.Count(hop.BodySize, "byte", "bytes")))
		fs = append(fs, kv(fmt.Sprintf("hop %d", i+1), hop.Method+" "+hop.URL, kids...))
	}
	return bounded(fs)
}

func gatewayResult(g *trace.Gateway) []trace.Field {
	fs := []trace.Field{kv("request", g.Method+" "+g.Target+" "+g.Proto)}
	if g.Client != "" {
		fs = append(fs, kv("client", g.Client))
	}
	var env []trace.Field
	for _, e := range g.Environ {
		v := e.Value
		if e.From != "" {
			v += "   ← " + e.From
		}
		env = append(env, kv(e.Name, v))
	}
	if len(env) > 0 {
		fs = append(fs, kv("environ", facts.Count(len(env), "key", "keys"), bounded(env)...))
	}
	var mw []trace.Field
	for _, s := range g.Middleware {
		mw = append(mw, kv(s.Direction+": "+s.Middleware, s.Action+" ("+trace.Dur(s.Duration)+")"))
	}
	if len(mw) > 0 {
		fs = append(fs, kv("middleware", strconv.Itoa(len(mw)), bounded(mw)...))
	}
	var steps []trace.Field
	for _, s := range g.Steps {
		steps = append(steps, kv(s.Name, trace.Dur(s.Duration)+" "+s.Detail))
	}
	if len(steps) > 0 {
		fs = append(fs, kv("steps", strconv.Itoa(len(steps)), bounded(steps)...))
	}
	if r := g.Response; r != nil {
		var hs []trace.Field
		for _, h := range r.Headers {
			hs = append(hs, kv(h.Name, h.Value))
		}
		fs = append(fs, kv("response", fmt.Sprintf("%d %s, %s", r.Status, r.Reason, facts.Count(r.BodySize, "body byte", "body bytes")), bounded(hs)...))
	}
	return fs
}

func routerResult(r *trace.Router) []trace.Field {
	fs := []trace.Field{kv("path", strconv.Quote(r.Path))}
	if r.URLConf != "" {
		fs = append(fs, kv("URL conf", r.URLConf))
	}
	var tried []trace.Field
	for _, t := range r.Tried {
		mark := "✗ "
		if t.Matched {
			mark = "✓ "
		}
		tried = append(tried, kv(mark+strconv.Quote(t.Route), t.Why))
	}
	fs = append(fs, kv("patterns tried", strconv.Itoa(len(tried)), bounded(tried)...))
	if m := r.Match; m != nil {
		var conv []trace.Field
		for _, c := range m.Converters {
			conv = append(conv, kv(c.Name, fmt.Sprintf("%q → %s %s (%s)", c.Text, c.Type, c.Value, c.Converter)))
		}
		fs = append(fs, kv("match", strconv.Quote(m.Route), bounded(conv)...))
	} else {
		fs = append(fs, kv("match", "none: 404"))
	}
	if r.View != "" {
		var args []trace.Field
		for _, a := range r.Args {
			args = append(args, kv(orDash(a.Name), a.Value))
		}
		fs = append(fs, kv("view", r.View, bounded(args)...))
	}
	if r.Status != 0 {
		fs = append(fs, kv("status", strconv.Itoa(r.Status)))
	}
	if r.Error != "" {
		fs = append(fs, kv("error", r.Error))
	}
	return fs
}
