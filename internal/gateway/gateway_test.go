package gateway

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"journey/internal/dial/dialtest"
	"journey/internal/router"
	"journey/internal/trace"
)

func serve(t testing.TB, raw string) (*Served, *http.Response, []byte) {
	t.Helper()
	var out bytes.Buffer
	sv := NewSite(router.Demo()).Handle(strings.NewReader(raw), &out, ConnInfo{Client: "127.0.0.1:40000", Scheme: "http"})
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out.Bytes())), nil)
	if err != nil {
		t.Fatalf("the gateway wrote an unreadable response: %v\n%q", err, out.Bytes())
	}
	body, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(out.Bytes(), sv.Response) {
		t.Error("Served.Response differs from the bytes written")
	}
	return sv, resp, body
}

func env(sv *Served, name string) (string, bool) {
	for _, e := range sv.Gateway.Gateway.Environ {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

func TestEnviron(t *testing.T) {
	cases := []struct {
		name   string
		raw    string
		want   map[string]string
		absent []string
	}{
		{
			name: "percent-decoded path, raw query",
			raw:  "GET /files/a%20b/%C3%A9t%C3%A9.txt?q=a%20b&x=1 HTTP/1.1\r\nHost: www.example.com:8080\r\n\r\n",
			want: map[string]string{"PATH_INFO": "/files/a b/Ã©tÃ©.txt", "QUERY_STRING": "q=a%20b&x=1", "SERVER_NAME": "www.example.com", "SERVER_PORT": "8080", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "SERVER_PROTOCOL": "HTTP/1.1"},
		},
		{
			name:   "headers with dashes become HTTP_ with underscores",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: 42\r\nAccept-Language: fr\r\nuser-agent: t/1\r\n\r\n",
			want:   map[string]string{"HTTP_X_REQUEST_ID": "42", "HTTP_ACCEPT_LANGUAGE": "fr", "HTTP_USER_AGENT": "t/1", "HTTP_HOST": "h", "SERVER_PORT": "80"},
			absent: []string{"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"},
		},
		{
			name:   "body length and content headers",
			raw:    "POST /echo/ HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
			want:   map[string]string{"CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "11", "wsgi.input": "<stream: 11 bytes>"},
			absent: []string{"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"},
		},
		{
			name: "chunked body is decoded",
			raw:  "POST /echo/ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			want: map[string]string{"wsgi.input": "<stream: 11 bytes>", "HTTP_TRANSFER_ENCODING": "chunked"},
		},
		{
			name:   "repeated headers joined, underscores dropped",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\nAccept: b\r\nX_Real_IP: 1.2.3.4\r\n\r\n",
			want:   map[string]string{"HTTP_ACCEPT": "a,b"},
			absent: []string{"HTTP_X_REAL_IP"},
		},
		{
			name: "wsgi keys",
			raw:  "GET / HTTP/1.0\r\n\r\n",
			want: map[string]string{"wsgi.version": "(1, 0)", "wsgi.url_scheme": "http", "wsgi.multithread": "True", "wsgi.multiprocess": "False", "wsgi.run_once": "False", "wsgi.errors": "<sys.stderr>", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "SERVER_PROTOCOL": "HTTP/1.0", "SERVER_NAME": "localhost", "SERVER_PORT": "80"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv, _, _ := serve(t, tc.raw)
			for k, want := range tc.want {
				got, ok := env(sv, k)
				if !ok || got != want {
					t.Errorf("%s = %q (present %v), want %q", k, got, ok, want)
				}
			}
			for _, k := range tc.absent {
				if _, ok := env(sv, k); ok {
					t.Errorf("%s is in the environment, want it absent", k)
				}
			}
		})
	}
}

func TestAppendSlash(t *testing.T) {
	cases := []struct {
		method   string
		path     string
		status   int
		location string
		body     string
	}{
		{"GET", "/articles/2024", 301, "/articles/2024/", ""},
		{"GET", "/articles/2024?page=2", 301, "/articles/2024/?page=2", ""},
		{"HEAD", "/articles/2024", 301, "/articles/2024/", ""},
		{"DELETE", "/articles/2024", 301, "/articles/2024/", ""}, // Django refuses only POST, PUT and PATCH
		{"POST", "/articles/2024", 500, "", "You called this URL via POST"},
		{"PUT", "/articles/2024", 500, "", "while maintaining PUT data"},
		{"PATCH", "/articles/2024", 500, "", "Change your form to point to www.example.com/articles/2024/"},
		{"GET", "/nope", 404, "", "didn’t match any of these"},                         // nope/ would not match either
		{"GET", "/api/status/", 404, "", "The current path, <code>api/status/</code>"}, // the slash is never removed
		{"GET", "/articles/2024/", 200, "", "Articles from 2024"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			raw := tc.method + " " + tc.path + " HTTP/1.1\r\nHost: www.example.com\r\n"
			if tc.method == "POST" || tc.method == "PUT" || tc.method == "PATCH" {
				raw += "Content-Length: 3\r\n\r\na=1"
			} else {
				raw += "\r\n"
			}
			sv, resp, body := serve(t, raw)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			if !strings.Contains(string(body), tc.body) {
				t.Errorf("body lacks %q:\n%s", tc.body, body)
			}
			var common trace.MiddlewareStep
			for _, m := range sv.Gateway.Gateway.Middleware {
				if m.Direction == trace.DirectionUp && strings.Contains(m.Middleware, "CommonMiddleware") {
					common = m
				}
			}
			if common.Middleware == "" {
				t.Fatalf("CommonMiddleware never saw the response: %+v", sv.Gateway.Gateway.Middleware)
			}
			if tc.status == 301 && !strings.Contains(common.Action, "APPEND_SLASH") {
				t.Errorf("CommonMiddleware says %q", common.Action)
			}
		})
	}
}

func TestResponses(t *testing.T) {
	cases := []struct {
		path        string
		status      int
		contentType string
		body        string
		routerError string
	}{
		{"/api/status", 200, "application/json", `{"server":"journey lab","status":"ok"}`, ""},
		{"/blog/12/comments/", 200, "application/json", `{"pk":12}`, ""},
		{"/items/123e4567-e89b-12d3-a456-426614174000/", 200, "application/json", `"id":"123e4567-e89b-12d3-a456-426614174000"`, ""},
		{"/old-blog/", 302, "text/html; charset=utf-8", "", ""},
		{"/latest/", 302, "text/html; charset=utf-8", "", ""},
		{"/static/logo.png", 200, "image/png", "\x89PNG", ""},
		{"/echo/", 200, "text/plain; charset=utf-8", "PATH_INFO = /echo/", ""},
		{"/boom/", 500, "text/html", "<h1>ZeroDivisionError at /boom/</h1>", "ZeroDivisionError: division by zero"},
		{"/blog/%3Cb%3E/", 404, "text/html", "", ""},
		{"/articles/2024/11/%3Cscript%3E/", 404, "text/html", "", ""},
		{"/files/%3Cscript%3E", 200, "text/html; charset=utf-8", "File &lt;script&gt;", ""},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			sv, resp, body := serve(t, "GET "+tc.path+" HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType {
				t.Fatalf("%d %q, want %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status, tc.contentType, body)
			}
			if !strings.Contains(string(body), tc.body) {
				t.Errorf("body lacks %q:\n%s", tc.body, body)
			}
			for _, h := range []string{"Date", "Content-Length", "X-Content-Type-Options"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
			if !strings.HasPrefix(sv.Router.Router.Error, tc.routerError) {
				t.Errorf("router error %q, want %q", sv.Router.Router.Error, tc.routerError)
			}
		})
	}
	_, resp, _ := serve(t, "GET /old-blog/ HTTP/1.1\r\nHost: h\r\n\r\n")
	if resp.Header.Get("Location") != "/blog/" {
		t.Errorf("redirect by reverse(): Location %q", resp.Header.Get("Location"))
	}
	_, resp, _ = serve(t, "GET /latest/ HTTP/1.1\r\nHost: h\r\n\r\n")
	if resp.Header.Get("Location") != "/articles/2024/" {
		t.Errorf("redirect by reverse() with kwargs: Location %q", resp.Header.Get("Location"))
	}
	sv, resp, body := serve(t, "HEAD /articles/2024/ HTTP/1.1\r\nHost: h\r\n\r\n")
	if resp.ContentLength <= 0 || len(body) != 0 || bytes.HasSuffix(sv.Response, []byte("</html>\n")) {
		t.Errorf("HEAD: Content-Length %d, body %q", resp.ContentLength, body)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name   string
		raw    string
		status int
	}{
		{"not HTTP", "HELLO\r\n\r\n", 400},
		{"no blank line", "GET / HTTP/1.1\r\nHost: h\r\n", 400},
		{"empty", "", 400},
		{"header too large", "GET / HTTP/1.1\r\nX-Big: " + strings.Repeat("a", MaxHeaderBytes) + "\r\n\r\n", 431},
		{"lower-case method", "get / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"HTTP/2.0 in a request line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", 400},
		{"space before colon", "GET / HTTP/1.1\r\nHost: h\r\nX-A : b\r\n\r\n", 400},
		{"request line too long", "GET /" + strings.Repeat("a", MaxRequestLine) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414},
		{"request line past every limit", "GET /" + strings.Repeat("a", MaxHeaderBytes) + " HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"body too large", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n", 413},
		{"short body", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", 400},
		{"broken chunks", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv, resp, _ := serve(t, tc.raw)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if sv.Router.Status != trace.StatusSkipped || len(sv.Gateway.Notes) == 0 {
				t.Errorf("router %s, gateway notes %q", sv.Router.Status, sv.Gateway.Notes)
			}
		})
	}
}

// TestServeConnLoopback serves real connections on a loopback listener and
// checks the client gets the response and the journey gets the stages.
func TestServeConnLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(router.Demo())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go srv.ServeConn(ctx, c, "http")
		}
	}()
	d := dialtest.Loopback(t)
	for _, path := range []string{"/articles/2024/", "/nope/", "/api/status"} {
		t.Run(path, func(t *testing.T) {
			conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// The client keeps its end open, as a browser does: the server
			// must answer without waiting for more bytes.
			io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: www.example.com\r\nConnection: keep-alive\r\n\r\n")
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
			defer scancel()
			stages, err := srv.Stages(sctx, conn.LocalAddr().String())
			if err != nil || len(stages) != 2 {
				t.Fatalf("Stages = %v, %v", stages, err)
			}
			gw, rt := stages[0], stages[1]
			if gw.Kind != trace.StageGateway || rt.Kind != trace.StageRouter || gw.Gateway.Response.Status != resp.StatusCode {
				t.Errorf("stages %s %s, status %d vs %d", gw.Kind, rt.Kind, gw.Gateway.Response.Status, resp.StatusCode)
			}
			if gw.Gateway.Client != conn.LocalAddr().String() {
				t.Errorf("client %s, want %s", gw.Gateway.Client, conn.LocalAddr())
			}
			if gw.Gateway.Origin.IsZero() || rt.Router.Origin.IsZero() {
				t.Error("no origin to rebase the offsets on")
			}
		})
	}
	t.Run("silent client ends with the context", func(t *testing.T) {
		cctx, ccancel := context.WithCancel(ctx)
		c1, c2 := net.Pipe()
		defer c1.Close()
		done := make(chan struct{})
		go func() { srv.ServeConn(cctx, c2, "http"); close(done) }()
		ccancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("ServeConn did not return after its context ended")
		}
	})
	t.Run("stages for an unknown client wait for the context", func(t *testing.T) {
		sctx, scancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer scancel()
		if _, err := srv.Stages(sctx, "127.0.0.1:1"); err == nil {
			t.Error("Stages returned without a request")
		}
	})
}

