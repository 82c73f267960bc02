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
	"net"
	"strings"
	"testing"
	"time"
)

func TestChunkFields(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // top-level field names
	}{
		{"two chunks", "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", []string{"chunk", "chunk", "last chunk", "trailer and final line"}},
		{"trailer", "1\r\nx\r\n0\r\nX-T: 1\r\n\r\n", []string{"chunk", "last chunk", "trailer and final line"}},
		{"cut in data", "a\r\nabc", []string{"chunk"}},
		{"cut in size", "1", []string{"chunk size line (cut short)"}},
		{"not hex", "zz\r\nabc", []string{"not a chunk size"}},
		{"negative", "-1\r\n", []string{"not a chunk size"}},
		{"huge", "ffffffffffffffffff\r\n", []string{"not a chunk size"}},
		{"bare LF", "3\nabc\n0\n\n", []string{"chunk", "last chunk", "trailer and final line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := ChunkFields([]byte(tt.in), 10)
			var got []string
			for _, f := range fs {
				got = append(got, f.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			padded := append(bytes.Repeat([]byte{'-'}, 10), tt.in...)
			checkFields(t, padded, fs)
		})
	}
	many := strings.Repeat("1\r\nx\r\n", maxChunkFields+50)
	if fs := ChunkFields([]byte(many), 0); len(fs) != maxChunkFields+1 || fs[maxChunkFields].Name != "more chunks" {
		t.Errorf("a million chunks are not bounded: %d fields", len(fs))
	}
}

func TestReadHead(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"ok", "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody", nil},
		{"bare LF", "HTTP/1.0 200 OK\nA: b\n\n", nil},
		{"not http", "<html>hello</html>\r\n", ErrNotHTTP},
		{"short not http", "hi\r\n", ErrNotHTTP},
		{"long line", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxHeaderLine) + "\r\n\r\n", ErrHeaderTooLarge},
		{"eof", "HTTP/1.1 200 OK\r\nA: b\r\n", nil}, // io.EOF, checked below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, err := readHead(bufio.NewReader(strings.NewReader(tt.in)), MaxHeaderBytes)
			if tt.name == "eof" {
				if err == nil || string(head) != tt.in {
					t.Errorf("err %v, head %q", err, head)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err == nil {
				checkFields(t, head, headFields(head))
				if !strings.HasPrefix(tt.in, string(head)) || !bytes.HasSuffix(head, []byte("\n\n")) && !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
					t.Errorf("head %q", head)
				}
			}
		})
	}
	head := []byte("HTTP/1.1 404 Not Found\r\nContent-Type:text/html\r\nX-Empty:\r\n\r\n")
	fs := headFields(head)
	checkFields(t, head, fs)
	if fs[0].Children[1].Value != "404" || fs[0].Children[2].Value != "Not Found" || len(fs[1].Children) != 2 || fs[1].Children[0].Value != "text/html" {
		t.Errorf("fields %+v", fs)
	}
}

// FuzzResponseHead feeds the head reader and the annotators arbitrary
// bytes: no panic, every field inside the bytes.
func FuzzResponseHead(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200\r\n:\r\n \r\n\r\n"))
	f.Add([]byte("HTTP/"))
	f.Add([]byte("HTTP/\n:\r0\n\n")) // a crasher: a CR inside a value
	f.Add([]byte("\x1b[31mHTTP/1.1 200 OK\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		head, err := readHead(bufio.NewReader(bytes.NewReader(b)), MaxHeaderBytes)
		if len(head) > len(b) {
			t.Fatalf("head longer than input")
		}
		if err == nil {
			checkFields(t, head, headFields(head))
		}
		checkFields(t, b, bodyFields(b, len(head), true, false))
		checkFields(t, b, bodyFields(b, len(head), false, true))
	})
}

func TestDecode(t *testing.T) {
	text := strings.Repeat("decoded ", 100)
	var gz, zl, fl bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(text))
	w.Close()
	z := zlib.NewWriter(&zl)
	z.Write([]byte(text))
	z.Close()
	f, _ := flate.NewWriter(&fl, flate.BestCompression)
	f.Write([]byte(text))
	f.Close()
	var twice bytes.Buffer
	w = gzip.NewWriter(&twice)
	w.Write(gz.Bytes())
	w.Close()
	bomb := gzipBomb(t, 3*MaxBodyKept)
	tests := []struct {
		name      string
		encodings []string
		body      []byte
		want      string
		wantSize  int64
		errHas    string
	}{
		{"gzip", []string{"gzip"}, gz.Bytes(), text, int64(len(text)), ""},
		{"deflate, zlib-wrapped", []string{"deflate"}, zl.Bytes(), text, int64(len(text)), ""},
		{"deflate, raw", []string{"deflate"}, fl.Bytes(), text, int64(len(text)), ""},
		{"gzip twice", []string{"gzip", "gzip"}, twice.Bytes(), text, int64(len(text)), ""},
		{"unknown", []string{"br"}, []byte("x"), "", 0, "not one journey can undo"},
		{"not gzip", []string{"gzip"}, []byte("plain"), "", 0, "could not be undone"},
		{"bomb kept to 1 MiB", []string{"gzip"}, bomb, strings.Repeat("\x00", MaxBodyKept), 3 * MaxBodyKept, ""},
		{"six", []string{"gzip", "gzip", "gzip", "gzip", "gzip", "gzip"}, gz.Bytes(), "", 0, "more than 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &response{encodings: tt.encodings, body: capture{buf: tt.body}}
			r.decode()
			if string(r.decoded) != tt.want || r.decodedSize != tt.wantSize || !strings.Contains(r.decodeErr, tt.errHas) || (tt.errHas == "") != (r.decodeErr == "") {
				t.Errorf("decoded %d bytes (size %d), err %q", len(r.decoded), r.decodedSize, r.decodeErr)
			}
		})
	}
}

// gzipBomb compresses n zero bytes: a few KB that expand to n.
func gzipBomb(t *testing.T, n int) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := w.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

// FuzzReadResponse feeds a whole response through readResponse, as a
// server would send it, then closes: no panic, every field inside the
// bytes kept, nothing kept past the bounds.
func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), true)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), true)
	f.Add([]byte("HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), false)
	f.Add([]byte("HTTP/1.0 200 OK\n\nbody until close"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort"), false)
	f.Add(append([]byte("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n"), 0x78, 0x9c, 0xff), true)
	f.Fuzz(func(t *testing.T, b []byte, decode bool) {
		client, server := net.Pipe()
		defer client.Close()
		go func() {
			server.Write(b)
			server.Close()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r, _ := readResponse(ctx, client, time.Second, "GET", decode)
		if len(r.raw.buf) > MaxHeaderBytes+MaxBodyKept || len(r.body.buf) > MaxBodyKept || len(r.decoded) > MaxBodyKept {
			t.Fatalf("kept past the bounds: raw %d, body %d, decoded %d", len(r.raw.buf), len(r.body.buf), len(r.decoded))
		}
		if !bytes.HasPrefix(b, r.raw.buf) {
			t.Fatalf("the capture is not the bytes sent")
		}
		checkFields(t, r.raw.buf, r.fields)
	})
}
