package story_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"journey/internal/safetext"
	"journey/internal/story"
)

func TestHTMLText(t *testing.T) {
	tests := []struct {
		name  string
		html  string
		width int
		lines []string
		links []string
	}{
		{name: "title and heading",
			html:  "<!DOCTYPE html><html><head><title>example</title></head><body><h1>Articles from 2024</h1></body></html>",
			width: 78,
			lines: []string{"(tab title: example)", "", "Articles from 2024", "=================="}},
		{name: "paragraphs are blocks",
			html:  "<p>One   paragraph\n with  spaces.</p><p>Two.</p>",
			width: 78,
			lines: []string{"One paragraph with spaces.", "", "Two."}},
		{name: "second-level heading",
			html:  "<h2>Sub</h2><p>text</p>",
			width: 78,
			lines: []string{"Sub", "---", "", "text"}},
		{name: "links numbered and listed",
			html:  `<p>See <a href="/blog/">the blog</a> and <a href="https://example.com/">this</a>.</p>`,
			width: 78,
			lines: []string{"See the blog[1] and this[2].", "", "Links:", "[1] /blog/", "[2] https://example.com/"},
			links: []string{"/blog/", "https://example.com/"}},
		{name: "bulleted and numbered lists",
			html:  "<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>",
			width: 78,
			lines: []string{"• one", "• two", "", "1. first", "2. second"}},
		{name: "wrapped at the width",
			html:  "<p>aaaa bbbb cccc dddd eeee ffff</p>",
			width: 12,
			lines: []string{"aaaa bbbb", "cccc dddd", "eeee ffff"}},
		{name: "scripts and styles are not shown",
			html:  "<head><style>p{}</style><script>alert(1)</script></head><body><p>shown</p><script>x()</script></body>",
			width: 78,
			lines: []string{"shown"}},
		{name: "preformatted text keeps its lines",
			html:  "<pre>a  b\n  c</pre>",
			width: 78,
			lines: []string{"a  b", "  c"}},
		{name: "line break",
			html:  "<p>one<br>two</p>",
			width: 78,
			lines: []string{"one", "two"}},
		{name: "an image by its alt text",
			html:  `<p><img src="/logo.png" alt="the logo"></p>`,
			width: 78,
			lines: []string{"[the logo]"}},
		{name: "entities decoded",
			html:  "<p>&lt;b&gt; &amp; caf&eacute;</p>",
			width: 78,
			lines: []string{"<b> & café"}},
		{name: "hostile text escaped",
			html:  "<p>\x1b[2Jclear \u202eevil</p>",
			width: 78,
			lines: []string{safetext.Line("\x1b[2Jclear \u202eevil")}},
		{name: "empty", html: "", width: 78, lines: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines, links := story.HTMLText([]byte(tc.html), tc.width)
			if strings.Join(lines, "\n") != strings.Join(tc.lines, "\n") {
				t.Errorf("lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tc.lines, "\n"))
			}
			if strings.Join(links, " ") != strings.Join(tc.links, " ") {
				t.Errorf("links %q, want %q", links, tc.links)
			}
			checkLines(t, lines, tc.width)
		})
	}
}

// checkLines fails on a line wider than width or not safe to print.
func checkLines(t *testing.T, lines []string, width int) {
	t.Helper()
	for _, l := range lines {
		if utf8.RuneCountInString(l) > width {
			t.Errorf("line %q is wider than %d", l, width)
		}
		if !safetext.IsSafe(l) {
			t.Errorf("line %q is not safe to print", l)
		}
	}
}

// TestHTMLTextDeep lays out a page nested deeper than browsers allow, and
// a page of many paragraphs, without running away: the lines stay bounded.
func TestHTMLTextDeep(t *testing.T) {
	deep := strings.Repeat("<div>", 100000) + "deep" + strings.Repeat("</div>", 100000)
	lines, _ := story.HTMLText([]byte(deep), 78)
	checkLines(t, lines, 78)
	long := strings.Repeat("<p>a paragraph</p>", 50000)
	lines, _ = story.HTMLText([]byte(long), 78)
	if len(lines) > 2001 {
		t.Errorf("%d lines from 50000 paragraphs: the layout is not bounded", len(lines))
	}
	checkLines(t, lines, 78)
}

// TestPages checks the page step of the lab's kinds of body: HTML as
// text, JSON indented, plain text, with the lesson in the narration.
func TestPages(t *testing.T) {
	tests := []struct {
		lab       string
		title     string
		narration string
		text      string // a line of the laid-out page
	}{
		{lab: "int converter", title: "text/html", narration: "of HTML", text: "Articles from 2024"},
		{lab: "json", title: "application/json", narration: "shown indented", text: `  "status": "ok"`},
		{lab: "404", title: "text/html", narration: "debug 404 page", text: "Page not found (404)"},
		{lab: "500", title: "text/html", narration: "debug 500 page", text: ""},
		{lab: "gzip", title: "text/plain", narration: "It came as gzip", text: ""},
		{lab: "gzip not decoded", title: "text/plain", narration: "still compressed (Content-Encoding: gzip)", text: "and not decoded"},
		{lab: "hostile page", title: "text/plain", narration: "never executed", text: `\x1b`},
	}
	js := labRuns(t)
	for _, tc := range tests {
		t.Run(tc.lab, func(t *testing.T) {
			s := story.Build(js[tc.lab])
			last := pageStep(t, s)
			if !strings.Contains(last.Title, tc.title) || !strings.Contains(last.Narration, tc.narration) {
				t.Errorf("page step %q: %s\nwant %q in the title, %q in the narration", last.Title, last.Narration, tc.title, tc.narration)
			}
			text := strings.Join(last.Page.Text, "\n")
			if !strings.Contains(text, tc.text) {
				t.Errorf("page text lacks %q:\n%s", tc.text, text)
			}
			checkLines(t, last.Page.Text, story.PageWidth)
			checkLines(t, last.Page.Lines(40), 40)
		})
	}
}

// TestImagePage names an image by its type, size and pixels.
func TestImagePage(t *testing.T) {
	s := story.Build(labRuns(t)["image"])
	last := pageStep(t, s)
	text := strings.Join(last.Page.Text, "\n")
	for _, want := range []string{"an image (image/png)", "bytes", "pixels (png)"} {
		if !strings.Contains(text, want) || !strings.Contains(last.Narration, want) {
			t.Errorf("page %q, narration %q: want %q in both", text, last.Narration, want)
		}
	}
}

// pageStep is the story's page step, which comes last but for where the
// time went.
func pageStep(t *testing.T, s *story.Story) story.Step {
	t.Helper()
	n := len(s.Steps)
	if n > 0 && s.Steps[n-1].Kind == story.KindTiming {
		n--
	}
	if n == 0 || s.Steps[n-1].Kind != story.KindPage || s.Steps[n-1].Page == nil {
		t.Fatalf("no page step last (before where the time went) in %d steps", len(s.Steps))
	}
	return s.Steps[n-1]
}