func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		"GET /articles/2024/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
		"POST /articles/2024 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=1",
		"POST /echo/ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"GET /blog/%zz HTTP/1.1\r\n\r\n",
		"GET http://other/x HTTP/1.1\r\nHost: h\r\nAccept: a\r\nAccept: b\r\nX_Y: 1\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.0\n\n",
		"GET //evil.com HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /stream/ HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n",
		"GET /stream/ HTTP/1.0\r\n\r\n",
		"GET /nope/ HTTP/1.1\r\nHost: h\r\nAccept-Encoding: x-gzip, br\r\n\r\n",
		"GET /ansi/ HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /caf%C3%A9/%FF/%E2%82 HTTP/1.1\r\nHost: h\r\nX-N: caf\xc3\xa9\r\n\r\n",
		"POST /echo/ HTTP/1.1\r\nHost: h\r\nCookie: csrftoken=abcdefghabcdefghabcdefghabcdefgh\r\nX-CSRFToken: abcdefghabcdefghabcdefghabcdefgh\r\nContent-Length: 0\r\n\r\n",
		"GET /form/ HTTP/1.1\r\nHost: h\r\nCookie: csrftoken=%%%\r\n\r\n",
		"GET /boom/ HTTP/1.1\r\nHost: h\r\nAccept: application/json\r\n\r\n",
		"GET /100% HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: evil_com\r\n\r\n",
		"GET /boom/ HTTP/1.0\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	site := NewSite(router.Demo())
	f.Fuzz(func(t *testing.T, raw []byte) {
		var out bytes.Buffer
		sv := site.Handle(bytes.NewReader(raw), &out, ConnInfo{Client: "127.0.0.1:1", Scheme: "https"})
		resp, err := http.ReadResponse(bufio.NewReader(&out), nil)
		if err != nil {
			t.Fatalf("unreadable response %v for %q", err, raw)
		}
		if resp.StatusCode != sv.Status || sv.Gateway == nil || sv.Router == nil {
			t.Fatalf("status %d vs %d", resp.StatusCode, sv.Status)
		}
		if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "//") {
			t.Fatalf("scheme-relative redirect %q", loc)
		}
	})
}

