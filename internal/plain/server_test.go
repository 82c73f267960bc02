package plain

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"journey/internal/gateway"
	"journey/internal/router"
	"journey/internal/trace"
)

// fixTimes makes a served stage's timings and Date header constant, so the
// report can be compared byte for byte.
func fixTimes(st *trace.Stage) {
	st.Start, st.Duration = 0, time.Millisecond
	for _, e := range st.Exchanges {
		e.Start, e.Duration = 0, time.Millisecond
		e.Received.Bytes = dateLine.ReplaceAll(e.Received.Bytes, []byte("Date: Mon, 23 Nov 2026 20:00:00 GMT"))
	}
	if g := st.Gateway; g != nil {
		for i := range g.Steps {
			g.Steps[i].Start, g.Steps[i].Duration = 0, 100*time.Microsecond
		}
		for i := range g.Middleware {
			g.Middleware[i].Start, g.Middleware[i].Duration = 0, 10*time.Microsecond
		}
	}
	if r := st.Router; r != nil {
		r.Start, r.Took, r.Resolve = 0, 20*time.Microsecond, 30*time.Microsecond
	}
}

var dateLine = regexp.MustCompile(`Date: [^\r]+`)

func TestServerStagesGolden(t *testing.T) {
	site := gateway.NewSite(router.Demo())
	cases := []struct {
		name      string
		req       string
		reenacted bool
	}{
		{"reenacted", "GET /api/status HTTP/1.1\r\nHost: www.example.org\r\n\r\n", true},
		{"articles-year", "GET /articles/2024/ HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: journey/test\r\nAccept: */*\r\n\r\n", false},
		{"append-slash", "GET /articles/2024 HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"append-slash-post", "POST /articles/2024 HTTP/1.1\r\nHost: www.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nname=ada", false},
		{"not-found", "GET /nope/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"api-status", "GET /api/status HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"view-error", "GET /boom/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"static-binary", "GET /static/logo.png HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"blog-include", "GET /blog/hello-world/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"hostile-path", "GET /blog/%1b%5b31m/?q=%1b HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: \xc2\x9b31m\r\n\r\n", false},
		{"hostile-header", "GET / HTTP/1.1\r\nHost: www.example.com\r\nX-Evil: \x1b]0;owned\x07\r\n\r\n", false},
		{"underscore-header-and-repeats", "GET /echo/ HTTP/1.1\r\nHost: www.example.com\r\nX_Forwarded_For: 6.6.6.6\r\nAccept: text/html\r\nAccept: */*\r\n\r\n", false},
		{"bad-request", "NOT HTTP\r\n\r\n", false},
		{"stream-chunked", "GET /stream/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
		{"ansi-response", "GET /ansi/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			served := site.Handle(strings.NewReader(c.req), io.Discard, gateway.ConnInfo{Client: "127.0.0.1:54321", Scheme: "http", Reenacted: c.reenacted})
			var b bytes.Buffer
			p := New(&b, Options{})
			for _, st := range []*trace.Stage{served.Gateway, served.Router} {
				fixTimes(st)
				p.Stage(nil, st)
			}
			got := b.Bytes()
			checkGolden(t, got)
		})
	}
}
