package gateway

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"journey/internal/trace"
)

// ServerSoftware is the Server header the gateway sends.
const ServerSoftware = "journey-gateway (WSGI-style)"

// Response is what a view returns and the middleware changes on the way up.
type Response struct {
	Status  int
	Headers []trace.Header
	Body    []byte
}

// Header returns the first value of a header, case-insensitively.
func (r *Response) Header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// SetDefault adds a header unless the response has it, as Django's
// response.headers.setdefault does.
func (r *Response) SetDefault(name, value string) bool {
	if _, ok := r.Header(name); ok {
		return false
	}
	r.Headers = append(r.Headers, trace.Header{Name: name, Value: value})
	return true
}

func newResponse(status int, contentType string, body []byte) *Response {
	return &Response{Status: status, Headers: []trace.Header{{Name: "Content-Type", Value: contentType}}, Body: body}
}

// serialise writes the response as a WSGI server does: the status line,
// Date and Server first, the application's headers, Content-Length when
// the application set none, Connection: close (one request per
// connection), the blank line, the body (none for HEAD).
func serialise(resp *Response, method string, now time.Time) ([]byte, []trace.Field) {
	var b bytes.Buffer
	reason := http.StatusText(resp.Status)
	b.WriteString("HTTP/1.1 " + strconv.Itoa(resp.Status) + " " + reason + "\r\n")
	b.WriteString("Date: " + now.UTC().Format(http.TimeFormat) + "\r\n")
	b.WriteString("Server: " + ServerSoftware + "\r\n")
	for _, h := range resp.Headers {
		b.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	if _, ok := resp.Header("Content-Length"); !ok {
		b.WriteString("Content-Length: " + strconv.Itoa(len(resp.Body)) + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	headLen := b.Len()
	if method != http.MethodHead {
		b.Write(resp.Body)
	}
	raw := b.Bytes()
	fields := messageFields(raw, headLen, "status line", func(line string, off int) []trace.Field {
		parts := strings.SplitN(line, " ", 3)
		names := []string{"version", "status code", "reason"}
		var out []trace.Field
		at := off
		for i, p := range parts {
			out = append(out, trace.Field{Name: names[i], Offset: at, Length: len(p), Value: p})
			at += len(p) + 1
		}
		return out
	})
	return raw, fields
}

func headerLocation(to string) trace.Header { return trace.Header{Name: "Location", Value: to} }
