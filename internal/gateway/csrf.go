package gateway

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"html"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"journey/internal/trace"
)

// Django's CSRF protection (django.middleware.csrf, Django 4.1 and later):
// the csrftoken cookie holds a 32-character secret; a form sends it back
// masked, as 64 characters, in its csrfmiddlewaretoken field (or a script
// in the X-CSRFToken header). Another site can make a browser send the
// cookie but cannot read it, so it cannot write the field.
const (
	csrfCookieName  = "csrftoken"   // CSRF_COOKIE_NAME
	csrfHeaderName  = "X-CSRFToken" // CSRF_HEADER_NAME: HTTP_X_CSRFTOKEN
	csrfFieldName   = "csrfmiddlewaretoken"
	csrfSecretLen   = 32 // CSRF_SECRET_LENGTH
	csrfTokenLen    = 64 // CSRF_TOKEN_LENGTH: the mask, then the masked secret
	csrfAllowed     = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	csrfCookieAge   = 31449600 // CSRF_COOKIE_AGE: one year of 52 weeks, in seconds
	csrfMetaCookie  = "CSRF_COOKIE"
	csrfNeedsUpdate = "CSRF_COOKIE_NEEDS_UPDATE"
)

// The reasons Django's CsrfViewMiddleware gives, word for word.
const (
	reasonNoCookie      = "CSRF cookie not set."
	reasonTokenMissing  = "CSRF token missing."
	reasonBadOrigin     = "Origin checking failed - %s does not match any trusted origins."
	reasonNoReferer     = "Referer checking failed - no Referer."
	reasonBadReferer    = "Referer checking failed - %s does not match any trusted origins."
	reasonInsecureRefer = "Referer checking failed - Referer is insecure while host is secure."
)

// csrfMiddleware is django.middleware.csrf.CsrfViewMiddleware.
type csrfMiddleware struct{}

func (csrfMiddleware) Name() string { return "django.middleware.csrf.CsrfViewMiddleware" }

func (csrfMiddleware) ProcessRequest(r *Request) (*Response, string) {
	secret := cookie(r, csrfCookieName)
	if secret == "" {
		return nil, "no csrftoken cookie: nothing to remember (a view that shows a form will set one)"
	}
	if s, ok := csrfSecretFrom(secret); ok {
		r.Meta[csrfMetaCookie] = s
		return nil, "read the csrftoken cookie: this browser's CSRF secret"
	}
	// A cookie of the wrong shape is replaced, as InvalidTokenFormat does.
	r.Meta[csrfNeedsUpdate] = "True"
	return nil, "the csrftoken cookie has the wrong length or characters: a new one will be set"
}

// ProcessView checks an unsafe request before its view runs: Django's
// process_view.
func (csrfMiddleware) ProcessView(r *Request) (*Response, string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil, "passed: " + r.Method + " is a safe method (RFC 9110 section 9.2.1), not checked"
	}
	if origin := r.Env("HTTP_ORIGIN"); origin != "" {
		good := r.Scheme + "://" + r.Host
		if origin != good {
			return csrfReject(r, fmt.Sprintf(reasonBadOrigin, origin))
		}
	} else if r.Scheme == "https" {
		referer := r.Env("HTTP_REFERER")
		if referer == "" {
			return csrfReject(r, reasonNoReferer)
		}
		u, err := url.Parse(referer)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return csrfReject(r, "Referer checking failed - Referer is malformed.")
		}
		if u.Scheme != "https" {
			return csrfReject(r, reasonInsecureRefer)
		}
		if u.Host != r.Host {
			return csrfReject(r, fmt.Sprintf(reasonBadReferer, referer))
		}
	}
	secret, ok := r.Meta[csrfMetaCookie]
	if !ok {
		return csrfReject(r, reasonNoCookie)
	}
	token, from := "", ""
	if r.Method == http.MethodPost {
		token, from = formValue(r, csrfFieldName), "POST"
	}
	if token == "" {
		token, from = r.Env("HTTP_X_CSRFTOKEN"), csrfHeaderName
	}
	if token == "" {
		return csrfReject(r, reasonTokenMissing)
	}
	if len(token) != csrfSecretLen && len(token) != csrfTokenLen {
		return csrfReject(r, "CSRF token from "+from+" has incorrect length.")
	}
	if strings.Trim(token, csrfAllowed) != "" {
		return csrfReject(r, "CSRF token from "+from+" has invalid characters.")
	}
	if len(token) == csrfTokenLen {
		token = csrfUnmask(token)
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(secret)) != 1 {
		return csrfReject(r, "CSRF token from "+from+" incorrect.")
	}
	return nil, "passed: the token from " + from + " unmasks to the csrftoken cookie's secret, so the form came from this site"
}

