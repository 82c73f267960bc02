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
	// Stream, when not nil, is a StreamingHttpResponse's content, piece by
	// piece, and Body is unused: its length is not known in advance, so
	// an HTTP/1.1 server sends it chunked.
	Stream [][]byte
	// raised: an exception became this response, at the layer that raised
	// (convert_exception_to_response): that layer's process_response does
	// not run, the outer ones' do.
	raised bool
}

// bodyLen is the length of the content, streamed or not.
func (r *Response) bodyLen() int {
	if r.Stream == nil {
		return len(r.Body)
	}
	n := 0
	for _, c := range r.Stream {
		n += len(c)
	}
	return n
}

// Set sets a header, replacing its first value or adding it at the end,
// as Django's response.headers[name] = value does.
func (r *Response) Set(name, value string) {
	for i, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			r.Headers[i].Value = value
			return
		}
	}
	r.Headers = append(r.Headers, trace.Header{Name: name, Value: value})
}

// Del removes every value of a header.
func (r *Response) Del(name string) {
	kept := r.Headers[:0]
	for _, h := range r.Headers {
		if !strings.EqualFold(h.Name, name) {
			kept = append(kept, h)
		}
	}
	r.Headers = kept
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

// serialise writes the response as gunicorn does: the status line in the
// request's HTTP version, then Server, Date and Connection: close (one
// request per connection; keep-alive when the client asked and keepAlive), Transfer-Encoding when it chunks, then the
// application's headers, the blank line and the body (none for HEAD). A
// response without Content-Length (a stream; Django's CommonMiddleware
// sets it on every other) goes chunked to an HTTP/1.1 client (each piece
// the application gave, one chunk) and as it is to an HTTP/1.0 one, the
// closing connection marking its end. cuts are the
// offsets where a streamed piece ends: the writer pauses there, as the
// application took time to make the next piece.
func serialise(resp *Response, method, proto string, now time.Time, keepAlive bool) (raw []byte, fields []trace.Field, cuts []int) {
	var b bytes.Buffer
	reason := http.StatusText(resp.Status)
	if proto != "HTTP/1.0" {
		proto = "HTTP/1.1"
	}
	_, hasLength := resp.Header("Content-Length")
	// gunicorn's is_chunked: a body of unknown length goes chunked to an
	// HTTP/1.1 client, except for HEAD and statuses without a body.
	pieces := resp.Stream
	if pieces == nil && len(resp.Body) > 0 {
		pieces = [][]byte{resp.Body}
	}
	chunked := !hasLength && proto == "HTTP/1.1" && method != http.MethodHead && resp.Status != http.StatusNoContent && resp.Status != http.StatusNotModified
	b.WriteString(proto + " " + strconv.Itoa(resp.Status) + " " + reason + "\r\n")
	b.WriteString("Server: " + ServerSoftware + "\r\n")
	b.WriteString("Date: " + now.UTC().Format(http.TimeFormat) + "\r\n")
	if keepAlive {
		b.WriteString("Connection: keep-alive\r\n")
	} else {
		b.WriteString("Connection: close\r\n")
	}
	if chunked {
		b.WriteString("Transfer-Encoding: chunked\r\n")
	}
	for _, h := range resp.Headers {
		b.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	b.WriteString("\r\n")
	headLen := b.Len()
	if method != http.MethodHead {
		switch {
		case chunked:
			for _, c := range pieces {
				if len(c) == 0 {
					continue // an empty chunk would end the body
				}
				b.WriteString(strconv.FormatInt(int64(len(c)), 16) + "\r\n")
				b.Write(c)
				b.WriteString("\r\n")
				cuts = append(cuts, b.Len())
			}
			b.WriteString("0\r\n\r\n")
		default:
			for _, c := range pieces {
				b.Write(c)
				cuts = append(cuts, b.Len())
			}
		}
	}
	if resp.Stream == nil {
		cuts = nil // one body, written at once
	}
	raw = b.Bytes()
	fields = messageFields(raw, headLen, "status line", func(line string, off int) []trace.Field {
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
	// The body's end (the last piece, and the zero-length chunk after it)
	// follows the last piece at once: the pauses are between pieces.
	if len(cuts) > 0 {
		cuts = cuts[:len(cuts)-1]
	}
	return raw, fields, cuts
}

func headerLocation(to string) trace.Header { return trace.Header{Name: "Location", Value: to} }
