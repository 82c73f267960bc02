package story

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"  // registered so DecodeConfig names a GIF's size
	_ "image/jpeg" // and a JPEG's
	_ "image/png"  // and a PNG's
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"journey/internal/safetext"
	"journey/internal/trace"
)

// Limits of the page's layout. The body is already capped by the engine's
// capture; these bound the work and the text a renderer must hold.
const (
	// PageWidth is the column at which the page's text is wrapped: the
	// 80 columns of a projector's terminal less a two-column margin.
	PageWidth = 78
	// maxPageLines keeps the laid-out page to what a person scrolls
	// through; the rest is counted in one closing line.
	maxPageLines = 2000
	// maxHTMLDepth bounds the walk of the element tree: browsers give up
	// nesting at 512 (Chromium's kMaximumHTMLParserDOMTreeDepth); a page
	// for a class needs far less.
	maxHTMLDepth = 512
	// maxLayoutBytes bounds how much of a body is laid out: maxPageLines
	// lines of PageWidth columns are about 160 KB of text, so 256 KiB of
	// markup fills them, and parsing stays a few milliseconds for a
	// renderer that rebuilds the story as a journey streams in. The rest is
	// counted in a closing line.
	maxLayoutBytes = 256 << 10
)

// bodyOf returns the response's body (decoded when the engine decoded it)
// and its Content-Type.
func bodyOf(e *trace.Exchange, hop *trace.HTTPHop) ([]byte, string) {
	ctype := ""
	if f := findField(e.Received.Fields, "Content-Type"); f != nil {
		ctype = strings.TrimSpace(strings.TrimPrefix(f.Value, "Content-Type:"))
	}
	if hop.Body != nil {
		return hop.Body, ctype
	}
	if f := findField(e.Received.Fields, "body"); f != nil {
		return slice(e.Received.Bytes, f.Offset, f.Length), ctype
	}
	return nil, ctype
}

// layout lays the body out by its type at PageWidth.
func layout(ctype string, body []byte, hop *trace.HTTPHop) *Page {
	return layoutAt(ctype, body, hop, PageWidth)
}

// layoutAt lays the body out by its type, its lines at most width wide.
func layoutAt(ctype string, body []byte, hop *trace.HTTPHop, width int) *Page {
	p := &Page{ContentType: line(ctype), Size: int64(len(body)) + hop.BodyDropped, body: body, hop: hop}
	if hop.Decoded && hop.DecodedSize > 0 {
		p.Size = hop.DecodedSize
	}
	mt, _, _ := mime.ParseMediaType(ctype)
	full := body
	if len(body) > maxLayoutBytes && !strings.HasPrefix(mt, "image/") {
		body = body[:maxLayoutBytes]
	}
	defer func() {
		if len(full) > len(body) {
			p.Text = append(p.Text, fmt.Sprintf("… the page goes on: %s more not laid out", plural(int64(len(full)-len(body)), "byte", "bytes")))
		}
	}()
	switch {
	case len(hop.Encodings) > 0 && !hop.Decoded:
		// Still compressed: laid out, it would be noise.
		p.Text = wrap(fmt.Sprintf("%s of %s, compressed (%s) and not decoded: --compressed decodes it.", plural(p.Size, "byte", "bytes"), orUnknown(mt), line(strings.Join(hop.Encodings, ", "))), width)
	case mt == "text/html" || mt == "application/xhtml+xml" || (mt == "" && looksHTML(body)):
		p.Text, p.Links = HTMLText(body, width)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		p.Text = jsonText(body, width)
	case strings.HasPrefix(mt, "image/"):
		p.Text = wrap(imageLine(mt, body, p.Size)+": a terminal cannot show it.", width)
	case strings.HasPrefix(mt, "text/") || utf8.Valid(body):
		p.Text = plainText(string(body), width)
	default:
		p.Text = wrap(fmt.Sprintf("%s of %s: not text, not shown.", plural(p.Size, "byte", "bytes"), orUnknown(p.ContentType)), width)
	}
	if len(p.Text) > maxPageLines {
		more := len(p.Text) - maxPageLines
		p.Text = append(p.Text[:maxPageLines:maxPageLines], fmt.Sprintf("… %s more", plural(int64(more), "line", "lines")))
	}
	return p
}

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed type"
	}
	return s
}

