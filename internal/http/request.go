package http

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"journey/internal/trace"
)

// Request is what to send: the pieces of the request line and the headers
// the user asked for.
type Request struct {
	Method    string // GET when empty, POST when Body is set
	Target    string // request target: path and query ("/a?b=1")
	Host      string // Host header value (authority)
	UserAgent string // journey/VERSION
	// Headers are -H "Name: value", sent in order, each one (a name given
	// twice is sent twice, as curl does). A -H naming one of journey's own
	// headers (Host, User-Agent, Accept, Accept-Encoding, Connection, and
	// Content-Type and Content-Length with a body) replaces it, and
	// "Name:" removes it.
	Headers    []string
	Body       *string // -d; nil for none
	Compressed bool    // --compressed: ask for gzip
	// KeepAlive sends Connection: keep-alive instead of close (--warm:
	// the connection is used again for the second visit).
	KeepAlive bool
}

// header is one header line to send.
type header struct{ name, value string }

// Build writes the request's bytes and annotates them. The bytes are
// exactly what will be written: nothing is added later.
func (r Request) Build() ([]byte, []trace.Field, error) {
	method := r.Method
	if method == "" {
		method = "GET"
		if r.Body != nil {
			method = "POST"
		}
	}
	if !validToken(method) {
		return nil, nil, fmt.Errorf("%w: method %q is not a valid HTTP token", ErrBadRequest, method)
	}
	target := r.Target
	if target == "" {
		target = "/"
	}
	if strings.ContainsAny(target, " \r\n") {
		return nil, nil, fmt.Errorf("%w: the path %q holds a space or line break", ErrBadRequest, target)
	}
	hs := []header{{"Host", r.Host}, {"User-Agent", r.UserAgent}, {"Accept", "*/*"}}
	if r.Compressed {
		hs = append(hs, header{"Accept-Encoding", "gzip, deflate"})
	}
	if r.KeepAlive {
		hs = append(hs, header{"Connection", "keep-alive"})
	} else {
		hs = append(hs, header{"Connection", "close"})
	}
	if r.Body != nil {
		hs = append(hs, header{"Content-Type", "application/x-www-form-urlencoded"},
			header{"Content-Length", strconv.Itoa(len(*r.Body))})
	}
	own := len(hs) // hs[:own] are journey's own headers
	removed := map[int]bool{}
	for _, h := range r.Headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		value = strings.TrimSpace(value)
		if !ok || !validToken(name) {
			return nil, nil, fmt.Errorf("%w: -H %q is not \"Name: value\"", ErrBadRequest, h)
		}
		if strings.ContainsAny(value, "\r\n") {
			return nil, nil, fmt.Errorf("%w: -H %q holds a line break", ErrBadRequest, h)
		}
		if i := slices.IndexFunc(hs[:own], func(d header) bool { return strings.EqualFold(d.name, name) }); i >= 0 {
			// One of journey's own: replaced in place, or removed by
			// "Name:", as curl does.
			hs[i] = header{name, value}
			removed[i] = value == ""
			continue
		}
		if value != "" { // "Name:" of a header journey does not send removes nothing
			hs = append(hs, header{name, value})
		}
	}
	kept := hs[:0:0]
	for i, h := range hs {
		if !removed[i] {
			kept = append(kept, h)
		}
	}
	hs = kept

	var b strings.Builder
	var fields []trace.Field
	line := trace.Field{Name: "request line", Offset: 0}
	b.WriteString(method)
	line.Children = append(line.Children, trace.Field{Name: "method", Offset: 0, Length: len(method), Value: method})
	b.WriteString(" ")
	line.Children = append(line.Children, trace.Field{Name: "request target", Offset: b.Len(), Length: len(target), Value: target})
	b.WriteString(target)
	b.WriteString(" ")
	line.Children = append(line.Children, trace.Field{Name: "version", Offset: b.Len(), Length: 8, Value: "HTTP/1.1"})
	b.WriteString("HTTP/1.1\r\n")
	line.Length = b.Len()
	line.Value = method + " " + target + " HTTP/1.1"
	fields = append(fields, line)

	hf := trace.Field{Name: "headers", Offset: b.Len(), Value: fmt.Sprintf("%d headers", len(hs))}
	for _, h := range hs {
		start := b.Len()
		b.WriteString(h.name)
		b.WriteString(": ")
		vstart := b.Len()
		b.WriteString(h.value)
		b.WriteString("\r\n")
		hf.Children = append(hf.Children, trace.Field{Name: h.name, Offset: start, Length: b.Len() - start, Value: h.value,
			Children: []trace.Field{
				{Name: "name", Offset: start, Length: len(h.name), Value: h.name},
				{Name: "value", Offset: vstart, Length: len(h.value), Value: h.value},
			}})
	}
	hf.Length = b.Len() - hf.Offset
	fields = append(fields, hf)
	fields = append(fields, trace.Field{Name: "blank line", Offset: b.Len(), Length: 2, Value: "end of the headers"})
	b.WriteString("\r\n")
	if r.Body != nil && len(*r.Body) > 0 {
		fields = append(fields, trace.Field{Name: "body", Offset: b.Len(), Length: len(*r.Body), Value: fmt.Sprintf("%d bytes", len(*r.Body))})
		b.WriteString(*r.Body)
	}
	return []byte(b.String()), fields, nil
}

// validToken reports whether s is an HTTP token (RFC 9110, section 5.6.2).
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
