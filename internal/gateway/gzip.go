package gateway

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Django's GZipMiddleware and django.utils.text's compress_string and
// compress_sequence, with their rules and numbers.
const (
	// gzipMinSize: Django does not compress a body shorter than 200 bytes
	// ("it's not worth attempting to compress really short responses").
	gzipMinSize = 200
	// gzipLevel is the compresslevel compress_string passes to gzip.
	gzipLevel = 6
	// gzipMaxRandomBytes is GZipMiddleware.max_random_bytes: up to this
	// many bytes of random length go into the gzip header's file name, so
	// the compressed size leaks less about a secret in the page (the
	// BREACH attack; "Heal The Breach").
	gzipMaxRandomBytes = 100
)

// acceptsGzip is Django's re_accepts_gzip.
var acceptsGzip = regexp.MustCompile(`\bgzip\b`)

// gzipMiddleware is django.middleware.gzip.GZipMiddleware. Not part of a
// new project's MIDDLEWARE: the demo site adds it first (outermost), as
// Django's documentation says to, so it compresses what every other layer
// produced.
type gzipMiddleware struct{}

func (gzipMiddleware) Name() string { return "django.middleware.gzip.GZipMiddleware" }

func (gzipMiddleware) ProcessRequest(r *Request) (*Response, string) {
	return nil, "passed: it only acts on the response"
}

func (gzipMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	streaming := resp.Stream != nil
	if !streaming && len(resp.Body) < gzipMinSize {
		return resp, fmt.Sprintf("passed: the body is %s, under %d: not worth compressing", count(len(resp.Body), "byte"), gzipMinSize), nil
	}
	if ce, ok := resp.Header("Content-Encoding"); ok {
		return resp, "passed: the body is already encoded (Content-Encoding: " + ce + ")", nil
	}
	vary := patchVary(resp, "Accept-Encoding")
	ae := r.Env("HTTP_ACCEPT_ENCODING")
	if !acceptsGzip.MatchString(ae) {
		why := "the request has no Accept-Encoding"
		if ae != "" {
			why = "the request's Accept-Encoding (" + ae + ") does not name gzip"
		}
		return resp, vary + "; not compressed: " + why, nil
	}
	var what string
	if streaming {
		in := 0
		for _, c := range resp.Stream {
			in += len(c)
		}
		resp.Stream = compressSequence(resp.Stream, gzipMaxRandomBytes)
		resp.Del("Content-Length")
		out := 0
		for _, c := range resp.Stream {
			out += len(c)
		}
		what = fmt.Sprintf("compressed the stream as it goes: %s became %s in %s", count(in, "byte"), count(out, "byte"), count(len(resp.Stream), "piece"))
		if len(resp.Stream) > 0 {
			what += padding(resp.Stream[0])
		}
	} else {
		z := compressString(resp.Body, gzipMaxRandomBytes)
		if len(z) >= len(resp.Body) {
			return resp, fmt.Sprintf("%s; not compressed: gzip made %s into %d, no smaller", vary, count(len(resp.Body), "byte"), len(z)), nil
		}
		what = fmt.Sprintf("compressed the body with gzip: %s became %s", count(len(resp.Body), "byte"), count(len(z), "byte")) + padding(z)
		resp.Body = z
		resp.Set("Content-Length", strconv.Itoa(len(z)))
	}
	// A strong ETag names exact bytes; the compressed ones differ (RFC 9110
	// section 8.8.1), so Django makes it weak.
	if etag, ok := resp.Header("ETag"); ok && strings.HasPrefix(etag, `"`) {
		resp.Set("ETag", "W/"+etag)
	}
	resp.Set("Content-Encoding", "gzip")
	return resp, vary + "; " + what + ", set Content-Encoding: gzip", nil
}

// patchVary is Django's patch_vary_headers for one header: a cache must
// keep apart the responses for requests that differ in it.
func patchVary(resp *Response, name string) string {
	v, ok := resp.Header("Vary")
	if !ok || strings.TrimSpace(v) == "" {
		resp.Set("Vary", name)
		return "added Vary: " + name
	}
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); strings.EqualFold(f, name) || f == "*" {
			return "Vary already names " + name
		}
	}
	resp.Set("Vary", v+", "+name)
	return "added " + name + " to Vary"
}

// compressString is django.utils.text.compress_string: gzip at level 6
// with no modification time, then a file name of random length (all
// "a"s) in the header, against BREACH.
func compressString(b []byte, maxRandomBytes int) []byte {
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzipLevel) // gzipLevel is valid
	w.Write(b)
	w.Close()
	out := z.Bytes()
	if maxRandomBytes <= 0 || len(out) < 10 {
		return out
	}
	return withRandomName(out, maxRandomBytes)
}

// withRandomName sets FNAME in a gzip member's 10-byte header and inserts
// the name after it, as compress_string does.
func withRandomName(z []byte, maxRandomBytes int) []byte {
	const fname = 0x08 // RFC 1952 FLG.FNAME
	name := randomName(maxRandomBytes)
	out := make([]byte, 0, len(z)+len(name)+1)
	out = append(out, z[:10]...)
	out[3] |= fname
	out = append(out, name...)
	out = append(out, 0)
	return append(out, z[10:]...)
}

// randomName is Django's _get_random_filename: b"a" *
// secrets.randbelow(max_random_bytes).
func randomName(maxRandomBytes int) []byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(maxRandomBytes)))
	if err != nil {
		return nil
	}
	return bytes.Repeat([]byte("a"), int(n.Int64()))
}

// compressSequence is django.utils.text.compress_sequence: the gzip
// header as the first piece, then whatever the compressor gives out after
// each chunk (often nothing: it waits for more), then the rest at the end.
func compressSequence(chunks [][]byte, maxRandomBytes int) [][]byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzipLevel)
	if maxRandomBytes > 0 {
		w.Header.Name = string(randomName(maxRandomBytes))
	}
	// Go writes the header with the first Write; an empty one forces it.
	w.Write(nil)
	var out [][]byte
	take := func() {
		if buf.Len() > 0 {
			out = append(out, bytes.Clone(buf.Bytes()))
			buf.Reset()
		}
	}
	take()
	for _, c := range chunks {
		w.Write(c)
		take()
	}
	w.Close()
	take()
	return out
}

// padding explains the run of "a"s in a gzip header's file name: Django
// (since 4.2) pads each compressed response by a random 0 to 99 bytes, so
// that its size says less about a secret on the page (BREACH).
func padding(z []byte) string {
	n := gzipNameLen(z)
	if n < 0 {
		return ""
	}
	return fmt.Sprintf(", including %s of padding: the gzip header's file name is %d \"a\"s, a random length from 0 to %d that Django adds so an attacker who can watch the compressed size of pages holding a secret (the BREACH attack) learns less from it", count(n+1, "byte"), n, gzipMaxRandomBytes-1)
}

// gzipNameLen is the length of a gzip member's FNAME, or -1 without one.
func gzipNameLen(z []byte) int {
	const fname = 0x08 // RFC 1952 FLG.FNAME
	if len(z) < 10 || z[0] != 0x1f || z[1] != 0x8b || z[3]&fname == 0 || z[3]&0x04 != 0 {
		return -1
	}
	end := bytes.IndexByte(z[10:], 0)
	if end < 0 {
		return -1
	}
	return end
}
