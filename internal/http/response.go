package http

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"time"

	"journey/internal/trace"
)

// maxDecodedCount bounds how far a decoded body is counted past what is
// kept: a gzip bomb expands a thousandfold, and counting it whole would
// spin the CPU for nothing. 64 MiB is far past any page we show.
const maxDecodedCount = 64 << 20

// readBuffer is the read size on the connection: 64 KiB, as a TCP
// window, so an endless body costs few reads.
const readBuffer = 64 << 10

// maxChunkFields bounds the annotations of a chunked body: a body of a
// million one-byte chunks still gets a readable field tree.
const maxChunkFields = 256

// response is one response as read: the raw bytes, what they meant, and
// when they came.
type response struct {
	raw       capture // status line, headers, blank line, body as received
	headerLen int     // bytes of raw that are the head (status line to blank line)
	fields    []trace.Field

	status        int
	reason        string
	proto         string
	header        nethttp.Header
	chunked       bool
	contentLength int64
	encodings     []string

	body        capture // the body with chunked framing undone
	bodySize    int64
	decoded     []byte
	decodedSize int64
	// decodedCapped: the body decodes past maxDecodedCount, where
	// counting stopped.
	decodedCapped bool
	decodeErr     string
	// headNote says what was done so net/http could read the head.
	headNote string

	first, last time.Time // first and last byte read
	received    int64     // every byte read from the connection
}

// readResponse reads one response from conn, through a tee into the
// capture, bounded in size and time. The response is returned, with what
// was read, even when err is set.
func readResponse(ctx context.Context, conn net.Conn, idle time.Duration, method string, decode bool) (*response, error) {
	r := &response{raw: capture{max: MaxHeaderBytes + MaxBodyKept}, contentLength: -1}
	tr := &timedReader{conn: conn, ctx: ctx, idle: idle}
	defer func() { r.first, r.last, r.received = tr.first, tr.last, tr.total }()
	br := bufio.NewReaderSize(io.TeeReader(tr, &r.raw), readBuffer)

	// Interim responses (100 Continue, 103 Early Hints) may come first;
	// each is kept and annotated, and the final one follows.
	var head []byte
	for i := 0; ; i++ {
		h, err := readHead(br, MaxHeaderBytes-r.headerLen)
		if err != nil {
			r.headerLen += len(h)
			return r, readError(ctx, err, tr.total, idle, "before the response's headers ended")
		}
		if interim(h) && i >= maxInterim {
			r.headerLen += len(h)
			return r, fmt.Errorf("%w: it sent more than %d interim (1xx) responses and no final one", ErrNotHTTP, maxInterim)
		}
		if interim(h) {
			r.fields = append(r.fields, trace.Field{Name: "interim response", Offset: r.headerLen, Length: len(h),
				Value:    strings.TrimRight(string(h[:bytes.IndexByte(h, '\n')+1]), "\r\n") + ": the final response follows",
				Children: shiftFields(headFields(h), r.headerLen)})
			r.headerLen += len(h)
			continue
		}
		r.fields = append(r.fields, shiftFields(headFields(h), r.headerLen)...)
		r.headerLen += len(h)
		head = h
		break
	}
	// Keep the body's first MaxBodyKept bytes after the head, whatever the
	// head's size.
	r.raw.max = r.headerLen + MaxBodyKept
	if len(r.raw.buf) > r.raw.max {
		r.raw.dropped += int64(len(r.raw.buf) - r.raw.max)
		r.raw.buf = r.raw.buf[:r.raw.max]
	}

	parsed, controls := parseableHead(head)
	if controls > 0 {
		r.headNote = fmt.Sprintf("%s in header values: HTTP forbids them (RFC 9110, section 5.5). They are shown escaped, as received, and read as spaces, so the rest of the response is still shown, as curl shows it.", countControls(controls))
	}
	resp, err := nethttp.ReadResponse(bufio.NewReaderSize(io.MultiReader(bytes.NewReader(parsed), br), readBuffer), &nethttp.Request{Method: method})
	if err != nil {
		return r, fmt.Errorf("%w: net/http could not parse the response's head: %w", ErrNotHTTP, err)
	}
	defer resp.Body.Close()
	r.status = resp.StatusCode
	r.reason = strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	r.proto = resp.Proto
	r.header = resp.Header
	r.chunked = len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"
	r.contentLength = resp.ContentLength
	for _, v := range resp.Header.Values("Content-Encoding") {
		for e := range strings.SplitSeq(v, ",") {
			if e = strings.ToLower(strings.TrimSpace(e)); e != "" && e != "identity" {
				r.encodings = append(r.encodings, e)
			}
		}
	}

	r.body.max = MaxBodyKept
	n, err := io.Copy(&r.body, resp.Body)
	r.bodySize = n
	r.fields = append(r.fields, bodyFields(r.raw.buf, r.headerLen, r.chunked, r.raw.dropped > 0)...)
	if err != nil {
		return r, readError(ctx, err, tr.total, idle, fmt.Sprintf("in the body, after %d body bytes", n))
	}
	if len(r.encodings) > 0 && decode {
		r.decode()
	}
	return r, nil
}