func (csrfMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	if r.Meta[csrfNeedsUpdate] != "True" {
		return resp, "passed: no new CSRF cookie to set", nil
	}
	secret := r.Meta[csrfMetaCookie]
	expires := time.Now().Add(csrfCookieAge * time.Second).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	resp.Headers = append(resp.Headers, headerSetCookie(fmt.Sprintf("%s=%s; expires=%s; Max-Age=%d; Path=/; SameSite=Lax", csrfCookieName, secret, expires, csrfCookieAge)))
	patchVary(resp, "Cookie")
	return resp, "set the csrftoken cookie (the view asked for a token: get_token()) and Vary: Cookie", nil
}

// csrfReject is Django's csrf_failure view with DEBUG on: 403 and the
// page that says why, as HTML, whatever the client accepts.
func csrfReject(r *Request, reason string) (*Response, string) {
	r.CSRFReason = reason
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\">\n  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n  <title>403 Forbidden</title>\n</head>\n<body>\n")
	b.WriteString("<div id=\"summary\">\n  <h1>Forbidden <span>(403)</span></h1>\n  <p>CSRF verification failed. Request aborted.</p>\n")
	if reason == reasonNoCookie {
		b.WriteString("  <p>You are seeing this message because this site requires a CSRF cookie when submitting forms. This cookie is required for security reasons, to ensure that your browser is not being hijacked by third parties.</p>\n")
		b.WriteString("  <p>If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for “same-origin” requests.</p>\n")
	}
	b.WriteString("</div>\n<div id=\"info\">\n  <h2>Help</h2>\n")
	fmt.Fprintf(&b, "    <p>Reason given for failure:</p>\n    <pre>\n    %s\n    </pre>\n", html.EscapeString(reason))
	b.WriteString("  <p>In general, this can occur when there is a genuine Cross Site Request Forgery, or when\n  <a href=\"https://docs.djangoproject.com/en/5.2/ref/csrf/\">Django’s CSRF mechanism</a> has not been used correctly.\n  For POST forms, you need to ensure:</p>\n  <ul>\n")
	b.WriteString("    <li>Your browser is accepting cookies.</li>\n")
	b.WriteString("    <li>The view function passes a <code>request</code> to the template’s <code>render</code> method.</li>\n")
	b.WriteString("    <li>In the template, there is a <code>{% csrf_token %}</code> template tag inside each POST form that targets an internal URL.</li>\n")
	b.WriteString("    <li>If you are not using <code>CsrfViewMiddleware</code>, then you must use <code>csrf_protect</code> on any views that use the <code>csrf_token</code> template tag, as well as those that accept the POST data.</li>\n")
	b.WriteString("    <li>The form has a valid CSRF token. After logging in in another browser tab or hitting the back button after a login, you may need to reload the page with the form, because the token is rotated after a login.</li>\n")
	b.WriteString("  </ul>\n  <p>You’re seeing the help section of this page because you have <code>DEBUG = True</code> in your Django settings file. Change that to <code>False</code>, and only the initial error message will be displayed.</p>\n")
	b.WriteString("  <p>You can customize this page using the CSRF_FAILURE_VIEW setting.</p>\n</div>\n</body>\n</html>\n")
	return newResponse(http.StatusForbidden, "text/html", []byte(b.String())), "refused: " + reason + " → 403 Forbidden before the view ran"
}

