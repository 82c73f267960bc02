package gateway

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"journey/internal/router"
)

// TestCSRF: a POST without Django's token is refused with Django's 403
// and the lesson; one carrying the cookie and the token, as a browser's
// form does, reaches the view.
func TestCSRF(t *testing.T) {
	secret := strings.Repeat("abcdefgh", 4)
	masked := csrfMask(secret)
	form := func(body string, headers ...string) string {
		return "POST /echo/ HTTP/1.1\r\nHost: www.example.com\r\n" + strings.Join(append(headers, ""), "\r\n") +
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
	}
	cases := []struct {
		name   string
		raw    string
		scheme string
		status int
		reason string
	}{
		{"no cookie", form("name=ada"), "http", 403, "CSRF cookie not set."},
		{"cookie, no token", form("name=ada", "Cookie: csrftoken="+secret), "http", 403, "CSRF token missing."},
		{"wrong token", form("csrfmiddlewaretoken="+csrfMask(strings.Repeat("x", 32))+"&name=ada", "Cookie: csrftoken="+secret), "http", 403, "CSRF token from POST incorrect."},
		{"short token", form("csrfmiddlewaretoken=abc", "Cookie: csrftoken="+secret), "http", 403, "CSRF token from POST has incorrect length."},
		{"bad characters", form("csrfmiddlewaretoken="+strings.Repeat("!", 32), "Cookie: csrftoken="+secret), "http", 403, "CSRF token from POST has invalid characters."},
		{"form token", form("csrfmiddlewaretoken="+masked+"&name=ada", "Cookie: csrftoken="+secret), "http", 200, ""},
		{"header token, unmasked", form("name=ada", "Cookie: csrftoken="+secret, "X-CSRFToken: "+secret), "http", 200, ""},
		{"header token, masked", form("name=ada", "Cookie: csrftoken="+secret, "X-CSRFToken: "+masked), "http", 200, ""},
		{"foreign origin", form("csrfmiddlewaretoken="+masked, "Cookie: csrftoken="+secret, "Origin: http://evil.example"), "http", 403, "Origin checking failed - http://evil.example does not match any trusted origins."},
		{"same origin", form("csrfmiddlewaretoken="+masked, "Cookie: csrftoken="+secret, "Origin: http://www.example.com"), "http", 200, ""},
		{"https without referer", form("csrfmiddlewaretoken="+masked, "Cookie: csrftoken="+secret), "https", 403, "Referer checking failed - no Referer."},
		{"https with referer", form("csrfmiddlewaretoken="+masked, "Cookie: csrftoken="+secret, "Referer: https://www.example.com/echo/"), "https", 200, ""},
		{"GET is safe", "GET /echo/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "http", 200, ""},
		{"DELETE is not", "DELETE /echo/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", "http", 403, "CSRF cookie not set."},
	}
	site := NewSite(router.Demo())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv := site.Handle(strings.NewReader(tc.raw), io.Discard, ConnInfo{Client: "127.0.0.1:1", Scheme: tc.scheme})
			if sv.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", sv.Status, tc.status, sv.Response)
			}
			notes := strings.Join(sv.Gateway.Notes, "\n")
			if tc.reason == "" {
				if strings.Contains(notes, "CSRF:") {
					t.Errorf("a passing request has the CSRF lesson: %s", notes)
				}
				return
			}
			if !strings.Contains(string(sv.Response), "CSRF verification failed. Request aborted.") || !strings.Contains(string(sv.Response), tc.reason) {
				t.Errorf("the 403 page lacks Django's words or the reason %q:\n%s", tc.reason, sv.Response)
			}
			if !strings.Contains(notes, "CSRF: Django refused this") || !strings.Contains(notes, tc.reason) {
				t.Errorf("no lesson in the notes: %s", notes)
			}
			if sv.Router.Router.View != "" && sv.Router.Router.Took != 0 {
				t.Errorf("the view ran: %+v", sv.Router.Router)
			}
		})
	}
}

