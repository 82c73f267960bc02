package gateway

import (
	"net/http"
	"testing"
)

// TestConditionalGet: the page's first visit carries ETag, Last-Modified
// and Cache-Control; a second visit naming the ETag, or no older than
// Last-Modified, is answered 304 with no body and the cache's headers.
func TestConditionalGet(t *testing.T) {
	_, first, body := serve(t, "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
	etag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || etag == "" || len(body) == 0 {
		t.Fatalf("first visit: %d, ETag %q, %d body bytes; want 200 with an ETag and a body", first.StatusCode, etag, len(body))
	}
	for _, h := range []string{"Last-Modified", "Cache-Control"} {
		if first.Header.Get(h) == "" {
			t.Errorf("first visit: no %s", h)
		}
	}
	lm := first.Header.Get("Last-Modified")
	for _, tc := range []struct {
		name   string
		header string
		want   int
	}{
		{"If-None-Match names the ETag", "If-None-Match: " + etag, http.StatusNotModified},
		{"If-None-Match weak form", "If-None-Match: W/" + etag, http.StatusNotModified},
		{"If-None-Match star", "If-None-Match: *", http.StatusNotModified},
		{"If-None-Match another tag", `If-None-Match: "other"`, http.StatusOK},
		{"If-Modified-Since the Last-Modified", "If-Modified-Since: " + lm, http.StatusNotModified},
		{"If-Modified-Since older", "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT", http.StatusOK},
		{"If-Modified-Since unreadable", "If-Modified-Since: yesterday", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, body := serve(t, "GET / HTTP/1.1\r\nHost: www.example.com\r\n"+tc.header+"\r\n\r\n")
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want != http.StatusNotModified {
				return
			}
			if len(body) != 0 {
				t.Errorf("a 304 with %d body bytes", len(body))
			}
			for _, h := range []string{"ETag", "Last-Modified", "Cache-Control"} {
				if resp.Header.Get(h) != first.Header.Get(h) {
					t.Errorf("304's %s is %q, want the first visit's %q", h, resp.Header.Get(h), first.Header.Get(h))
				}
			}
		})
	}
	t.Run("a POST is not revalidated", func(t *testing.T) {
		_, resp, _ := serve(t, "POST / HTTP/1.1\r\nHost: www.example.com\r\nIf-None-Match: *\r\nContent-Length: 0\r\n\r\n")
		if resp.StatusCode == http.StatusNotModified {
			t.Error("a POST answered 304")
		}
	})
}
