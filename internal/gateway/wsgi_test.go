package gateway

// The gateway's differential test: the same raw request bytes sent to
// gunicorn and to Python's wsgiref, both running a WSGI application that
// answers its environ as JSON, and read by journey's gateway; the
// environments and the server's own response headers are compared. It
// needs Python 3 with gunicorn (Debian: apt-get install gunicorn
// python3-django) and skips, in one line, without it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"journey/internal/router"
)

const gunicornInstall = "gunicorn is not installed for any python3 here: apt-get install gunicorn python3-django (Debian, Ubuntu)"

// wsgiApp answers the environ's text values as JSON, keys in order.
const wsgiApp = `import json

def app(environ, start_response):
    env = [[k, v] for k, v in environ.items() if isinstance(v, str)]
    body = json.dumps(env).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
`

// wsgirefServer runs the application with wsgiref on the port given.
const wsgirefServer = `import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
from app import app

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet).serve_forever()
`

// serverStart bounds how long a Python server may take to listen.
const serverStart = 15 * time.Second

func pythonWith(module string) string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	return ""
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// startServer runs cmd in dir until the test ends and waits for addr to
// accept connections.
func startServer(t *testing.T, dir, addr string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM: gunicorn's master then stops its worker; a SIGKILL
		// would leave the worker running, holding stderr open.
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(serverStart)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s within %s:\n%s", name, addr, serverStart, errb.String())
}

