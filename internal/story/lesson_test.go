package story_test

import (
	"os"
	"strings"
	"testing"

	"journey/internal/story"
)

// TestLabLessons checks that each lesson of the README's table of lab
// targets is said in the step where it happens: a step of that kind and
// title whose narration holds the key phrase.
func TestLabLessons(t *testing.T) {
	tests := []struct {
		lab    string // a labTargets name
		kind   story.Kind
		title  string // a part of the step's title
		phrase string
	}{
		{lab: "glue", kind: story.KindReply, title: "referral to com", phrase: "came along as glue"},
		{lab: "no glue", kind: story.KindReply, title: "referral to example.org", phrase: "no glue"},
		{lab: "no glue", kind: story.KindQuery, title: "ns1.example.net. A", phrase: "A lookup inside the lookup"},
		{lab: "cname", kind: story.KindReply, title: "CNAME", phrase: "starts again from the new name"},
		{lab: "cname", kind: story.KindQuery, title: "shops.example.net. A", phrase: "The search starts again, from the root"},
		{lab: "co.uk", kind: story.KindReply, title: "referral to example.co.uk", phrase: "co.uk is no zone of its own: the uk servers refer straight to example.co.uk"},
		{lab: "idn", kind: story.KindAddress, title: "the address", phrase: "punycode: xn--caf-dma.example.com"},
		{lab: "nxdomain", kind: story.KindReply, title: "NXDOMAIN", phrase: "does not exist"},
		{lab: "lame", kind: story.KindReply, title: "lame: not its zone", phrase: "a lame delegation"},
		{lab: "lame", kind: story.KindQuery, title: "www.lame.example.com. A", phrase: "again, now as a server for lame.example.com"},
		{lab: "big", kind: story.KindReply, title: "truncated", phrase: "TC bit"},
		{lab: "big", kind: story.KindQuery, title: "(TCP)", phrase: "over TCP"},
		{lab: "v6", kind: story.KindReply, title: "no A record", phrase: "so the AAAA (IPv6) record is asked for next"},
		{lab: "ansi name", kind: story.KindReply, title: "answer", phrase: `shown escaped as \027, never executed`},
		{lab: "loop", kind: story.KindReply, title: "CNAME loop", phrase: "loop.example.com → loop2.example.com → loop.example.com"},
		{lab: "https", kind: story.KindTLS, title: "ClientHello", phrase: "SNI: www.example.com"},
		{lab: "https", kind: story.KindTLS, title: "ServerHello", phrase: "chain leads to a root we trust"},
		{lab: "https", kind: story.KindTLS, title: "ServerHello", phrase: "the lab's own certificate authority"},
		{lab: "https", kind: story.KindTLS, title: "TLS Finished", phrase: "nobody in between can read or change"},
		{lab: "int converter", kind: story.KindConvert, title: "int", phrase: "extracts 2024 from the text '2024'"},
		{lab: "append slash", kind: story.KindMiddlewareOut, title: "CommonMiddleware", phrase: "APPEND_SLASH redirect"},
		{lab: "append slash", kind: story.KindResponse, title: "301", phrase: "add -L to follow it"},
		{lab: "append slash followed", kind: story.KindRedirect, title: "redirect", phrase: "-L follows it"},
		{lab: "include", kind: story.KindRoute, title: "blog/", phrase: "is an include()"},
		{lab: "json", kind: story.KindPage, title: "application/json", phrase: "of JSON"},
		{lab: "404", kind: story.KindRoute, title: "nope/", phrase: "the debug 404 page lists them"},
		{lab: "404", kind: story.KindMatch, title: "no match", phrase: "Http404"},
		{lab: "500", kind: story.KindView, title: "view", phrase: "500 Internal Server Error"},
		{lab: "gzip", kind: story.KindMiddlewareOut, title: "GZipMiddleware", phrase: "compressed the body with gzip"},
		{lab: "gzip", kind: story.KindResponse, title: "200", phrase: "Content-Encoding: gzip"},
		{lab: "chunked", kind: story.KindWrite, title: "200", phrase: "each piece goes as a chunk"},
		{lab: "chunked", kind: story.KindResponse, title: "200", phrase: "Transfer-Encoding: chunked"},
		{lab: "post", kind: story.KindRequest, title: "POST /echo/", phrase: "Then the body"},
		{lab: "post", kind: story.KindEnviron, title: "environment", phrase: "wait in wsgi.input"},
		{lab: "post", kind: story.KindMiddlewareIn, title: "CsrfViewMiddleware.process_view", phrase: "the view is never called"},
		{lab: "int converter", kind: story.KindMiddlewareIn, title: "CsrfViewMiddleware.process_view", phrase: "The view is chosen but not yet called"},
		{lab: "hostile page", kind: story.KindPage, title: "the page", phrase: "never executed"},
		{lab: "redirect", kind: story.KindRedirect, title: "/blog/", phrase: "Location header"},
		{lab: "loss", kind: story.KindLoss, title: "no reply", phrase: "UDP promises nothing"},
		{lab: "loss", kind: story.KindLoss, title: "no reply", phrase: "dropped a packet on purpose (--lab-loss)"},
		{lab: "loss", kind: story.KindLoss, title: "no reply", phrase: "the most one exchange waits (--timeout), less than this server's own wait"},
		{lab: "loss", kind: story.KindQuery, title: "www.example.com. A", phrase: "did not answer in time"},
		{lab: "resolver", kind: story.KindQuery, title: "www.example.com. A", phrase: "a recursive resolver that does the whole search for us"},
		{lab: "resolve", kind: story.KindAddress, title: "--resolve", phrase: "no DNS question is asked"},
		{lab: "ip", kind: story.KindAddress, title: "the address", phrase: "no DNS lookup is needed"},
		{lab: "port not served", kind: story.KindStop, title: "connect failed", phrase: "port 81"},
		{lab: "loss", kind: story.KindQuery, title: "www.example.com. A", phrase: "A hedge: a.root-servers.net (192.0.2.1:53) had not answered within"},
		{lab: "loss", kind: story.KindStop, title: "DNS failed", phrase: "the journey stops here"},
	}
	js := labRuns(t)
	for _, tc := range tests {
		t.Run(tc.lab+"/"+string(tc.kind), func(t *testing.T) {
			s := story.Build(js[tc.lab])
			var said []string
			for _, st := range s.Steps {
				if st.Kind != tc.kind || !strings.Contains(st.Title, tc.title) {
					continue
				}
				if strings.Contains(st.Narration, tc.phrase) {
					return
				}
				said = append(said, st.Narration)
			}
			if len(said) == 0 {
				t.Fatalf("no %s step titled %q among:\n%s", tc.kind, tc.title, titles(s))
			}
			t.Errorf("no %s step titled %q says %q; they say:\n%s", tc.kind, tc.title, tc.phrase, strings.Join(said, "\n"))
		})
	}
}

