package gateway

import (
	"bytes"
	"compress/gzip"
	"io"
	"strconv"
	"strings"
	"testing"

	"journey/internal/router"
)

func gunzip(t *testing.T, b []byte) ([]byte, *gzip.Reader) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out, zr
}

// TestGZipMiddleware checks Django's rules: compress only when the request
// accepts gzip and the body is 200 bytes or more, add Vary either way once
// the body is long enough, fix Content-Length.
func TestGZipMiddleware(t *testing.T) {
	cases := []struct {
		name       string
		path       string
		accept     string // Accept-Encoding; "" for none
		compressed bool
		vary       bool
		action     string // in GZipMiddleware's step
	}{
		{"asks for gzip", "/nope/", "gzip, deflate", true, true, "compressed the body with gzip"},
		{"curl --compressed", "/nope/", "deflate, gzip, br, zstd", true, true, "set Content-Encoding: gzip"},
		{"asks for none", "/", "", false, true, "not compressed: the request has no Accept-Encoding"},
		{"asks for br only", "/", "br", false, true, "does not name gzip"},
		{"short body", "/api/status", "gzip", false, false, "under 200"},
		{"binary file", "/static/logo.png", "gzip", false, false, "under 200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := "GET " + tc.path + " HTTP/1.1\r\nHost: www.example.com\r\n"
			if tc.accept != "" {
				raw += "Accept-Encoding: " + tc.accept + "\r\n"
			}
			sv, resp, body := serve(t, raw+"\r\n")
			_, _, plain := serve(t, "GET "+tc.path+" HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
			got := resp.Header.Get("Content-Encoding") == "gzip"
			if got != tc.compressed {
				t.Fatalf("Content-Encoding %q, want compressed=%v", resp.Header.Get("Content-Encoding"), tc.compressed)
			}
			if v := resp.Header.Get("Vary") == "Accept-Encoding"; v != tc.vary {
				t.Errorf("Vary %q, want it=%v", resp.Header.Get("Vary"), tc.vary)
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) || len(resp.Header.Values("Content-Length")) != 1 {
				t.Errorf("Content-Length %q, body %d bytes", resp.Header.Values("Content-Length"), len(body))
			}
			if tc.compressed {
				out, zr := gunzip(t, body)
				if !bytes.Equal(out, plain) {
					t.Errorf("gunzipped body differs from the uncompressed one:\n%s\n%s", out, plain)
				}
				if strings.Trim(zr.Name, "a") != "" || len(zr.Name) >= gzipMaxRandomBytes {
					t.Errorf("file name %q: want up to %d 'a's", zr.Name, gzipMaxRandomBytes-1)
				}
				if len(body) >= len(plain) {
					t.Errorf("compressed %d bytes into %d", len(plain), len(body))
				}
				if sv.Gateway.Gateway.Response.BodySize != len(body) {
					t.Errorf("trace says %d body bytes, sent %d", sv.Gateway.Gateway.Response.BodySize, len(body))
				}
			} else if !bytes.Equal(body, plain) {
				t.Error("an uncompressed body changed")
			}
			mw := sv.Gateway.Gateway.Middleware
			last := mw[len(mw)-1]
			if last.Middleware != "django.middleware.gzip.GZipMiddleware" || !strings.Contains(last.Action, tc.action) {
				t.Errorf("last layer up: %s %q, want GZipMiddleware saying %q", last.Middleware, last.Action, tc.action)
			}
		})
	}
}