func looksHTML(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// jsonText indents a JSON body; a body that is not JSON is shown as text.
func jsonText(b []byte, width int) []string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return plainText(string(b), width)
	}
	return plainText(out.String(), width)
}

// imageLine names an image: its type, its size, and its pixels when the
// header can be read.
func imageLine(mt string, b []byte, size int64) string {
	s := fmt.Sprintf("an image (%s), %s", line(mt), plural(size, "byte", "bytes"))
	if cfg, format, err := image.DecodeConfig(bytes.NewReader(b)); err == nil {
		s += fmt.Sprintf(", %d×%d pixels (%s)", cfg.Width, cfg.Height, format)
	}
	return s
}

// plainText splits text into lines, each made safe and wrapped.
func plainText(s string, width int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, wrap(safetext.Line(strings.TrimRight(l, "\r")), width)...)
		if len(out) > maxPageLines {
			break
		}
	}
	return out
}

// HTMLText lays an HTML document out as text the way a text browser does
// (lynx, w3m): the title first (it goes in the browser's tab), headings underlined, paragraphs and list
// items as blocks separated by blank lines, each link followed by its
// number in brackets, and the links listed in the second result. Scripts,
// styles and the head are not shown. Every line is safe to print and at
// most width columns wide (a word longer than that is cut).
func HTMLText(body []byte, width int) (lines, links []string) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return plainText(string(body), width), nil
	}
	w := &htmlWriter{width: width}
	if t := findTitle(doc, 0); t != "" {
		// The title is not on the page: a browser shows it in the tab.
		w.text("(tab title: " + t + ")")
		w.block()
	}
	w.walk(doc, 0)
	w.flush()
	// Trailing blank lines say nothing.
	for len(w.lines) > 0 && w.lines[len(w.lines)-1] == "" {
		w.lines = w.lines[:len(w.lines)-1]
	}
	if len(w.links) > 0 {
		w.lines = append(w.lines, "", "Links:")
		for i, l := range w.links {
			w.lines = append(w.lines, wrap(fmt.Sprintf("[%d] %s", i+1, l), width)...)
		}
	}
	return w.lines, w.links
}

func findTitle(n *html.Node, depth int) string {
	if depth > maxHTMLDepth {
		return ""
	}
	if n.Type == html.ElementNode && n.Data == "title" {
		return strings.Join(strings.Fields(textOf(n, 0)), " ")
	}
	if n.Type == html.ElementNode && n.Data == "body" {
		return ""
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if t := findTitle(c, depth+1); t != "" {
			return t
		}
	}
	return ""
}

func textOf(n *html.Node, depth int) string {
	if depth > maxHTMLDepth {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c, depth+1))
	}
	return b.String()
}

// htmlWriter accumulates inline text into blocks and wraps them.
type htmlWriter struct {
	width  int
	lines  []string
	cur    strings.Builder // the current block's inline text
	prefix string          // a list item's bullet, for the block's first line
	indent int             // columns of indent for lists
	pre    int             // inside <pre>: keep the text's own lines
	links  []string
	lists  []int // each open list's next number; 0 for a bulleted list
	done   bool  // maxPageLines reached
}

var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "header": true, "footer": true, "main": true,
	"nav": true, "aside": true, "blockquote": true, "ul": true, "ol": true, "li": true, "dl": true, "dt": true,
	"dd": true, "table": true, "tr": true, "form": true, "figure": true, "figcaption": true, "address": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "pre": true, "hr": true,
}

var skipTags = map[string]bool{"head": true, "script": true, "style": true, "template": true, "noscript": true}

