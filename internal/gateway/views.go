package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"journey/internal/router"
	"journey/internal/trace"
)

// ErrView marks a view that raised: the gateway answers 500 and says what
// failed, as Django's debug 500 page does.
var ErrView = errors.New("the view raised an exception")

// viewError is a Python exception raised in a view.
type viewError struct {
	kind   string // the exception's class: ZeroDivisionError, NoReverseMatch
	msg    string
	frames []frame // the traceback; nil: the handler's frames
}

func (e *viewError) Error() string { return e.kind + ": " + e.msg }
func (e *viewError) Unwrap() error { return ErrView }

var templateVar = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// callView runs a built-in view with what the router extracted.
func callView(conf *router.URLConf, v *router.View, req *Request, m *router.Match) (*Response, error) {
	switch v.Func {
	case "template":
		return viewTemplate(v, m), nil
	case "json":
		return viewJSON(v, m)
	case "redirect":
		return viewRedirect(conf, v)
	case "static":
		return viewStatic(v), nil
	case "environ":
		return viewEnviron(req), nil
	case "form":
		return viewForm(v, req), nil
	case "error":
		return nil, viewFailure(v.Args[0])
	case "stream":
		return viewStream(v), nil
	case "ansi":
		return viewANSI(), nil
	}
	return nil, &viewError{kind: "ImproperlyConfigured", msg: "no built-in view called " + v.Func}
}

// value is what a template or JSON shows for a captured value: the
// converted number for int, the text otherwise (str() of the value).
func value(c router.Capture) string {
	if c.Type == "int" {
		return c.Value
	}
	return c.Text
}

// viewTemplate renders the template text, replacing {{ name }} with the
// captured value, HTML-escaped as Django's templates autoescape. An
// unknown name renders as nothing, as Django's string_if_invalid does.
func viewTemplate(v *router.View, m *router.Match) *Response {
	vals := map[string]string{}
	for _, c := range m.Captures {
		vals[c.Name] = value(c)
	}
	body := templateVar.ReplaceAllStringFunc(v.Args[0], func(s string) string {
		name := templateVar.FindStringSubmatch(s)[1]
		return html.EscapeString(vals[name])
	})
	page := "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>example</title></head>\n<body>\n" + body + "\n</body></html>\n"
	resp := newResponse(http.StatusOK, "text/html; charset=utf-8", []byte(page))
	cacheHeaders(resp)
	return resp
}

// viewJSON answers the JSON object of its argument with the captured
// values added (ints as numbers), as a JsonResponse.
func viewJSON(v *router.View, m *router.Match) (*Response, error) {
	obj := map[string]any{}
	if len(v.Args) == 1 {
		if err := json.Unmarshal([]byte(v.Args[0]), &obj); err != nil {
			return nil, &viewError{kind: "ValueError", msg: "json(): " + err.Error()}
		}
	}
	for _, c := range m.Captures {
		if c.Type == "int" {
			obj[c.Name] = json.Number(c.Value)
		} else {
			obj[c.Name] = c.Text
		}
	}
	if len(m.Args) > 0 {
		args := make([]any, len(m.Args))
		for i, a := range m.Args {
			if !a.None {
				args[i] = a.Text
			}
		}
		obj["args"] = args
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, &viewError{kind: "TypeError", msg: err.Error()}
	}
	return newResponse(http.StatusOK, "application/json", body), nil
}

// viewRedirect answers 302 Found, as django.shortcuts.redirect does by
// default, to a URL or to reverse() of a pattern name.
func viewRedirect(conf *router.URLConf, v *router.View) (*Response, error) {
	to := v.Args[0]
	if !strings.Contains(to, "/") {
		kw := map[string]string{}
		for _, kv := range v.Kwargs {
			kw[kv.Key] = kv.Value
		}
		u, err := conf.Reverse(to, kw)
		if err != nil {
			return nil, &viewError{kind: "NoReverseMatch", msg: strings.TrimPrefix(err.Error(), router.ErrNoReverse.Error()+": ")}
		}
		to = u
	}
	resp := newResponse(http.StatusFound, "text/html; charset=utf-8", nil)
	resp.Headers = append(resp.Headers, trace.Header{Name: "Location", Value: to})
	return resp, nil
}

