package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"

	"journey/internal/trace"
)

// Limits on what the gateway reads from a client: every byte comes from a
// stranger.
const (
	// MaxHeaderBytes bounds the request line and headers together: nginx's
	// default large_client_header_buffers (4 buffers of 8 KB).
	MaxHeaderBytes = 32 << 10
	// MaxBodyBytes bounds a request body: Django's default
	// DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
	MaxBodyBytes = 2_621_440
	// MaxRequestLine bounds the request line alone: nginx keeps it in one
	// of its large_client_header_buffers (8 KB) and answers 414 URI Too
	// Long past it (gunicorn's limit_request_line is 4094 and answers 400).
	MaxRequestLine = 8 << 10
	// maxChunkOverhead bounds the chunked framing read around a body of
	// MaxBodyBytes (sizes, extensions, CRLFs, trailers).
	maxChunkOverhead = 64 << 10
)

// requestError is a request the gateway refuses, with the status a WSGI
// server answers it with.
type requestError struct {
	status int
	err    error
}

func (e *requestError) Error() string { return e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

func refuse(status int, format string, args ...any) error {
	return &requestError{status: status, err: fmt.Errorf(format, args...)}
}

// errHeaderTooLarge marks a head past MaxHeaderBytes.
var errHeaderTooLarge = errors.New("request header too large")

// incoming is one request as the gateway read it.
type incoming struct {
	raw     []byte // head and body exactly as read
	headLen int
	target  string // the request-target exactly as sent
	req     *http.Request
	headers []trace.Header // in the order sent (net/http's map forgets it)
	body    []byte         // decoded (chunked framing removed)
	fields  []trace.Field
}

// readRequest reads one request from r: the head up to its blank line
// (bounded by MaxHeaderBytes), parsed by net/http's ReadRequest, then the
// body its framing announces (bounded by MaxBodyBytes).
func readRequest(r io.Reader) (*incoming, error) {
	br := bufio.NewReaderSize(r, 4096)
	var head []byte
	for {
		line, err := br.ReadSlice('\n')
		if len(head)+len(line) > MaxHeaderBytes {
			if !bytes.Contains(head, []byte("\n")) {
				return nil, refuse(http.StatusBadRequest, "%w: the request line goes on past %d bytes without ending (nothing a server keeps reading)", errHeaderTooLarge, MaxHeaderBytes)
			}
			return nil, refuse(http.StatusRequestHeaderFieldsTooLarge, "%w: more than %d bytes before the blank line (the limit of nginx's default buffers)", errHeaderTooLarge, MaxHeaderBytes)
		}
		if len(head) == 0 && (string(line) == "\r\n" || string(line) == "\n") {
			continue // RFC 9112 section 2.2: ignore an empty line before the request line
		}
		head = append(head, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, refuse(http.StatusRequestTimeout, "the client sent %d bytes and then nothing for %s (the gateway's read timeout): %w", len(head), ReadTimeout, err)
			}
			if len(head) == 0 {
				return nil, refuse(http.StatusBadRequest, "the client sent no request before closing or going silent: %w", err)
			}
			return nil, refuse(http.StatusBadRequest, "the request ended before its blank line (%d bytes read): %w", len(head), err)
		}
		if string(line) == "\r\n" || string(line) == "\n" {
			break
		}
	}
	in := &incoming{raw: head, headLen: len(head)}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	if n := len(bytes.TrimSuffix(first, []byte("\r"))); n > MaxRequestLine {
		return in, refuse(http.StatusRequestURITooLong, "the request line is %d bytes, more than %d (nginx's large_client_header_buffers buffer answers 414; gunicorn's limit_request_line of 4094 answers 400)", n, MaxRequestLine)
	}
	if parts := strings.Split(strings.TrimSuffix(string(first), "\r"), " "); len(parts) == 3 {
		in.target = parts[1]
		if err := checkRequestLine(parts[0], parts[2]); err != nil {
			return in, err
		}
	}
	if err := checkFieldLines(head); err != nil {
		return in, err
	}
	// gunicorn keeps a % that starts no escape as it is (%zz, 100%);
	// net/http refuses the request. Hand net/http the target with such a
	// % escaped, and keep the target as sent for the environment.
	parseHead := head
	if fixed := escapeStrayPercent(in.target); fixed != in.target {
		parseHead = bytes.Replace(head, []byte(" "+in.target+" "), []byte(" "+fixed+" "), 1)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(parseHead)))
	if err != nil {
		return in, refuse(http.StatusBadRequest, "the request is not valid HTTP/1.x: %w", err)
	}
	if in.target == "" {
		in.target = req.RequestURI
	}
	in.req = req
	in.headers = headerOrder(head)

	var raw bytes.Buffer
	switch {
	case len(req.TransferEncoding) > 0 && req.TransferEncoding[0] == "chunked":
		src := io.TeeReader(io.LimitReader(br, MaxBodyBytes+maxChunkOverhead), &raw)
		body, err := io.ReadAll(io.LimitReader(httputil.NewChunkedReader(bufio.NewReader(src)), MaxBodyBytes+1))
		in.raw = append(in.raw, raw.Bytes()...)
		if len(body) > MaxBodyBytes {
			return in, refuse(http.StatusRequestEntityTooLarge, "the chunked body is larger than %d bytes (Django's DATA_UPLOAD_MAX_MEMORY_SIZE)", MaxBodyBytes)
		}
		if err != nil {
			return in, refuse(http.StatusBadRequest, "the chunked body is broken after %d bytes: %w", len(body), err)
		}
		in.body = body
	case req.ContentLength > MaxBodyBytes:
		return in, refuse(http.StatusRequestEntityTooLarge, "Content-Length %d is larger than %d bytes (Django's DATA_UPLOAD_MAX_MEMORY_SIZE)", req.ContentLength, MaxBodyBytes)
	case req.ContentLength > 0:
		body := make([]byte, req.ContentLength)
		n, err := io.ReadFull(br, body)
		in.raw = append(in.raw, body[:n]...)
		if err != nil {
			return in, refuse(http.StatusBadRequest, "Content-Length says %d bytes but the body ended after %d: %w", req.ContentLength, n, err)
		}
		in.body = body
	}
	in.fields = requestFields(in)
	return in, nil
}

