package gateway

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"journey/internal/router"
)

// Middleware is one layer of Django's onion in the shape of its
// MiddlewareMixin: ProcessRequest on the way down (a response stops the
// descent and turns back up from this layer), ProcessResponse on the way
// up. Each returns, in words, what it did.
type Middleware interface {
	Name() string
	ProcessRequest(r *Request) (*Response, string)
	ProcessResponse(r *Request, resp *Response) (*Response, string, error)
}

// viewMiddleware is a middleware with a process_view hook: it runs after
// the URL resolved and before the view; a response skips the view.
type viewMiddleware interface {
	ProcessView(r *Request) (*Response, string)
}

// Settings are the Django settings the middleware reads, at the values the
// lab runs with.
type Settings struct {
	Debug       bool // DEBUG: the debug 404 and 500 pages
	AppendSlash bool // APPEND_SLASH
}

// DefaultSettings are those of a new Django project (django-admin
// startproject): DEBUG on, APPEND_SLASH on.
var DefaultSettings = Settings{Debug: true, AppendSlash: true}

// defaultMiddleware is a new project's MIDDLEWARE, as django-admin
// startproject writes it, in its order, with GZipMiddleware added first
// as Django's documentation places it, so that --compressed has something
// to undo, and ConditionalGetMiddleware after it (where the documentation
// says), so that a second visit is answered 304 Not Modified.
func defaultMiddleware(conf *router.URLConf, s Settings) []Middleware {
	return []Middleware{
		gzipMiddleware{},
		conditionalGetMiddleware{},
		securityMiddleware{},
		sessionMiddleware{},
		&commonMiddleware{conf: conf, settings: s},
		csrfMiddleware{},
		authenticationMiddleware{},
		messageMiddleware{},
		xFrameOptionsMiddleware{},
	}
}

// sessionMiddleware is django.contrib.sessions.middleware.SessionMiddleware:
// request.session is read from the database only when a view uses it, and
// saved (with a Set-Cookie) only when a view changed it.
type sessionMiddleware struct{}

func (sessionMiddleware) Name() string {
	return "django.contrib.sessions.middleware.SessionMiddleware"
}

func (sessionMiddleware) ProcessRequest(r *Request) (*Response, string) {
	if key := cookie(r, "sessionid"); key != "" {
		return nil, "set request.session for the sessionid cookie's key, lazily: the database is read only if a view uses it"
	}
	return nil, "set request.session, empty: no sessionid cookie (the database is not touched unless a view stores something)"
}

func (sessionMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	if r.SessionRead {
		// patch_vary_headers(response, ("Cookie",)): the page depended on
		// the session, so a cache must keep apart the pages of two users.
		return resp, patchVary(resp, "Cookie") + ": the debug page read request.user, so request.session was read; nothing changed in it, so no Set-Cookie", nil
	}
	return resp, "passed: no view used request.session, so no Vary: Cookie and no Set-Cookie", nil
}

// authenticationMiddleware is
// django.contrib.auth.middleware.AuthenticationMiddleware.
type authenticationMiddleware struct{}

func (authenticationMiddleware) Name() string {
	return "django.contrib.auth.middleware.AuthenticationMiddleware"
}

func (authenticationMiddleware) ProcessRequest(r *Request) (*Response, string) {
	r.userSet = true
	return nil, "set request.user, lazily: the session says who is logged in only if a view asks (here it would be AnonymousUser)"
}

func (authenticationMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	return resp, "passed: it only acts on the request", nil
}

// messageMiddleware is django.contrib.messages.middleware.MessageMiddleware:
// one-time messages ("Saved.") kept in a cookie or the session until the
// next page shows them.
type messageMiddleware struct{}

func (messageMiddleware) Name() string {
	return "django.contrib.messages.middleware.MessageMiddleware"
}

func (messageMiddleware) ProcessRequest(r *Request) (*Response, string) {
	return nil, "set request._messages: the storage of one-time messages (a cookie, then the session)"
}

func (messageMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	return resp, "passed: no message was added or shown, nothing to store", nil
}

// securityMiddleware is django.middleware.security.SecurityMiddleware with
// its default settings.
type securityMiddleware struct{}

func (securityMiddleware) Name() string { return "django.middleware.security.SecurityMiddleware" }

func (securityMiddleware) ProcessRequest(r *Request) (*Response, string) {
	return nil, "passed: SECURE_SSL_REDIRECT is off, so no redirect to https"
}

func (securityMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	var added []string
	// Django's defaults: SECURE_CONTENT_TYPE_NOSNIFF = True,
	// SECURE_REFERRER_POLICY = "same-origin" (since 3.1),
	// SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin" (since 4.0: a
	// Django 3.2 site sends no Cross-Origin-Opener-Policy).
	for _, h := range [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "same-origin"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	} {
		if resp.SetDefault(h[0], h[1]) {
			added = append(added, h[0]+": "+h[1])
		}
	}
	what := "added " + strings.Join(added, ", ")
	if len(added) == 0 {
		what = "the headers it sets were already there"
	}
	return resp, what + " (Cross-Origin-Opener-Policy since Django 4.0; no Strict-Transport-Security: SECURE_HSTS_SECONDS is 0 by default)", nil
}

// xFrameOptionsMiddleware is
// django.middleware.clickjacking.XFrameOptionsMiddleware: no framing by
// another site, against clickjacking.
type xFrameOptionsMiddleware struct{}

func (xFrameOptionsMiddleware) Name() string {
	return "django.middleware.clickjacking.XFrameOptionsMiddleware"
}

func (xFrameOptionsMiddleware) ProcessRequest(r *Request) (*Response, string) {
	return nil, "passed: it only acts on the response"
}