// parseableHead is head as net/http will read it: net/http refuses a whole
// response for one control byte in any header value, where curl shows it.
// Each such byte of a header line's value (after its first colon; a C0
// control other than tab, or DEL) becomes a space in a copy, and their
// count is returned. The bytes captured and shown are the ones received.
// The status line and header names are left alone: net/http takes a
// reason phrase as it comes, and a control byte in a header name is not
// HTTP at all.
func parseableHead(head []byte) ([]byte, int) {
	var out []byte
	n := 0
	status, inValue := true, false // on the status line; past a header line's colon
	for i, b := range head {
		switch {
		case b == '\n':
			status, inValue = false, false
		case b == '\r' && i+1 < len(head) && head[i+1] == '\n', status:
		case b == ':' && !inValue:
			inValue = true
		case inValue && (b < 0x20 && b != '\t' || b == 0x7f):
			if out == nil {
				out = bytes.Clone(head)
			}
			out[i] = ' '
			n++
		}
	}
	if out == nil {
		return head, 0
	}
	return out, n
}

// countControls words a count of control bytes.
func countControls(n int) string {
	if n == 1 {
		return "A control byte"
	}
	return fmt.Sprintf("%d control bytes", n)
}

// maxInterim bounds the interim (1xx) responses read before the final
// one, so a server cannot send them forever.
const maxInterim = 5

// interim reports whether head is an interim response (1xx), other than
// 101 Switching Protocols, which journey never asks for.
func interim(head []byte) bool {
	_, rest, _ := bytes.Cut(head, []byte(" "))
	return len(rest) >= 3 && rest[0] == '1' && string(rest[:3]) != "101" && rest[1] >= '0' && rest[1] <= '9' && rest[2] >= '0' && rest[2] <= '9'
}

// shiftFields moves fields annotated from offset 0 to base.
func shiftFields(fs []trace.Field, base int) []trace.Field {
	for i := range fs {
		fs[i].Offset += base
		fs[i].Children = shiftFields(fs[i].Children, base)
	}
	return fs
}