// headerOrder lists the head's header lines in order.
func headerOrder(head []byte) []trace.Header {
	var out []trace.Header
	lines := strings.Split(string(head), "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSuffix(l, "\r")
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		out = append(out, trace.Header{Name: name, Value: strings.TrimSpace(value)})
	}
	return out
}

// requestFields annotates the request's bytes: request line, each header,
// the blank line, the body.
func requestFields(in *incoming) []trace.Field {
	return messageFields(in.raw, in.headLen, "request line", func(line string, off int) []trace.Field {
		parts := strings.SplitN(line, " ", 3)
		names := []string{"method", "request-target", "version"}
		var out []trace.Field
		at := off
		for i, p := range parts {
			if i < len(names) {
				out = append(out, trace.Field{Name: names[i], Offset: at, Length: len(p), Value: p})
			}
			at += len(p) + 1
		}
		return out
	})
}

// messageFields annotates an HTTP/1.x message: its first line (split by
// first), its headers, the blank line and the body.
func messageFields(raw []byte, headLen int, firstName string, first func(string, int) []trace.Field) []trace.Field {
	var fields []trace.Field
	head := string(raw[:headLen])
	off := 0
	var headers []trace.Field
	hdrStart := -1
	for i, line := range strings.SplitAfter(head, "\n") {
		if line == "" {
			continue
		}
		text := strings.TrimRight(line, "\r\n")
		switch {
		case i == 0:
			fields = append(fields, trace.Field{Name: firstName, Offset: off, Length: len(line), Value: text, Children: first(text, off)})
		case text == "":
			if hdrStart >= 0 {
				fields = append(fields, trace.Field{Name: "headers", Offset: hdrStart, Length: off - hdrStart, Value: strconv.Itoa(len(headers)) + " lines", Children: headers})
			}
			fields = append(fields, trace.Field{Name: "blank line", Offset: off, Length: len(line), Value: "end of the headers"})
		default:
			if hdrStart < 0 {
				hdrStart = off
			}
			name, _, _ := strings.Cut(text, ":")
			headers = append(headers, trace.Field{Name: name, Offset: off, Length: len(line), Value: text})
		}
		off += len(line)
	}
	if len(raw) > headLen {
		fields = append(fields, trace.Field{Name: "body", Offset: headLen, Length: len(raw) - headLen, Value: strconv.Itoa(len(raw)-headLen) + " bytes"})
	}
	return fields
}

// escapeStrayPercent escapes each % that does not start a %XX escape.
func escapeStrayPercent(target string) string {
	if !strings.Contains(target, "%") {
		return target
	}
	var b strings.Builder
	for i := 0; i < len(target); i++ {
		if target[i] == '%' && !(i+2 < len(target) && isHex(target[i+1]) && isHex(target[i+2])) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(target[i])
	}
	return b.String()
}

// checkRequestLine refuses what nginx and gunicorn 22 refuse and net/http
// lets through: a method in lower case (methods are case-sensitive, RFC
// 9110 section 9.1: "get" is not GET) and an HTTP version this text
// protocol does not speak (505).
func checkRequestLine(method, proto string) error {
	if strings.ToUpper(method) != method {
		return refuse(http.StatusBadRequest, "the method %q is in lower case: methods are case-sensitive (RFC 9110 section 9.1), and nginx and gunicorn refuse it", method)
	}
	major, _, ok := http.ParseHTTPVersion(proto)
	if ok && major != 1 {
		return refuse(http.StatusHTTPVersionNotSupported, "%s on an HTTP/1.x request line: HTTP/2 and later are binary protocols, agreed on in TLS (ALPN) or by an upgrade, never written in a request line", proto)
	}
	return nil
}

// checkFieldLines refuses the header lines RFC 9112 section 5 says a server
// must refuse, which net/http reads anyway: whitespace between a field's
// name and its colon, and a line folded onto the one before (obs-fold).
func checkFieldLines(head []byte) error {
	lines := strings.Split(string(head), "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			return refuse(http.StatusBadRequest, "a header line starts with whitespace, folded onto the one before (obs-fold): RFC 9112 section 5.2 lets a server refuse it, and nginx and gunicorn 22 do")
		}
		if name, _, ok := strings.Cut(l, ":"); ok && strings.TrimRight(name, " \t") != name {
			return refuse(http.StatusBadRequest, "whitespace between the header name %q and its colon: RFC 9112 section 5.1 says a server must refuse it (a proxy might read the name differently)", strings.TrimSpace(name))
		}
	}
	return nil
}
