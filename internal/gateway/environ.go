package gateway

import (
	"net"
	"strconv"
	"strings"

	"journey/internal/trace"
)

// Request is what the middleware and the views see: the environment and
// the few values Django's HttpRequest derives from it.
type Request struct {
	Method   string
	Path     string // PATH_INFO: percent-decoded
	RawPath  string // the path as sent, still percent-encoded
	Query    string // QUERY_STRING, as sent
	Host     string // the Host header
	Scheme   string
	Environ  []trace.EnvVar
	Body     []byte
	Dropped  []string // header names the gateway left out of the environment, and why
	Resolved bool     // set once the router ran (CommonMiddleware asks it again for APPEND_SLASH)
}

// FullPath is Django's request.get_full_path(): the decoded path
// percent-encoded again (escape_uri_path), with its query (iri_to_uri).
func (r *Request) FullPath(appendSlash bool) string {
	p := escapeURIPath(r.Path)
	if appendSlash && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	if r.Query != "" {
		p += "?" + quote(r.Query, "/#%[]=:;$&()+,!?*@'~")
	}
	return p
}

// Env returns an environment key's value ("" when absent).
func (r *Request) Env(name string) string {
	for _, e := range r.Environ {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// buildEnviron makes the WSGI environment (PEP 3333) from a parsed request,
// in the order a WSGI server fills it: the CGI variables, the headers as
// HTTP_*, then the wsgi.* keys.
func buildEnviron(in *incoming, client, scheme string) *Request {
	req := in.req
	r := &Request{Method: req.Method, Path: req.URL.Path, RawPath: req.URL.EscapedPath(), Query: req.URL.RawQuery, Host: req.Host, Scheme: scheme, Body: in.body}
	if r.Path == "" {
		r.Path, r.RawPath = "/", "/"
	}
	env := make([]trace.EnvVar, 0, 20+len(in.headers))
	add := func(name, value, from string) { env = append(env, trace.EnvVar{Name: name, Value: value, From: from}) }

	add("REQUEST_METHOD", req.Method, "request line: the method")
	add("SCRIPT_NAME", "", "the server: the application is mounted at the root")
	pathFrom := "request line: the path"
	if r.RawPath != r.Path {
		pathFrom = "request line: the path, percent-decoded (" + r.RawPath + ")"
	}
	add("PATH_INFO", r.Path, pathFrom)
	add("QUERY_STRING", r.Query, "request line: after the ?, still encoded")
	ct, cl := req.Header.Get("Content-Type"), req.Header.Get("Content-Length")
	add("CONTENT_TYPE", ct, headerFrom("Content-Type", ct != ""))
	add("CONTENT_LENGTH", cl, headerFrom("Content-Length", cl != ""))
	host, port := splitHost(req.Host, scheme)
	if host == "" {
		// PEP 3333: SERVER_NAME is never empty; without a Host header
		// (HTTP/1.0) a server gives its own name.
		add("SERVER_NAME", "localhost", "the server's own name: the request has no Host header")
	} else {
		add("SERVER_NAME", host, "Host header (as gunicorn fills it)")
	}
	add("SERVER_PORT", port, "Host header, or the scheme's default port")
	add("SERVER_PROTOCOL", req.Proto, "request line: the version")
	if h, p, err := net.SplitHostPort(client); err == nil {
		add("REMOTE_ADDR", h, "the socket: the client's address")
		add("REMOTE_PORT", p, "the socket: the client's port")
	}

	// Headers, in the order sent; repeated ones are joined with a comma, as
	// RFC 9110 section 5.3 allows and WSGI servers do.
	seen := map[string]int{}
	for _, h := range in.headers {
		lower := strings.ToLower(h.Name)
		if lower == "content-type" || lower == "content-length" {
			continue // already CONTENT_TYPE and CONTENT_LENGTH, never HTTP_*
		}
		if strings.Contains(h.Name, "_") {
			// Django's runserver and gunicorn drop these: once dashes become
			// underscores, X_User and X-User would be the same key, and a
			// client could forge a header a proxy set.
			r.Dropped = append(r.Dropped, h.Name+": dropped, its name has an underscore (X_A and X-A would become the same key)")
			continue
		}
		key := "HTTP_" + strings.ToUpper(strings.ReplaceAll(h.Name, "-", "_"))
		if i, ok := seen[key]; ok {
			env[i].Value += "," + h.Value
			env[i].From = "the " + h.Name + " headers, joined with commas"
			continue
		}
		seen[key] = len(env)
		add(key, h.Value, h.Name+" header")
	}

	add("wsgi.version", "(1, 0)", "PEP 3333")
	add("wsgi.url_scheme", scheme, schemeFrom(scheme))
	add("wsgi.input", "<stream: "+strconv.Itoa(len(in.body))+" bytes>", "the request body, read by the view")
	add("wsgi.errors", "<sys.stderr>", "where the application logs")
	add("wsgi.multithread", "True", "this server answers in threads (goroutines)")
	add("wsgi.multiprocess", "False", "one process")
	add("wsgi.run_once", "False", "the application stays loaded between requests")
	r.Environ = env
	return r
}

func headerFrom(name string, present bool) string {
	if present {
		return name + " header"
	}
	return "no " + name + " header: empty"
}

func schemeFrom(scheme string) string {
	if scheme == "https" {
		return "the connection: TLS, ended by the server before the gateway"
	}
	return "the connection: plain TCP"
}

// splitHost splits a Host header into the name and port, with the scheme's
// default port when none is given.
func splitHost(hostHeader, scheme string) (string, string) {
	def := "80"
	if scheme == "https" {
		def = "443"
	}
	if h, p, err := net.SplitHostPort(hostHeader); err == nil {
		return h, p
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostHeader, "["), "]"), def
}