func TestPatchVary(t *testing.T) {
	cases := []struct{ had, want string }{
		{"", "Accept-Encoding"},
		{"Cookie", "Cookie, Accept-Encoding"},
		{"accept-encoding", "accept-encoding"},
		{"*", "*"},
	}
	for _, tc := range cases {
		t.Run(tc.had, func(t *testing.T) {
			r := newResponse(200, "text/plain", nil)
			if tc.had != "" {
				r.Set("Vary", tc.had)
			}
			patchVary(r, "Accept-Encoding")
			if got, _ := r.Header("Vary"); got != tc.want {
				t.Errorf("Vary %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCompressSequence(t *testing.T) {
	chunks := [][]byte{[]byte("one\n"), []byte("two\n"), bytes.Repeat([]byte("three "), 100)}
	z := compressSequence(chunks, gzipMaxRandomBytes)
	if len(z) < 2 {
		t.Errorf("%d pieces: want the header first, then the rest", len(z))
	}
	out, _ := gunzip(t, bytes.Join(z, nil))
	if !bytes.Equal(out, bytes.Join(chunks, nil)) {
		t.Errorf("round trip: %q", out)
	}
	for i := 0; i < 20; i++ {
		if n := len(randomName(gzipMaxRandomBytes)); n >= gzipMaxRandomBytes {
			t.Fatalf("random name of %d bytes", n)
		}
	}
}

// TestStreaming checks a StreamingHttpResponse goes chunked to an HTTP/1.1
// client, one chunk a piece, and close-delimited to an HTTP/1.0 one.
func TestStreaming(t *testing.T) {
	pieces := router.Demo().Resolve("stream/").Match.View.Args
	want := strings.Join(pieces, "\n") + "\n"
	cases := []struct {
		name    string
		raw     string
		chunked bool
		gzip    bool
		body    bool
	}{
		{"HTTP/1.1", "GET /stream/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", true, false, true},
		{"HTTP/1.0", "GET /stream/ HTTP/1.0\r\nHost: www.example.com\r\n\r\n", false, false, true},
		{"HTTP/1.1 gzip", "GET /stream/ HTTP/1.1\r\nHost: www.example.com\r\nAccept-Encoding: gzip\r\n\r\n", true, true, true},
		{"HEAD", "HEAD /stream/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n", false, false, false}, // gunicorn: no chunks for HEAD
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sv, _, _ := serve(t, "GET /api/status HTTP/1.1\r\nHost: h\r\n\r\n") // serve's checks on an ordinary response
			sv = NewSite(router.Demo()).Handle(strings.NewReader(tc.raw), io.Discard, ConnInfo{Client: "127.0.0.1:40000"})
			head, body, _ := bytes.Cut(sv.Response, []byte("\r\n\r\n"))
			if bytes.Contains(head, []byte("Content-Length")) {
				t.Errorf("a streamed response has a Content-Length:\n%s", head)
			}
			if got := bytes.Contains(head, []byte("\r\nTransfer-Encoding: chunked")); got != tc.chunked {
				t.Fatalf("chunked=%v, want %v:\n%s", got, tc.chunked, head)
			}
			if !tc.body {
				if len(body) != 0 {
					t.Errorf("HEAD sent a body: %q", body)
				}
				return
			}
			if tc.chunked {
				var chunks int
				body, chunks = unchunk(t, body)
				if !tc.gzip && chunks != len(pieces) {
					t.Errorf("%d chunks, want one per piece (%d)", chunks, len(pieces))
				}
			}
			if tc.gzip {
				body, _ = gunzip(t, body)
			}
			if string(body) != want {
				t.Errorf("body %q, want %q", body, want)
			}
			for _, st := range sv.Gateway.Gateway.Steps {
				if st.Name == "serialise the response" && tc.chunked && !strings.Contains(st.Detail, "Transfer-Encoding: chunked") {
					t.Errorf("serialise step says %q", st.Detail)
				}
			}
		})
	}
}

// unchunk undoes chunked framing strictly, counting the chunks.
func unchunk(t *testing.T, b []byte) ([]byte, int) {
	t.Helper()
	var out []byte
	n := 0
	for {
		line, rest, ok := bytes.Cut(b, []byte("\r\n"))
		if !ok {
			t.Fatalf("chunk size line not ended: %q", b)
		}
		size, err := strconv.ParseInt(string(line), 16, 64)
		if err != nil || size < 0 || int64(len(rest)) < size+2 {
			t.Fatalf("bad chunk size %q", line)
		}
		if size == 0 {
			if string(rest) != "\r\n" {
				t.Fatalf("after the last chunk: %q", rest)
			}
			return out, n
		}
		out = append(out, rest[:size]...)
		if string(rest[size:size+2]) != "\r\n" {
			t.Fatalf("chunk not followed by CRLF")
		}
		b = rest[size+2:]
		n++
	}
}

// TestANSI checks the hostile-text view sends its escape bytes raw: it
// is journey's renderers, not the server, that must make them harmless.
func TestANSI(t *testing.T) {
	_, resp, body := serve(t, "GET /ansi/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	for _, s := range []string{"\u009d0;", "\u009b2J", "\u202e"} {
		if !strings.Contains(resp.Header.Get("X-Title"), s) {
			t.Errorf("X-Title %q lacks %q", resp.Header.Get("X-Title"), s)
		}
	}
	for _, s := range []string{"\x1b[2J", "\x1b]0;", "\x07", "\u202e"} {
		if !bytes.Contains(body, []byte(s)) {
			t.Errorf("body lacks %q", s)
		}
	}
}