func (xFrameOptionsMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	if resp.SetDefault("X-Frame-Options", "DENY") {
		return resp, "added X-Frame-Options: DENY (X_FRAME_OPTIONS's default)", nil
	}
	return resp, "X-Frame-Options was already set", nil
}

// commonMiddleware is django.middleware.common.CommonMiddleware's
// APPEND_SLASH: after a 404, if the path lacks its final slash and the path
// with one would match a pattern, answer 301 to it. With DEBUG on, a POST,
// PUT or PATCH raises RuntimeError instead, because a browser follows a
// 301 with a GET and the body would be lost without anyone noticing; with
// DEBUG off it redirects anyway.
type commonMiddleware struct {
	conf     *router.URLConf
	settings Settings
}

func (*commonMiddleware) Name() string { return "django.middleware.common.CommonMiddleware" }

// hostValidation is django.http.request.host_validation_re: a domain of
// letters, digits, dots and dashes, or an IPv6 literal, and a port.
var hostValidation = regexp.MustCompile(`^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9\.:]+\])(:[0-9]+)?$`)

func (*commonMiddleware) ProcessRequest(r *Request) (*Response, string) {
	// request.get_host(), which CommonMiddleware calls for PREPEND_WWW:
	// the lab allows every name (ALLOWED_HOSTS = ["*"]), but a Host that
	// is not a host name at all is refused.
	if host := r.Env("HTTP_HOST"); host != "" && !hostValidation.MatchString(strings.ToLower(host)) {
		err := &viewError{kind: "DisallowedHost", msg: fmt.Sprintf("Invalid HTTP_HOST header: %s. The domain name provided is not valid according to RFC 1034/1035.", pyRepr(host)), frames: []frame{
			{"/usr/lib/python3/dist-packages/django/middleware/common.py", "process_request", "host = request.get_host()", 48},
			{"/usr/lib/python3/dist-packages/django/http/request.py", "get_host", "raise DisallowedHost(msg)", 151},
		}}
		resp := serverErrorStatus(r, "django.middleware.common.CommonMiddleware.process_request", err, http.StatusBadRequest)
		return resp, "raised DisallowedHost: the Host header " + pyRepr(host) + " is not a host name (RFC 1034/1035) → 400 Bad Request"
	}
	return nil, "passed: the Host header is a valid host name (ALLOWED_HOSTS allows every name in the lab), DISALLOWED_USER_AGENTS is empty and PREPEND_WWW is off"
}

func (m *commonMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	if resp.Status != http.StatusNotFound {
		return resp, "passed: the response is not a 404, nothing to fix" + m.contentLength(resp), nil
	}
	if !m.settings.AppendSlash {
		return resp, "passed: APPEND_SLASH is off" + m.contentLength(resp), nil
	}
	if strings.HasSuffix(r.Path, "/") {
		return resp, "passed: a 404, but the path already ends with a slash" + m.contentLength(resp), nil
	}
	if m.conf.Lookup(r.Path) != nil {
		return resp, "passed: a 404 from the view itself, the path matches a pattern" + m.contentLength(resp), nil
	}
	if m.conf.Lookup(r.Path+"/") == nil {
		return resp, fmt.Sprintf("passed: a 404, and %s/ would not match either", r.Path) + m.contentLength(resp), nil
	}
	// get_full_path_with_slash: the path percent-encoded again from what
	// Django decoded (not as the client sent it), and never //, which a
	// browser would take for another host.
	to := escapeLeadingSlashes(r.FullPath(true))
	if m.settings.Debug && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
		return nil, "", &viewError{kind: "RuntimeError", msg: fmt.Sprintf(
			"You called this URL via %s, but the URL doesn't end in a slash and you have APPEND_SLASH set. "+
				"Django can't redirect to the slash URL while maintaining %s data. Change your form to point to %s%s "+
				"(note the trailing slash), or set APPEND_SLASH=False in your Django settings.",
			r.Method, r.Method, r.Host, to)}
	}
	red := newResponse(http.StatusMovedPermanently, "text/html; charset=utf-8", nil)
	red.Headers = append(red.Headers, headerLocation(to))
	return red, fmt.Sprintf("APPEND_SLASH: %s matched nothing but %s/ does, so 301 to %s", r.Path, r.Path, to) + m.contentLength(red), nil
}

// contentLength is the end of CommonMiddleware.process_response: a body
// that is not streamed gets its Content-Length.
func (m *commonMiddleware) contentLength(resp *Response) string {
	if resp.Stream != nil {
		return ""
	}
	if _, ok := resp.Header("Content-Length"); ok {
		return ""
	}
	resp.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	return "; set Content-Length: " + strconv.Itoa(len(resp.Body))
}

// escapeLeadingSlashes is django.utils.http.escape_leading_slashes.
func escapeLeadingSlashes(u string) string {
	if strings.HasPrefix(u, "//") {
		return "/%2F" + u[2:]
	}
	return u
}

// AppendSlash is what CommonMiddleware does with a 404 for this request:
// the status and Location it answers (404 and "" when it leaves the 404),
// or the RuntimeError Django raises with DEBUG on for a POST, PUT or PATCH.
// rawPath is the path as sent; the differential test compares it with
// Django's.
func AppendSlash(conf *router.URLConf, method, rawPath, query, host string) (int, string, error) {
	_, p := PathInfo(rawPath)
	req := &Request{Method: method, Path: p, RawPath: rawPath, Query: query, Host: host}
	m := &commonMiddleware{conf: conf, settings: DefaultSettings}
	resp, _, err := m.ProcessResponse(req, newResponse(http.StatusNotFound, "text/html", nil))
	if err != nil {
		return 0, "", err
	}
	loc, _ := resp.Header("Location")
	return resp.Status, loc, nil
}