func titles(s *story.Story) string {
	var b strings.Builder
	for i, st := range s.Steps {
		b.WriteString(strings.Repeat(" ", 2))
		b.WriteString(string(st.Kind) + ": " + st.Title)
		if i < len(s.Steps)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestLabStepsFit holds every step of every lab target's journey to the
// tour's bounds, as TestRecordedStepsFit does for the recordings.
func TestLabStepsFit(t *testing.T) {
	js := labRuns(t)
	for _, tc := range labTargets {
		t.Run(tc.name, func(t *testing.T) {
			s := story.Build(js[tc.name])
			checkFits(t, s)
			checkOrder(t, s)
		})
	}
}

// TestLabTargetsCoverREADME reads the README's table of things to try in
// the lab and checks that every target in it is run by labTargets, so a
// lesson added to the README is a lesson the story is tested on.
func TestLabTargetsCoverREADME(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "### Things to try in the lab")
	if start < 0 {
		t.Fatal("the README has no table of things to try in the lab")
	}
	run := map[string]bool{}
	for _, tc := range labTargets {
		run[tc.target] = true
	}
	rows := 0
	for _, l := range strings.Split(text[start:], "\n")[1:] {
		if strings.HasPrefix(l, "#") {
			break
		}
		if !strings.HasPrefix(l, "| `") {
			continue
		}
		cell := strings.Trim(strings.SplitN(l, "|", 3)[1], " `")
		f := strings.Fields(cell)
		target := f[len(f)-1] // flags such as --compressed come first
		rows++
		if !run[target] {
			t.Errorf("the README's lab target %q is not in labTargets", target)
		}
	}
	if rows < 20 {
		t.Errorf("read %d rows of the README's table: the table was not found whole", rows)
	}
}