// csrfLesson says why the CSRF check refused r, and how a form passes.
func csrfLesson(r *Request) string {
	https := ""
	if strings.HasPrefix(r.CSRFReason, "Referer") {
		https = " Over https Django also checks where the form was: a request without an Origin header must carry a Referer on this very site (add -H 'Referer: https://" + r.Host + "/form/'), so a page on plain http cannot post to it."
	} else if strings.HasPrefix(r.CSRFReason, "Origin") {
		https = " A browser sends Origin with every POST: the form's page must be on this very site (" + r.Scheme + "://" + r.Host + ")."
	}
	return "CSRF: Django refused this " + r.Method + " (" + r.CSRFReason + "). A form from this site carries two copies of one secret: " +
		"the csrftoken cookie, and the same secret masked in the form's csrfmiddlewaretoken field (or a script's X-CSRFToken header). " +
		"A page on another site can make the browser send the cookie but cannot read it, so it cannot write the field: " +
		"a request without both is refused. To pass, GET the page with the form (here /form/: it sets the cookie and shows the token), " +
		"then send both back: -H 'Cookie: csrftoken=SECRET' -d 'csrfmiddlewaretoken=TOKEN&name=ada'." + https
}

// csrfSecretFrom returns the secret a csrftoken cookie holds: 32
// characters, or (an older Django's cookie) 64 masked ones.
func csrfSecretFrom(c string) (string, bool) {
	if strings.Trim(c, csrfAllowed) != "" {
		return "", false
	}
	switch len(c) {
	case csrfSecretLen:
		return c, true
	case csrfTokenLen:
		return csrfUnmask(c), true
	}
	return "", false
}

// getToken is django.middleware.csrf.get_token: the secret (a new one
// when the request has none, to be set as a cookie) masked afresh.
func getToken(r *Request) string {
	secret, ok := r.Meta[csrfMetaCookie]
	if !ok {
		secret = csrfRandom(csrfSecretLen)
		r.Meta[csrfMetaCookie] = secret
		r.Meta[csrfNeedsUpdate] = "True"
	}
	return csrfMask(secret)
}

func csrfRandom(n int) string {
	var b strings.Builder
	max := big.NewInt(int64(len(csrfAllowed)))
	for i := 0; i < n; i++ {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			k = big.NewInt(int64(i))
		}
		b.WriteByte(csrfAllowed[k.Int64()])
	}
	return b.String()
}

// csrfMask is _mask_cipher_secret: a random mask, then each secret
// character shifted by the mask's.
func csrfMask(secret string) string {
	mask := csrfRandom(csrfSecretLen)
	var b strings.Builder
	b.WriteString(mask)
	for i := 0; i < csrfSecretLen; i++ {
		x, y := strings.IndexByte(csrfAllowed, secret[i]), strings.IndexByte(csrfAllowed, mask[i])
		b.WriteByte(csrfAllowed[(x+y)%len(csrfAllowed)])
	}
	return b.String()
}

// csrfUnmask is _unmask_cipher_token.
func csrfUnmask(token string) string {
	mask, cipher := token[:csrfSecretLen], token[csrfSecretLen:]
	var b strings.Builder
	n := len(csrfAllowed)
	for i := 0; i < csrfSecretLen; i++ {
		x, y := strings.IndexByte(csrfAllowed, cipher[i]), strings.IndexByte(csrfAllowed, mask[i])
		b.WriteByte(csrfAllowed[((x-y)%n+n)%n])
	}
	return b.String()
}

// cookie returns a cookie's value from the request's Cookie header.
func cookie(r *Request, name string) string {
	h := r.Env("HTTP_COOKIE")
	if h == "" {
		return ""
	}
	cs, err := http.ParseCookie(h)
	if err != nil {
		// Django's parse_cookie is lenient: take the pairs one by one.
		for _, part := range strings.Split(h, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if k == name {
				return v
			}
		}
		return ""
	}
	for _, c := range cs {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// formValue reads a field of an application/x-www-form-urlencoded body,
// as request.POST does.
func formValue(r *Request, name string) string {
	ct := r.Env("CONTENT_TYPE")
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return ""
	}
	v, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return ""
	}
	return v.Get(name)
}

func headerSetCookie(v string) trace.Header { return trace.Header{Name: "Set-Cookie", Value: v} }