// exchange sends raw to addr and reads the whole response (the server
// closes the connection).
func exchange(t *testing.T, addr string, raw []byte) (status string, headers []string, env map[string]string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(raw); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(io.LimitReader(c, 1<<20))
	head, body, _ := bytes.Cut(out, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	status = lines[0]
	for _, l := range lines[1:] {
		name, _, _ := strings.Cut(l, ":")
		headers = append(headers, name)
	}
	var pairs [][2]string
	if json.Unmarshal(body, &pairs) == nil {
		env = map[string]string{}
		for _, p := range pairs {
			env[p[0]] = p[1]
		}
	}
	return status, headers, env
}

type wsgiCase struct {
	name string
	raw  string
}

func wsgiCases() []wsgiCase {
	var cs []wsgiCase
	req := func(name, line string, headers ...string) {
		cs = append(cs, wsgiCase{name, line + "\r\n" + strings.Join(append(headers, ""), "\r\n") + "\r\n"})
	}
	for _, p := range []string{"/", "/a/b/", "/caf%C3%A9/", "/%FF/", "/%E2%82/", "/a%20b", "/a%2Fb", "/a%25b", "/%zz", "/100%",
		"/a;b", "/a,b", "/~x", "/%0A", "/%00", "/a+b", "/a%2Bb", "//double", "/é", "/a/../b", "/./x", "/%7E"} {
		req("path "+p, "GET "+p+" HTTP/1.1", "Host: www.example.com")
	}
	for _, q := range []string{"a=1", "a=1&b=2", "q=a%20b", "q=a+b", "", "a=%FF", "=x", "a==b", "%zz"} {
		req("query "+q, "GET /p/?"+q+" HTTP/1.1", "Host: www.example.com")
	}
	req("fragment", "GET /p/?a=1#frag HTTP/1.1", "Host: www.example.com")
	req("absolute form", "GET http://www.example.com/abs/?x=1 HTTP/1.1", "Host: www.example.com")
	req("host with port", "GET / HTTP/1.1", "Host: www.example.com:8080")
	req("host ipv6", "GET / HTTP/1.1", "Host: [::1]:8080")
	req("HTTP/1.0 without host", "GET / HTTP/1.0")
	req("HTTP/1.0 with host", "GET /x HTTP/1.0", "Host: a.example")
	req("repeated header", "GET / HTTP/1.1", "Host: h", "Accept: a", "Accept: b")
	req("header case", "GET / HTTP/1.1", "hOsT: h", "x-CUSTOM-header: v")
	req("header spaces", "GET / HTTP/1.1", "Host: h", "X-A:    padded   ")
	req("empty header", "GET / HTTP/1.1", "Host: h", "X-Empty:")
	req("content type", "POST /form/ HTTP/1.1", "Host: h", "Content-Type: application/x-www-form-urlencoded", "Content-Length: 8")
	cs[len(cs)-1].raw += "name=ada"
	req("content length zero", "POST / HTTP/1.1", "Host: h", "Content-Length: 0")
	req("cookie", "GET / HTTP/1.1", "Host: h", "Cookie: csrftoken=abc; sessionid=x")
	req("methods DELETE", "DELETE /x/ HTTP/1.1", "Host: h")
	req("methods OPTIONS", "OPTIONS /x/ HTTP/1.1", "Host: h")
	req("methods HEAD", "HEAD /x/ HTTP/1.1", "Host: h")
	req("user agent", "GET / HTTP/1.1", "Host: h", "User-Agent: journey/1.0 (+https://example.com)")
	req("utf-8 header", "GET / HTTP/1.1", "Host: h", "X-Name: café")
	req("chunked body", "POST /form/ HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", "Content-Type: text/plain")
	cs[len(cs)-1].raw += "3\r\nabc\r\n0\r\n\r\n"
	req("expect continue", "POST / HTTP/1.1", "Host: h", "Expect: 100-continue", "Content-Length: 2")
	cs[len(cs)-1].raw += "ab"
	req("tab in value", "GET / HTTP/1.1", "Host: h", "X-T: a\tb")
	req("lowercase method", "get / HTTP/1.1", "Host: h")
	req("HTTP/2.0 version", "GET / HTTP/2.0", "Host: h")
	req("no version", "GET /")
	req("space in target", "GET /a b HTTP/1.1", "Host: h")
	req("header without colon", "GET / HTTP/1.1", "Host: h", "Broken")
	req("space before colon", "GET / HTTP/1.1", "Host: h", "X-A : b")
	req("obs-fold", "GET / HTTP/1.1", "Host: h", "X-A: one", " two")
	req("long header name", "GET / HTTP/1.1", "Host: h", "X-"+strings.Repeat("n", 300)+": v")
	req("many slashes", "GET ///a//b HTTP/1.1", "Host: h")
	req("percent-encoded slash twice", "GET /a%252Fb HTTP/1.1", "Host: h")
	return cs
}

// underscoreCase is compared with wsgiref only: gunicorn before 22.0
// passes X_User through as HTTP_X_USER; gunicorn 22 and wsgiref drop it,
// as Django's runserver does, and so does journey.
var underscoreCase = wsgiCase{"underscore header", "GET / HTTP/1.1\r\nHost: h\r\nX_User: admin\r\nX-User: bob\r\n\r\n"}

// wsgiDifferences are the comparisons where journey follows one reference
// and not the other, each with why; they are counted apart and logged.
var wsgiDifferences = map[string]string{
	"wsgiref/many slashes/PATH_INFO":     "Python 3.11's http.server turns leading slashes into one (gh-87389); gunicorn and journey keep the path as sent",
	"wsgiref/path //double/PATH_INFO":    "Python 3.11's http.server turns a leading // into / (gh-87389); gunicorn and journey keep the path as sent",
	"gunicorn/path /é/PATH_INFO":         "raw UTF-8 bytes in the request line, which RFC 3986 says must be percent-encoded: gunicorn 20.1 encodes its latin-1 reading as UTF-8 a second time; journey keeps the bytes, as PEP 3333 asks",
	"wsgiref/fragment/QUERY_STRING":      "wsgiref keeps a #fragment in QUERY_STRING; gunicorn and journey drop it (a fragment is never part of a request-target)",
	"wsgiref/absolute form/PATH_INFO":    "wsgiref does not take an absolute-form target apart; gunicorn and journey do (RFC 9112 section 3.2.2)",
	"gunicorn/header spaces/HTTP_X_A":    "gunicorn 20.1 keeps the spaces after a header's value; RFC 9110 section 5.5 and gunicorn 22 drop them, as journey does",
	"gunicorn/lowercase method/accepted": "gunicorn 20.1 upper-cases the method; methods are case-sensitive (RFC 9110 section 9.1) and nginx and gunicorn 22 refuse \"get\" with 400, as journey does",
	"wsgiref/lowercase method/accepted":  "wsgiref passes \"get\" on as it is; nginx and gunicorn 22 refuse it with 400, as journey does",
	"gunicorn/HTTP/2.0 version/accepted": "gunicorn 20.1 answers a request line saying HTTP/2.0; journey answers 505, as nginx does",
	"wsgiref/HTTP/2.0 version/accepted":  "wsgiref answers a request line saying HTTP/2.0; journey answers 505, as nginx does",
	"gunicorn/obs-fold/accepted":         "gunicorn 20.1 unfolds an obs-fold line; RFC 9112 section 5.2 lets a server refuse it, as gunicorn 22 and journey do",
	"wsgiref/obs-fold/accepted":          "wsgiref unfolds an obs-fold line; RFC 9112 section 5.2 lets a server refuse it, as gunicorn 22 and journey do",
	"wsgiref/underscore":                 "wsgiref and gunicorn 20.1 pass X_User on as HTTP_X_USER; Django's runserver and gunicorn 22 drop it, as journey does",
}

// gunicornKeys are the keys compared with gunicorn, which journey follows.
var gunicornKeys = []string{"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REMOTE_ADDR", "CONTENT_TYPE", "CONTENT_LENGTH", "wsgi.url_scheme"}

// wsgirefKeys are compared with wsgiref too: the rest differ between the
// two servers (SERVER_NAME is wsgiref's host name, CONTENT_TYPE defaults
// to text/plain there).
var wsgirefKeys = []string{"REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SERVER_PROTOCOL"}

func TestDifferentialWSGI(t *testing.T) {
	py := pythonWith("gunicorn")
	if py == "" {
		t.Skip(gunicornInstall)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(wsgiApp), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wsgiref_server.py"), []byte(wsgirefServer), 0o644); err != nil {
		t.Fatal(err)
	}
	gAddr := "127.0.0.1:" + freePort(t)
	wAddr := "127.0.0.1:" + freePort(t)
	startServer(t, dir, gAddr, py, "-m", "gunicorn", "--bind", gAddr, "--workers", "1", "--log-level", "error", "app:app")
	startServer(t, dir, wAddr, py, "wsgiref_server.py", strings.TrimPrefix(wAddr, "127.0.0.1:"))

	site := NewSite(router.Demo())
	agree, total, known := 0, 0, 0
	check := func(name string, ok bool, format string, args ...any) {
		total++
		if ok {
			agree++
		}
		if why, documented := wsgiDifferences[name]; documented && !ok {
			known++
			t.Logf("documented difference: %s: %s (%s)", name, fmt.Sprintf(format, args...), why)
			return
		}
		t.Run(name, func(t *testing.T) {
			if !ok {
				t.Errorf(format, args...)
			}
		})
	}
	journeyEnv := func(raw string, server string) (map[string]string, *Served) {
		served := site.Handle(strings.NewReader(raw), io.Discard, ConnInfo{Client: "127.0.0.1:40000", Server: server, Scheme: "http"})
		env := map[string]string{}
		if served.Gateway.Gateway != nil {
			for _, e := range served.Gateway.Gateway.Environ {
				env[e.Name] = e.Value
			}
		}
		return env, served
	}
	for _, c := range wsgiCases() {
		gStatus, gHeaders, gEnv := exchange(t, gAddr, []byte(c.raw))
		jEnv, served := journeyEnv(c.raw, gAddr)
		if gEnv == nil {
			check("gunicorn/"+c.name+"/refused", served.Status >= 400, "gunicorn refused %q (%s), journey answered %d", c.raw, gStatus, served.Status)
			continue
		}
		if len(jEnv) == 0 {
			// journey refused what this gunicorn accepted.
			check("gunicorn/"+c.name+"/accepted", false, "gunicorn accepted %q, journey answered %d", c.raw, served.Status)
			if _, _, wEnv := exchange(t, wAddr, []byte(c.raw)); wEnv != nil {
				check("wsgiref/"+c.name+"/accepted", false, "wsgiref accepted %q, journey answered %d", c.raw, served.Status)
			}
			continue
		}
		for _, k := range gunicornKeys {
			check("gunicorn/"+c.name+"/"+k, gEnv[k] == jEnv[k], "%s: gunicorn %q, journey %q", k, gEnv[k], jEnv[k])
		}
		for k, v := range gEnv {
			if strings.HasPrefix(k, "HTTP_") {
				check("gunicorn/"+c.name+"/"+k, v == jEnv[k], "%s: gunicorn %q, journey %q", k, v, jEnv[k])
			}
		}
		for k := range jEnv {
			if _, ok := gEnv[k]; strings.HasPrefix(k, "HTTP_") && !ok {
				check("gunicorn/"+c.name+"/"+k, false, "%s: journey has it, gunicorn has not", k)
			}
		}
		// The server's own headers, in gunicorn's order, and the status
		// line's version.
		jStatus, _, _ := strings.Cut(string(served.Response), "\r\n")
		check("gunicorn/"+c.name+"/version", strings.SplitN(gStatus, " ", 2)[0] == strings.SplitN(jStatus, " ", 2)[0], "status line: gunicorn %q, journey %q", gStatus, jStatus)
		jHeaders := headerNames(served.Response)
		check("gunicorn/"+c.name+"/server headers", serverHeaders(gHeaders) == serverHeaders(jHeaders), "server headers: gunicorn %s, journey %s", serverHeaders(gHeaders), serverHeaders(jHeaders))

		_, _, wEnv := exchange(t, wAddr, []byte(c.raw))
		if wEnv == nil {
			continue
		}
		for _, k := range wsgirefKeys {
			check("wsgiref/"+c.name+"/"+k, wEnv[k] == jEnv[k], "%s: wsgiref %q, journey %q", k, wEnv[k], jEnv[k])
		}
	}
	_, _, wEnv := exchange(t, wAddr, []byte(underscoreCase.raw))
	jEnv, _ := journeyEnv(underscoreCase.raw, wAddr)
	check("wsgiref/underscore", wEnv["HTTP_X_USER"] == jEnv["HTTP_X_USER"], "HTTP_X_USER: wsgiref %q, journey %q", wEnv["HTTP_X_USER"], jEnv["HTTP_X_USER"])
	if jEnv["HTTP_X_USER"] != "bob" {
		t.Errorf("journey's HTTP_X_USER = %q: X_User must be dropped, as Django's runserver and gunicorn 22 drop it", jEnv["HTTP_X_USER"])
	}
	t.Logf("%d of %d environ and header comparisons agree with gunicorn and wsgiref; the other %d are documented differences", agree, total, known)
}

func headerNames(resp []byte) []string {
	r := bufio.NewReader(bytes.NewReader(resp))
	r.ReadString('\n')
	var names []string
	for {
		l, err := r.ReadString('\n')
		l = strings.TrimRight(l, "\r\n")
		if l == "" || err != nil {
			return names
		}
		name, _, _ := strings.Cut(l, ":")
		names = append(names, name)
	}
}

// serverHeaders lists, in order, the headers a WSGI server adds itself.
func serverHeaders(names []string) string {
	var out []string
	for _, n := range names {
		switch http.CanonicalHeaderKey(n) {
		case "Server", "Date", "Connection", "Transfer-Encoding":
			out = append(out, http.CanonicalHeaderKey(n))
		}
	}
	return fmt.Sprint(out)
}