// readHead reads the status line and header lines up to the blank line,
// holding each line to MaxHeaderLine and all of them to budget (at most
// MaxHeaderBytes).
func readHead(br *bufio.Reader, budget int) ([]byte, error) {
	var head []byte
	for {
		var line []byte
		for {
			frag, err := br.ReadSlice('\n')
			line = append(line, frag...)
			if len(line) > MaxHeaderLine {
				return head, fmt.Errorf("%w: a header line is longer than %d bytes (curl's limit)", ErrHeaderTooLarge, MaxHeaderLine)
			}
			if len(head)+len(line) > budget {
				return head, fmt.Errorf("%w: the headers are longer than %d bytes in all (curl's limit)", ErrHeaderTooLarge, MaxHeaderBytes)
			}
			if len(head) == 0 && len(line) >= 5 && !bytes.HasPrefix(line, []byte("HTTP/")) {
				return line, fmt.Errorf("%w: it starts with %q where \"HTTP/\" should be", ErrNotHTTP, line[:min(len(line), 24)])
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil {
				return append(head, line...), err
			}
			break
		}
		head = append(head, line...)
		if len(head) == len(line) && !bytes.HasPrefix(line, []byte("HTTP/")) {
			return head, fmt.Errorf("%w: it starts with %q where \"HTTP/\" should be", ErrNotHTTP, line[:min(len(line), 24)])
		}
		if string(line) == "\r\n" || string(line) == "\n" {
			return head, nil
		}
	}
}

// readError turns a read failure into what the user needs to know.
func readError(ctx context.Context, err error, got int64, idle time.Duration, where string) error {
	var ne net.Error
	switch {
	case errors.Is(err, ErrHeaderTooLarge), errors.Is(err, ErrNotHTTP):
		return err
	case overMaxTime(ctx):
		return timeoutf([]error{err, context.DeadlineExceeded}, "%s %s (%d bytes received)", maxTimeRanOut, where, got)
	case ctx.Err() != nil:
		return fmt.Errorf("%s %s (%d bytes received): %w", cancelled, where, got, ctx.Err())
	case errors.As(err, &ne) && ne.Timeout():
		if got == 0 {
			return timeoutf([]error{err}, "the server sent nothing for %s after the request (--timeout)", idle)
		}
		return timeoutf([]error{err}, "the server went quiet for %s %s (%d bytes received; --timeout)", idle, where, got)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		if got == 0 {
			return fmt.Errorf("%w: it closed the connection without answering", ErrEarlyClose)
		}
		return fmt.Errorf("%w: it closed the connection %s (%d bytes received)", ErrEarlyClose, where, got)
	}
	return fmt.Errorf("reading the response %s: %w", where, err)
}

// headFields annotates the status line and each header line.
func headFields(head []byte) []trace.Field {
	var fields []trace.Field
	hdrs := trace.Field{Name: "headers"}
	off := 0
	for off < len(head) {
		end := bytes.IndexByte(head[off:], '\n')
		if end < 0 {
			end = len(head) - off - 1
		}
		line := head[off : off+end+1]
		text := strings.TrimRight(string(line), "\r\n")
		switch {
		case off == 0:
			f := trace.Field{Name: "status line", Offset: 0, Length: len(line), Value: text}
			parts := strings.SplitN(text, " ", 3)
			at := 0
			for i, name := range []string{"version", "status code", "reason phrase"} {
				if i < len(parts) {
					f.Children = append(f.Children, trace.Field{Name: name, Offset: at, Length: len(parts[i]), Value: parts[i]})
					at += len(parts[i]) + 1
				}
			}
			fields = append(fields, f)
			hdrs.Offset = len(line)
		case text == "":
			hdrs.Length = off - hdrs.Offset
			hdrs.Value = fmt.Sprintf("%d headers", len(hdrs.Children))
			fields = append(fields, hdrs, trace.Field{Name: "blank line", Offset: off, Length: len(line), Value: "end of the headers"})
		default:
			name, rest, _ := strings.Cut(text, ":")
			value := strings.Trim(rest, " \t") // optional white space is only SP and HTAB (RFC 9110, 5.6.3)
			vat := off + len(text)             // an empty value sits at the line's end
			if value != "" {
				vat = off + len(name) + 1 + len(rest) - len(strings.TrimLeft(rest, " \t"))
			}
			hdrs.Children = append(hdrs.Children, trace.Field{Name: name, Offset: off, Length: len(line), Value: value,
				Children: []trace.Field{
					{Name: "name", Offset: off, Length: len(name), Value: name},
					{Name: "value", Offset: vat, Length: len(value), Value: value},
				}})
		}
		off += len(line)
	}
	return fields
}

// bodyFields annotates the body in raw (which starts at head); chunked
// framing is walked chunk by chunk.
func bodyFields(raw []byte, head int, chunked, cut bool) []trace.Field {
	if head >= len(raw) {
		return nil
	}
	body := raw[head:]
	note := ""
	if cut {
		note = fmt.Sprintf(" (the first %d bytes kept)", len(body))
	}
	if !chunked {
		return []trace.Field{{Name: "body", Offset: head, Length: len(body), Value: fmt.Sprintf("%d bytes%s", len(body), note)}}
	}
	return []trace.Field{{Name: "body (chunked)", Offset: head, Length: len(body), Value: "chunked framing, as received" + note,
		Children: ChunkFields(body, head)}}
}

// ChunkFields annotates chunked transfer coding (RFC 9112, section 7.1) in
// b, whose first byte is at offset base: each chunk's size line and data,
// the last chunk and the trailer. b is the peer's: it may be cut short or
// malformed, and the walk stops where it stops making sense.
func ChunkFields(b []byte, base int) []trace.Field {
	var fields []trace.Field
	off := 0
	for off < len(b) {
		if len(fields) >= maxChunkFields {
			fields = append(fields, trace.Field{Name: "more chunks", Offset: base + off, Length: len(b) - off, Value: fmt.Sprintf("%d bytes not annotated", len(b)-off)})
			return fields
		}
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			fields = append(fields, trace.Field{Name: "chunk size line (cut short)", Offset: base + off, Length: len(b) - off})
			return fields
		}
		line := b[off : off+end+1]
		sizeText, _, _ := strings.Cut(strings.TrimRight(string(line), "\r\n"), ";")
		sizeText = strings.TrimSpace(sizeText)
		var size int64
		_, err := fmt.Sscanf(sizeText, "%x", &size)
		if err != nil || size < 0 || len(sizeText) > 16 {
			fields = append(fields, trace.Field{Name: "not a chunk size", Offset: base + off, Length: len(line), Value: string(sizeText)})
			return fields
		}
		if size == 0 {
			fields = append(fields, trace.Field{Name: "last chunk", Offset: base + off, Length: len(line), Value: "size 0: the body ends here"})
			off += len(line)
			if off < len(b) {
				fields = append(fields, trace.Field{Name: "trailer and final line", Offset: base + off, Length: len(b) - off})
			}
			return fields
		}
		f := trace.Field{Name: "chunk", Offset: base + off, Value: fmt.Sprintf("%d bytes", size)}
		f.Children = append(f.Children, trace.Field{Name: "chunk size", Offset: base + off, Length: len(line), Value: fmt.Sprintf("0x%s = %d", sizeText, size)})
		off += len(line)
		n := int(min(size, int64(len(b)-off)))
		f.Children = append(f.Children, trace.Field{Name: "chunk data", Offset: base + off, Length: n, Value: fmt.Sprintf("%d bytes", n)})
		off += n
		if off < len(b) {
			crlf := 1
			if b[off] == '\r' && off+1 < len(b) {
				crlf = 2
			}
			f.Children = append(f.Children, trace.Field{Name: "chunk end", Offset: base + off, Length: crlf, Value: "CRLF"})
			off += crlf
		}
		f.Length = base + off - f.Offset
		fields = append(fields, f)
	}
	return fields
}