// TestKeptIsBounded serves more clients than the server keeps traces for,
// none of which asks for its stages: the oldest are forgotten.
func TestKeptIsBounded(t *testing.T) {
	srv := NewServer(router.Demo())
	for i := range maxKept + 50 {
		srv.keep("127.0.0.1:"+strconv.Itoa(10000+i), nil)
	}
	if len(srv.kept) != maxKept || len(srv.order) != maxKept {
		t.Errorf("kept %d, order %d, want %d", len(srv.kept), len(srv.order), maxKept)
	}
	if _, ok := srv.kept["127.0.0.1:10000"]; ok {
		t.Error("the oldest trace is still kept")
	}
}

// answerDown is a middleware that answers on the way down, as an
// authentication middleware turning away a visitor does.
type answerDown struct{}

func (answerDown) Name() string { return "test.AnswerDown" }
func (answerDown) ProcessRequest(r *Request) (*Response, string) {
	return newResponse(http.StatusForbidden, "text/plain", []byte("no")), "answered 403"
}
func (answerDown) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	return resp, "never called", nil
}

func TestMiddlewareShortCircuit(t *testing.T) {
	site := NewSite(router.Demo())
	site.middleware = []Middleware{securityMiddleware{}, answerDown{}, xFrameOptionsMiddleware{}}
	sv := site.Handle(strings.NewReader("GET /articles/2024/ HTTP/1.1\r\nHost: h\r\n\r\n"), io.Discard, ConnInfo{})
	if sv.Status != http.StatusForbidden {
		t.Fatalf("status %d", sv.Status)
	}
	var got []string
	for _, m := range sv.Gateway.Gateway.Middleware {
		got = append(got, m.Direction+" "+m.Middleware)
	}
	// Down through security and the answering layer; back up from the
	// answering layer's outer neighbour: the inner layer never runs.
	want := []string{"request django.middleware.security.SecurityMiddleware", "request test.AnswerDown", "response test.AnswerDown", "response django.middleware.security.SecurityMiddleware"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("onion %q, want %q", got, want)
	}
	if sv.Router.Status != trace.StatusSkipped || !strings.Contains(sv.Router.Notes[0], "before the router ran") {
		t.Errorf("router stage %s %q", sv.Router.Status, sv.Router.Notes)
	}
}