// TestCSRFRoundTrip: the cookie and token the form page hands out make
// a POST pass, as a browser's form would.
func TestCSRFRoundTrip(t *testing.T) {
	site := NewSite(router.Demo())
	sv := site.Handle(strings.NewReader("GET /form/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), io.Discard, ConnInfo{Client: "127.0.0.1:1"})
	setCookie := regexp.MustCompile(`Set-Cookie: csrftoken=([A-Za-z0-9]{32}); expires=[^;]+; Max-Age=31449600; Path=/; SameSite=Lax`).FindSubmatch(sv.Response)
	token := regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"`).FindSubmatch(sv.Response)
	if setCookie == nil || token == nil {
		t.Fatalf("no cookie or token in\n%s", sv.Response)
	}
	body := "csrfmiddlewaretoken=" + string(token[1]) + "&name=ada"
	raw := "POST /echo/ HTTP/1.1\r\nHost: www.example.com\r\nCookie: csrftoken=" + string(setCookie[1]) + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
	sv = site.Handle(strings.NewReader(raw), io.Discard, ConnInfo{Client: "127.0.0.1:1"})
	if sv.Status != http.StatusOK || !strings.Contains(string(sv.Response), "name=ada") {
		t.Fatalf("the round trip did not pass: %d\n%s", sv.Status, sv.Response)
	}
	if strings.Contains(string(sv.Response), "Set-Cookie") {
		t.Errorf("a request with a valid cookie got a new one")
	}
}

func TestCSRFMaskRoundTrip(t *testing.T) {
	for i := 0; i < 50; i++ {
		s := csrfRandom(csrfSecretLen)
		if got := csrfUnmask(csrfMask(s)); got != s {
			t.Fatalf("unmask(mask(%q)) = %q", s, got)
		}
	}
}

// TestDebug500Negotiates: the debug 500 is HTML to a client that accepts
// it (or says nothing), text to one that does not, and names Python's
// ZeroDivisionError with a traceback.
func TestDebug500Negotiates(t *testing.T) {
	cases := []struct {
		accept, contentType, want string
	}{
		{"", "text/html", "<h1>ZeroDivisionError at /boom/</h1>"},
		{"*/*", "text/html", "<pre class=\"exception_value\">division by zero</pre>"},
		{"text/html,application/xhtml+xml", "text/html", "Traceback (most recent call last):"},
		{"application/json", "text/plain; charset=utf-8", "ZeroDivisionError at /boom/\ndivision by zero"},
		{"text/plain", "text/plain; charset=utf-8", "    return HttpResponse(total / count)\nZeroDivisionError: division by zero"},
	}
	site := NewSite(router.Demo())
	for _, tc := range cases {
		t.Run(tc.accept, func(t *testing.T) {
			raw := "GET /boom/ HTTP/1.1\r\nHost: www.example.com\r\n"
			if tc.accept != "" {
				raw += "Accept: " + tc.accept + "\r\n"
			}
			sv := site.Handle(strings.NewReader(raw+"\r\n"), io.Discard, ConnInfo{Client: "127.0.0.1:1"})
			if sv.Status != 500 || !strings.Contains(string(sv.Response), "Content-Type: "+tc.contentType) || !strings.Contains(string(sv.Response), tc.want) {
				t.Errorf("%d, want 500 %s with %q:\n%s", sv.Status, tc.contentType, tc.want, sv.Response)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestHostWithoutHostHeader: an HTTP/1.0 request without Host is named by
// SERVER_NAME and SERVER_PORT, as Django's get_host() names it.
func TestHostWithoutHostHeader(t *testing.T) {
	cases := []struct {
		server, want string
	}{
		{"127.0.0.1:8000", "Request URL: http://127.0.0.1:8000/boom/"},
		{"127.0.0.1:80", "Request URL: http://127.0.0.1/boom/"},
	}
	for _, tc := range cases {
		t.Run(tc.server, func(t *testing.T) {
			sv := NewSite(router.Demo()).Handle(strings.NewReader("GET /boom/ HTTP/1.0\r\nAccept: text/plain\r\n\r\n"), io.Discard, ConnInfo{Client: "127.0.0.1:1", Server: tc.server})
			if !strings.Contains(string(sv.Response), tc.want) {
				t.Errorf("no %q in\n%s", tc.want, sv.Response)
			}
		})
	}
}