func (w *htmlWriter) walk(n *html.Node, depth int) {
	if depth > maxHTMLDepth || w.done {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if skipTags[n.Data] {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	tag := n.Data
	if n.Type != html.ElementNode {
		tag = ""
	}
	switch tag {
	case "br":
		w.flush()
		return
	case "hr":
		w.block()
		w.lines = append(w.lines, strings.Repeat("─", min(w.width, 40)))
		return
	case "img":
		if alt := attr(n, "alt"); alt != "" {
			w.text("[" + alt + "]")
		} else {
			w.text("[image]")
		}
		return
	case "ul", "ol":
		w.block()
		start := 0
		if tag == "ol" {
			start = 1
		}
		w.lists = append(w.lists, start)
		w.indent += 2
		defer func() { w.lists = w.lists[:len(w.lists)-1]; w.indent -= 2; w.block() }()
	case "li":
		w.flush()
		w.prefix = "• "
		if k := len(w.lists); k > 0 && w.lists[k-1] > 0 {
			w.prefix = fmt.Sprintf("%d. ", w.lists[k-1])
			w.lists[k-1]++
		}
	case "pre":
		w.block()
		w.pre++
		defer func() { w.block(); w.pre-- }()
	default:
		if blockTags[tag] {
			w.block()
			defer w.block()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	switch tag {
	case "h1":
		w.flush()
		w.underline('=')
	case "h2":
		w.flush()
		w.underline('-')
	case "td", "th":
		w.text(" ")
	case "a":
		if href := attr(n, "href"); href != "" {
			w.links = append(w.links, safetext.Line(href))
			w.cur.WriteString(fmt.Sprintf("[%d]", len(w.links)))
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text adds inline text: white space collapses as a browser collapses it,
// except inside <pre>.
func (w *htmlWriter) text(s string) {
	if w.pre > 0 {
		parts := strings.Split(s, "\n")
		for i, p := range parts {
			if i > 0 {
				w.flushRaw()
			}
			w.cur.WriteString(p)
		}
		return
	}
	if s == "" {
		return
	}
	lead := strings.IndexFunc(s[:1], isSpace) == 0
	trail := strings.IndexFunc(s[len(s)-1:], isSpace) == 0
	f := strings.Fields(s)
	if len(f) == 0 {
		if w.cur.Len() > 0 && !strings.HasSuffix(w.cur.String(), " ") {
			w.cur.WriteByte(' ')
		}
		return
	}
	if lead && w.cur.Len() > 0 && !strings.HasSuffix(w.cur.String(), " ") {
		w.cur.WriteByte(' ')
	}
	w.cur.WriteString(strings.Join(f, " "))
	if trail {
		w.cur.WriteByte(' ')
	}
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

// flush ends the current line of inline text, wrapped.
func (w *htmlWriter) flush() {
	t := strings.TrimSpace(w.cur.String())
	w.cur.Reset()
	if t == "" {
		if w.prefix != "" {
			w.prefix = ""
		}
		return
	}
	pad := strings.Repeat(" ", max(w.indent-2, 0))
	first := pad + w.prefix
	rest := pad + strings.Repeat(" ", utf8.RuneCountInString(w.prefix))
	w.prefix = ""
	ls := wrap(safetext.Line(t), w.width-utf8.RuneCountInString(first))
	for i, l := range ls {
		if i == 0 {
			w.push(first + l)
		} else {
			w.push(rest + l)
		}
	}
}

// flushRaw ends a line of preformatted text as it is.
func (w *htmlWriter) flushRaw() {
	t := w.cur.String()
	w.cur.Reset()
	for _, l := range wrap(safetext.Line(strings.TrimRight(t, "\r")), w.width) {
		w.push(l)
	}
}

func (w *htmlWriter) push(l string) {
	if len(w.lines) >= maxPageLines {
		w.done = true
		return
	}
	w.lines = append(w.lines, l)
}

// block ends the current block: a blank line separates blocks, once.
func (w *htmlWriter) block() {
	if w.pre > 0 {
		w.flushRaw()
	} else {
		w.flush()
	}
	if len(w.lines) > 0 && w.lines[len(w.lines)-1] != "" {
		w.push("")
	}
}

// underline draws a heading's rule under the line just written.
func (w *htmlWriter) underline(r rune) {
	if len(w.lines) == 0 || w.lines[len(w.lines)-1] == "" {
		return
	}
	n := utf8.RuneCountInString(w.lines[len(w.lines)-1])
	w.push(strings.Repeat(string(r), n))
	w.push("")
}

// wrap breaks s into lines of at most width runes at spaces; a word longer
// than width is cut. Width is at least 10.
func wrap(s string, width int) []string {
	width = max(width, 10)
	if utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	var out []string
	var cur []rune
	for _, word := range strings.Split(s, " ") {
		r := []rune(word)
		for len(r) > width {
			if len(cur) > 0 {
				out = append(out, string(cur))
				cur = nil
			}
			out = append(out, string(r[:width]))
			r = r[width:]
		}
		switch {
		case len(cur) == 0:
			cur = r
		case len(cur)+1+len(r) <= width:
			cur = append(append(cur, ' '), r...)
		default:
			out = append(out, string(cur))
			cur = r
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// pageTitle is the page step's label.
func pageTitle(p *Page) string {
	mt, _, _ := mime.ParseMediaType(p.ContentType)
	if mt == "" {
		mt = "the body"
	}
	return fmt.Sprintf("the page: %s, %s", mt, plural(p.Size, "byte", "bytes"))
}

// pageNarration says what the page is and how it is shown.
func pageNarration(p *Page, hop *trace.HTTPHop, body []byte) string {
	mt, _, _ := mime.ParseMediaType(p.ContentType)
	var n strings.Builder
	switch {
	case len(hop.Encodings) > 0 && !hop.Decoded:
		fmt.Fprintf(&n, "Last, the body: %s of %s, still compressed (Content-Encoding: %s). A browser decodes it before laying it out; journey does so when asked, with --compressed.", plural(p.Size, "byte", "bytes"), orUnknown(mt), line(strings.Join(hop.Encodings, ", ")))
		return n.String()
	case mt == "text/html":
		fmt.Fprintf(&n, "Last, the page: %s of HTML. A browser does not show the markup; it lays it out, headings, paragraphs and links, as shown here in text", plural(p.Size, "byte", "bytes"))
		if len(p.Links) > 0 {
			fmt.Fprintf(&n, " (%s, numbered)", plural(int64(len(p.Links)), "link", "links"))
		}
		n.WriteString(".")
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		fmt.Fprintf(&n, "Last, the body: %s of JSON (Content-Type: %s), data for a program rather than a page for a person. It is shown indented; on the wire it came as compact as the view wrote it.", plural(p.Size, "byte", "bytes"), p.ContentType)
	case strings.HasPrefix(mt, "image/"):
		fmt.Fprintf(&n, "Last, the body: %s. A terminal cannot draw it, so it is named by its type and size.", imageLine(mt, body, p.Size))
	default:
		fmt.Fprintf(&n, "Last, the body: %s of %s, shown as text.", plural(p.Size, "byte", "bytes"), orUnknown(mt))
	}
	switch hop.Status {
	case 404:
		n.WriteString(" It is the debug 404 page: every pattern the router tried, in order, and why none matched.")
	case 500:
		n.WriteString(" It is the debug 500 page: the exception the view raised. A real site hides this from visitors.")
	}
	if hop.Decoded && len(hop.Encodings) > 0 {
		fmt.Fprintf(&n, " It came as %s (%s on the wire) and was decoded first.", line(strings.Join(hop.Encodings, ", ")), plural(hop.BodySize, "byte", "bytes"))
	}
	if (mt == "" || strings.HasPrefix(mt, "text/") || strings.Contains(mt, "json") || strings.Contains(mt, "xml")) && hostile(body) {
		n.WriteString(" It holds terminal escape sequences or bidi controls: they are shown escaped (\\x1b, \\u202e), never executed, so a page cannot take over your terminal.")
	}
	return n.String()
}

// hostile reports whether the body holds what a terminal would obey: an
// escape, a bell, a C1 control or a bidi override or isolate. Tabs and
// line ends are layout, not attacks.
func hostile(body []byte) bool {
	for _, r := range string(body) {
		switch {
		case r == 0x1b, r == 0x07, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return true
		}
	}
	return false
}

// Wrap breaks s into lines of at most width columns at spaces, as the tour
// and the plain report lay out a narration; a word longer than width is cut.
func Wrap(s string, width int) []string { return wrap(s, width) }
