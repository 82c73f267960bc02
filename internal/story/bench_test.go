package story_test

import (
	"fmt"
	"strings"
	"testing"

	"journey/internal/story"
	"journey/internal/trace"
)

// bigPage is the recorded http journey with its page replaced by an HTML
// body of about n bytes: many paragraphs with links, as a long article.
func bigPage(b testing.TB, n int) *trace.Journey {
	j := recorded(b)["http.json"]
	var body strings.Builder
	body.WriteString("<!DOCTYPE html><html><head><title>big</title></head><body><h1>A long page</h1>")
	for i := 0; body.Len() < n; i++ {
		fmt.Fprintf(&body, "<p>Paragraph %d of a long page, with <a href=\"/p/%d\">a link</a> and some words to wrap across the width of a terminal.</p>\n", i, i)
	}
	body.WriteString("</body></html>")
	h := j.Stage(trace.StageHTTP)
	st := *h
	hs := *st.HTTP
	hops := append([]trace.HTTPHop(nil), hs.Hops...)
	hops[len(hops)-1].Body = []byte(body.String())
	hs.Hops = hops
	st.HTTP = &hs
	for i, s := range j.Stages {
		if s == h {
			j.Stages[i] = &st
		}
	}
	return j
}

// BenchmarkBuild builds the story of a journey whose page is 1 MiB of
// HTML: the tour rebuilds the story as a journey streams in.
func BenchmarkBuild(b *testing.B) {
	j := bigPage(b, 1<<20)
	b.ReportAllocs()
	for b.Loop() {
		story.Build(j)
	}
}

// BenchmarkBuildSmall builds the story of the recorded http journey.
func BenchmarkBuildSmall(b *testing.B) {
	j := recorded(b)["http.json"]
	b.ReportAllocs()
	for b.Loop() {
		story.Build(j)
	}
}

// TestBigPage lays out only the first part of a page of 2 MiB and says how
// much is left.
func TestBigPage(t *testing.T) {
	s := story.Build(bigPage(t, 2<<20))
	last := pageStep(t, s)
	lines := last.Page.Text
	if len(lines) > 2002 {
		t.Errorf("%d lines: the layout is not bounded", len(lines))
	}
	if end := lines[len(lines)-1]; !strings.Contains(end, "the page goes on") {
		t.Errorf("the last line %q does not say the page goes on", end)
	}
	checkLines(t, lines, story.PageWidth)
}