func ExampleSite_Handle() {
	site := NewSite(router.Demo())
	var out bytes.Buffer
	sv := site.Handle(strings.NewReader("GET /articles/2024/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), &out, ConnInfo{Client: "127.0.0.1:5000"})
	for _, e := range sv.Gateway.Gateway.Environ[:3] {
		fmt.Printf("%s = %q\n", e.Name, e.Value)
	}
	rt := sv.Router.Router
	fmt.Println(rt.Match.Route, rt.Match.Converters[0].Value, rt.View)
	fmt.Println(strings.SplitN(out.String(), "\r\n", 2)[0])
	// Output:
	// REQUEST_METHOD = "GET"
	// SCRIPT_NAME = ""
	// PATH_INFO = "/articles/2024/"
	// articles/<int:year>/ 2024 template('<h1>Articles from {{ year }}</h1>')
	// HTTP/1.1 200 OK
}

// TestStepPlurals checks the steps' details count in English: one pattern
// tried is "1 pattern", not "1 patterns".
func TestStepPlurals(t *testing.T) {
	cases := []struct {
		path, step, want string
	}{
		{"/", "route and call the view", "1 pattern tried, 200 OK"},
		{"/articles/2024/", "route and call the view", "2 patterns tried, 200 OK"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			sv, _, _ := serve(t, "GET "+tc.path+" HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
			for _, st := range sv.Gateway.Gateway.Steps {
				if st.Name == tc.step {
					if st.Detail != tc.want {
						t.Errorf("%s: %q, want %q", tc.step, st.Detail, tc.want)
					}
					return
				}
			}
			t.Errorf("no step %q", tc.step)
		})
	}
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 keys"}, {1, "1 key"}, {2, "2 keys"}} {
		if got := count(c.n, "key"); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestStaticSource checks the router stage says which file a static()
// view sent.
func TestStaticSource(t *testing.T) {
	sv, resp, body := serve(t, "GET /static/logo.png HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	if resp.StatusCode != 200 || len(body) == 0 {
		t.Fatalf("%d, %d bytes", resp.StatusCode, len(body))
	}
	want := "static(): the bytes sent are the demo site's own logo.png, built into journey"
	for _, n := range sv.Router.Notes {
		if n == want {
			return
		}
	}
	t.Errorf("router notes %q, want %q", sv.Router.Notes, want)
}
