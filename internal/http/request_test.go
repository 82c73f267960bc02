package http

import (
	"errors"
	"strings"
	"testing"

	"journey/internal/trace"
)

func TestRequestBuild(t *testing.T) {
	body := "a=1&b=2"
	empty := ""
	tests := []struct {
		name string
		req  Request
		want string // the whole request
		err  error
	}{
		{"get", Request{Target: "/", Host: "example.com", UserAgent: "journey/1"},
			"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: journey/1\r\nAccept: */*\r\nConnection: close\r\n\r\n", nil},
		{"post body", Request{Target: "/f?x=1", Host: "h:8080", UserAgent: "j", Body: &body},
			"POST /f?x=1 HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: j\r\nAccept: */*\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2", nil},
		{"empty body", Request{Method: "PUT", Target: "/", Host: "h", UserAgent: "j", Body: &empty},
			"PUT / HTTP/1.1\r\nHost: h\r\nUser-Agent: j\r\nAccept: */*\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n", nil},
		{"-H replaces, removes, adds", Request{Target: "/", Host: "h", UserAgent: "j", Compressed: true,
			Headers: []string{"user-agent: curl/8", "Accept:", "X-A:  1 "}},
			"GET / HTTP/1.1\r\nHost: h\r\nuser-agent: curl/8\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\nX-A: 1\r\n\r\n", nil},
		{"-H repeated is sent each time, in order", Request{Target: "/", Host: "h", UserAgent: "j",
			Headers: []string{"X-A: 1", "X-B: b", "x-a: 2"}},
			"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: j\r\nAccept: */*\r\nConnection: close\r\nX-A: 1\r\nX-B: b\r\nx-a: 2\r\n\r\n", nil},
		{"-H of a user header with no value removes nothing", Request{Target: "/", Host: "h", UserAgent: "j",
			Headers: []string{"X-A: 1", "X-A:"}},
			"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: j\r\nAccept: */*\r\nConnection: close\r\nX-A: 1\r\n\r\n", nil},
		{"-H replaces the body's own headers", Request{Target: "/", Host: "h", UserAgent: "j", Body: &body,
			Headers: []string{"Content-Type: application/json", "Content-Length: 99", "Connection:"}},
			"POST / HTTP/1.1\r\nHost: h\r\nUser-Agent: j\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: 99\r\n\r\na=1&b=2", nil},
		{"empty target is /", Request{Host: "h", UserAgent: "j"},
			"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: j\r\nAccept: */*\r\nConnection: close\r\n\r\n", nil},
		{"bad method", Request{Method: "GET /x", Host: "h"}, "", ErrBadRequest},
		{"header without colon", Request{Host: "h", Headers: []string{"oops"}}, "", ErrBadRequest},
		{"header injection", Request{Host: "h", Headers: []string{"X: a\r\nEvil: 1"}}, "", ErrBadRequest},
		{"target with space", Request{Target: "/a b", Host: "h"}, "", ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, fields, err := tt.req.Build()
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if string(b) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", b, tt.want)
			}
			checkFields(t, b, fields)
			if fields[0].Children[0].Value != strings.Fields(tt.want)[0] {
				t.Errorf("method field %+v", fields[0].Children[0])
			}
		})
	}
}

// checkFields checks every field lies inside b and that a header field's
// value is the bytes it points at.
func checkFields(t *testing.T, b []byte, fields []trace.Field) {
	t.Helper()
	for _, f := range fields {
		if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > len(b) {
			t.Errorf("field %q at %d+%d is outside %d bytes", f.Name, f.Offset, f.Length, len(b))
			continue
		}
		if (f.Name == "value" || f.Name == "method" || f.Name == "request target") && string(b[f.Offset:f.Offset+f.Length]) != f.Value {
			t.Errorf("field %q says %q but points at %q", f.Name, f.Value, b[f.Offset:f.Offset+f.Length])
		}
		checkFields(t, b, f.Children)
	}
}