// viewStatic sends a file's bytes as they are.
func viewStatic(v *router.View) *Response {
	ct := mime.TypeByExtension(path.Ext(v.Args[0]))
	if ct == "" {
		ct = http.DetectContentType(v.Body)
	}
	resp := newResponse(http.StatusOK, ct, v.Body)
	cacheHeaders(resp)
	return resp
}

// viewFailure is the exception error(message) raises, as journey_views.py
// raises it: "division by zero" is Python's own ZeroDivisionError from
// total / count; any other message an Exception.
func viewFailure(message string) error {
	frames := append(append([]frame(nil), handlerFrames...), frame{"journey_views.py", "view", "return HttpResponse(total / count)", 76})
	if message == "division by zero" {
		return &viewError{kind: "ZeroDivisionError", msg: message, frames: frames}
	}
	frames[len(frames)-1].code = "raise Exception(message)"
	frames[len(frames)-1].line = 77
	return &viewError{kind: "Exception", msg: message, frames: frames}
}

// viewForm is a page with a form, as a template with {% csrf_token %}
// renders it: the hidden csrfmiddlewaretoken field holds the CSRF secret,
// masked afresh, and get_token() has CsrfViewMiddleware set the csrftoken
// cookie when the browser had none. The page also says how to post it
// back with journey.
func viewForm(v *router.View, req *Request) *Response {
	action := v.Args[0]
	token := getToken(req)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>A form</title></head>\n<body>\n")
	fmt.Fprintf(&b, "<form method=\"post\" action=\"%s\">\n  <input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"%s\">\n  <input name=\"name\" value=\"ada\">\n  <button>Send</button>\n</form>\n", html.EscapeString(action), token)
	fmt.Fprintf(&b, "<p>A browser posts the hidden field back with the csrftoken cookie. With journey:</p>\n<pre>journey --lab -X POST -H 'Cookie: csrftoken=%s' -d 'csrfmiddlewaretoken=%s&amp;name=ada' %s%s</pre>\n", req.Meta[csrfMetaCookie], token, html.EscapeString(req.Host), html.EscapeString(action))
	b.WriteString("</body></html>\n")
	return newResponse(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

// viewEnviron echoes the environment the view received, one key a line.
func viewEnviron(req *Request) *Response {
	var b strings.Builder
	b.WriteString("The WSGI environment this view received:\n\n")
	for _, e := range req.Environ {
		fmt.Fprintf(&b, "%s = %s\n", e.Name, e.Value)
	}
	if len(req.Body) > 0 {
		fmt.Fprintf(&b, "\nwsgi.input held %d bytes:\n%s\n", len(req.Body), req.Body)
	}
	return newResponse(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// viewStream is a StreamingHttpResponse over its arguments, one piece
// each: the length is not known before the end, so there is no
// Content-Length.
func viewStream(v *router.View) *Response {
	resp := newResponse(http.StatusOK, "text/plain; charset=utf-8", nil)
	resp.Stream = make([][]byte, 0, len(v.Args))
	for _, a := range v.Args {
		resp.Stream = append(resp.Stream, []byte(a+"\n"))
	}
	return resp
}

// hostileTitle is, in the one-byte C1 forms a header may carry (bytes of
// 0x80 and up are obs-text to RFC 9110; ESC and BEL are not, and Go's
// net/http refuses a head holding them), an OSC 0 sequence setting the
// window title ended by ST, then CSI 2 J clearing the screen: what a
// careless terminal program would obey when it prints a server's header.
const hostileTitle = "\u009d0;journey was here\u009c\u009b2J"

// viewANSI answers a page whose header holds escape sequences and whose
// body holds ESC [ 2 J, an OSC title ended by BEL and a Unicode
// right-to-left override (U+202E, which
// makes "gnp.exe" read as "exe.png"), so a class can see journey print
// them escaped instead of obeying them.
func viewANSI() *Response {
	body := "This body holds bytes a terminal would obey if printed raw:\n" +
		"  clear the screen: \x1b[2J\x1b[H\n" +
		"  set the window title, then ring the bell: \x1b]0;owned\x07\n" +
		"  red text: \x1b[31mred\x1b[0m\n" +
		"  a right-to-left override: invoice-\u202egnp.exe\n" +
		"journey shows each one escaped, so none of them acts.\n"
	resp := newResponse(http.StatusOK, "text/plain; charset=utf-8", []byte(body))
	resp.Headers = append(resp.Headers, trace.Header{Name: "X-Title", Value: hostileTitle + " \u202eevil"})
	return resp
}
