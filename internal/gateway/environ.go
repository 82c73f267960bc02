package gateway

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"journey/internal/trace"

	"journey/internal/router"
)

// Request is what the middleware and the views see: the environment and
// the few values Django's HttpRequest derives from it.
type Request struct {
	Method   string
	Path     string // Django's request.path_info: PATH_INFO's bytes as UTF-8, broken bytes percent-encoded again
	PathInfo string // PATH_INFO as PEP 3333 gives it: the decoded bytes, one latin-1 character each
	RawPath  string // the path as sent, still percent-encoded
	Query    string // QUERY_STRING, as sent
	Host     string // the Host header
	Scheme   string
	Environ  []trace.EnvVar
	Body     []byte
	Dropped  []string // header names the gateway left out of the environment, and why
	Resolved bool     // set once the router ran (CommonMiddleware asks it again for APPEND_SLASH)
	// Meta holds what the middleware notes in request.META on the way
	// down for its way up (CSRF_COOKIE, CSRF_COOKIE_NEEDS_UPDATE).
	Meta map[string]string
	// CSRFReason is why CsrfViewMiddleware refused the request, if it did.
	CSRFReason string
	// SessionRead is set when something read request.session (the debug
	// 500 page shows request.user, which the session holds).
	SessionRead bool
	// userSet: AuthenticationMiddleware has set request.user.
	userSet bool
}

// FullPath is Django's request.get_full_path(): the decoded path
// percent-encoded again (escape_uri_path), with its query (iri_to_uri).
func (r *Request) FullPath(appendSlash bool) string {
	p := escapeURIPath(r.Path)
	if appendSlash && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	if r.Query != "" {
		p += "?" + router.Quote(r.Query, "/#%[]=:;$&()+,!?*@'~")
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
func buildEnviron(in *incoming, info ConnInfo) *Request {
	req := in.req
	client, scheme := info.Client, info.Scheme
	rawPath, query := splitTarget(in.target)
	r := &Request{Method: req.Method, RawPath: rawPath, Query: query, Host: req.Host, Scheme: scheme, Body: in.body, Meta: map[string]string{}}
	if r.RawPath == "" {
		r.RawPath = "/"
	}
	r.PathInfo, r.Path = PathInfo(r.RawPath)
	env := make([]trace.EnvVar, 0, 20+len(in.headers))
	add := func(name, value, from string) { env = append(env, trace.EnvVar{Name: name, Value: value, From: from}) }

	add("REQUEST_METHOD", req.Method, "request line: the method")
	add("SCRIPT_NAME", "", "the server: the application is mounted at the root")
	pathFrom := "request line: the path"
	switch {
	case r.PathInfo != r.Path:
		pathFrom = fmt.Sprintf("request line: the path %s, percent-decoded to bytes and given one latin-1 character per byte, as PEP 3333 says; Django turns the bytes back and reads them as UTF-8: %s", r.RawPath, r.Path)
	case r.RawPath != r.Path:
		pathFrom = "request line: the path, percent-decoded (" + r.RawPath + ")"
	}
	add("PATH_INFO", r.PathInfo, pathFrom)
	add("QUERY_STRING", r.Query, "request line: after the ?, still encoded")
	ct, cl := req.Header.Get("Content-Type"), req.Header.Get("Content-Length")
	add("CONTENT_TYPE", ct, headerFrom("Content-Type", ct != ""))
	add("CONTENT_LENGTH", cl, headerFrom("Content-Length", cl != ""))
	// gunicorn on a TCP socket fills SERVER_NAME and SERVER_PORT from the
	// address it listens on, not from the Host header: Django reads the
	// host from HTTP_HOST (request.get_host()).
	if h, p, err := net.SplitHostPort(info.Server); err == nil {
		from := "the listening socket's address (gunicorn on TCP; the Host header is HTTP_HOST)"
		if info.Reenacted {
			from = "the address journey connected to, standing for the real server's listening socket"
		}
		add("SERVER_NAME", h, from)
		add("SERVER_PORT", p, from)
	} else {
		host, port := splitHost(req.Host, scheme)
		if host == "" {
			host = "localhost"
		}
		add("SERVER_NAME", host, "no listening socket known: the Host header, as gunicorn does on a unix socket")
		add("SERVER_PORT", port, "no listening socket known: the Host header, or the scheme's default port")
	}
	if r.Host == "" {
		// Django's get_host() without a Host header: SERVER_NAME, and the
		// port when it is not the scheme's own.
		name, port := env[len(env)-2].Value, env[len(env)-1].Value
		r.Host = name
		if def, _ := map[string]string{"http": "80", "https": "443"}[scheme]; port != def {
			r.Host = net.JoinHostPort(name, port)
		}
	}
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
			env[i].Value += "," + latin1([]byte(h.Value))
			env[i].From = "the " + h.Name + " headers, joined with commas"
			continue
		}
		seen[key] = len(env)
		from := h.Name + " header"
		value := latin1([]byte(h.Value))
		if value != h.Value {
			from += ": its bytes, one latin-1 character each, as PEP 3333 gives header values (" + h.Value + " as UTF-8)"
		}
		add(key, value, from)
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

// splitTarget splits a request-target into its path, as sent, and its
// query, as Python's urlsplit does for gunicorn: the fragment, if a client
// sent one, belongs to neither; an absolute-form target loses its scheme
// and authority.
func splitTarget(target string) (path, query string) {
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	if i := strings.IndexByte(target, '?'); i >= 0 {
		target, query = target[:i], target[i+1:]
	}
	if !strings.HasPrefix(target, "/") {
		if i := strings.Index(target, "://"); i >= 0 {
			rest := target[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				return rest[j:], query
			}
			return "", query
		}
	}
	return target, query
}