// decode undoes the content encodings, last applied first, keeping up to
// MaxBodyKept decoded bytes.
func (r *response) decode() {
	if len(r.encodings) > MaxEncodings {
		r.decodeErr = fmt.Sprintf("%v: %d encodings, more than %d (curl's limit): shown as received", ErrTooManyEncodings, len(r.encodings), MaxEncodings)
		return
	}
	var rd io.Reader = bytes.NewReader(r.body.buf)
	for i := len(r.encodings) - 1; i >= 0; i-- {
		var err error
		switch r.encodings[i] {
		case "gzip", "x-gzip":
			rd, err = gzip.NewReader(rd)
		case "deflate":
			// Servers send deflate both zlib-wrapped (as RFC 9110 says)
			// and raw; try the wrapper first.
			buf := bufio.NewReader(rd)
			if hdr, _ := buf.Peek(2); len(hdr) == 2 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 && hdr[0]&0x0f == 8 {
				rd, err = zlib.NewReader(buf)
			} else {
				rd = flate.NewReader(buf)
			}
		default:
			r.decodeErr = fmt.Sprintf("content encoding %q is not one journey can undo: shown as received", r.encodings[i])
			return
		}
		if err != nil {
			r.decodeErr = fmt.Sprintf("the %s encoding could not be undone: %v", r.encodings[i], err)
			return
		}
	}
	out := capture{max: MaxBodyKept}
	n, err := io.Copy(&out, io.LimitReader(rd, maxDecodedCount))
	r.decoded, r.decodedSize = out.buf, n
	if err == nil && n == maxDecodedCount {
		// One byte more tells a body of exactly the cap from a bomb.
		if m, _ := io.ReadFull(rd, make([]byte, 1)); m > 0 {
			r.decodedCapped = true
		}
	}
	if err != nil {
		r.decodeErr = fmt.Sprintf("decoding stopped after %d bytes: %v", n, err)
		if r.body.dropped > 0 {
			r.decodeErr += " (only the first part of the body was kept, so only that part was decoded)"
		}
	}
}

// keptAlive reports whether the server said it keeps the connection open
// (Connection: keep-alive) and the response's end was known without the
// connection closing, so another request may follow on it.
func (r *response) keptAlive() bool {
	if r == nil || r.header == nil {
		return false
	}
	if r.contentLength < 0 && !r.chunked && r.status != 304 && r.status != 204 {
		return false
	}
	for _, v := range r.header.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "keep-alive") {
				return true
			}
		}
	}
	return false
}
