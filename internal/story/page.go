package story

import "journey/internal/trace"

// Page is the body of the last response, laid out for a person: an HTML page
// as text the way a browser lays it out, JSON indented, an image named.
type Page struct {
	ContentType string // from the Content-Type header, safe to print
	Size        int64  // the body's size as decoded (or on the wire when not decoded)
	// Text is the page laid out, one string per line, safe to print.
	Text []string
	// Links are the page's links in order, safe to print.
	Links []string

	body []byte // what Text was laid out from, for Lines
	hop  *trace.HTTPHop
}

// Lines lays the page out again for another width (a renderer whose text
// starts past a margin); Text is the layout at PageWidth.
func (p *Page) Lines(width int) []string {
	if width == PageWidth || p.hop == nil {
		return p.Text
	}
	return layoutAt(p.ContentType, p.body, p.hop, width).Text
}

// page adds the last step: the page as a browser would show it.
func (b *builder) page() {
	h := b.j.Stage(trace.StageHTTP)
	if h == nil || h.HTTP == nil || len(h.HTTP.Hops) == 0 {
		return
	}
	hop := h.HTTP.Hops[len(h.HTTP.Hops)-1]
	if hop.Exchange < 0 || hop.Exchange >= len(h.Exchanges) || h.Exchanges[hop.Exchange] == nil {
		return
	}
	e := h.Exchanges[hop.Exchange]
	body, ctype := bodyOf(e, &hop)
	if len(body) == 0 && hop.BodySize == 0 {
		return
	}
	p := layout(ctype, body, &hop)
	b.add(Step{Stage: trace.StageHTTP, Kind: KindPage, From: you, To: you, Start: e.Start + e.Duration,
		Exchange: e, ExchangeIndex: hop.Exchange, Dir: DirReceived, Bytes: body,
		Title: pageTitle(p), Narration: pageNarration(p, &hop, body), Page: p})
}
