package engine

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"journey/internal/trace"
)

// etagLine finds the ETag the lab's site sent in a response's bytes.
var etagLine = regexp.MustCompile(`(?m)^ETag: ("[0-9a-f]+")\r$`)

// lastModifiedLine finds the Last-Modified the site sent.
var lastModifiedLine = regexp.MustCompile(`(?m)^Last-Modified: ([^\r]+)\r$`)

// TestRevalidateThroughLab: the half of the warm visit that exists (issue
// 13 item 5): the lab's page carries ETag, Last-Modified and Cache-Control,
// and a request that names them (-H, as a browser's second visit) is
// answered 304 Not Modified with no body, said by the gateway's
// ConditionalGetMiddleware.
func TestRevalidateThroughLab(t *testing.T) {
	const target = "https://www.example.com/"
	first := runOnce(t, target, nil)
	resp := string(httpExchange(t, first).Received.Bytes)
	etag := etagLine.FindStringSubmatch(resp)
	lm := lastModifiedLine.FindStringSubmatch(resp)
	if etag == nil || lm == nil || !strings.Contains(resp, "\r\nCache-Control: max-age=") {
		t.Fatalf("the first visit's response lacks ETag, Last-Modified or Cache-Control:\n%s", resp)
	}
	if got := first.Stage(trace.StageHTTP).HTTP.Status; got != http.StatusOK {
		t.Fatalf("first visit: status %d, want 200", got)
	}
	for _, tc := range []struct {
		name   string
		header string
		want   int
	}{
		{"If-None-Match", "If-None-Match: " + etag[1], http.StatusNotModified},
		{"If-Modified-Since", "If-Modified-Since: " + lm[1], http.StatusNotModified},
		{"a changed page", `If-None-Match: "stale"`, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := runOnce(t, target, []string{tc.header})
			h := j.Stage(trace.StageHTTP).HTTP
			if h.Status != tc.want {
				t.Fatalf("status %d, want %d", h.Status, tc.want)
			}
			ex := httpExchange(t, j)
			if !strings.Contains(string(ex.Sent.Bytes), "\r\n"+tc.header+"\r\n") {
				t.Errorf("the request does not carry %q:\n%s", tc.header, ex.Sent.Bytes)
			}
			if tc.want != http.StatusNotModified {
				return
			}
			if h.Hops[0].BodySize != 0 {
				t.Errorf("a 304 with %d body bytes", h.Hops[0].BodySize)
			}
			said := false
			for _, m := range j.Stage(trace.StageGateway).Gateway.Middleware {
				if strings.HasSuffix(m.Middleware, "ConditionalGetMiddleware") && strings.Contains(m.Action, "304 Not Modified") {
					said = true
				}
			}
			if !said {
				t.Error("the gateway stage does not say ConditionalGetMiddleware answered 304")
			}
		})
	}
}

func runOnce(t *testing.T, target string, headers []string) *trace.Journey {
	t.Helper()
	cfg, _ := labConfig(t, target)
	cfg.Headers = headers
	rec := trace.NewRecorder(target, cfg.Mode, "test", nil, nil)
	err := Run(context.Background(), cfg, rec)
	j := rec.Finish(err)
	if err != nil {
		t.Fatalf("journey to %s: %v", target, err)
	}
	return j
}

func httpExchange(t *testing.T, j *trace.Journey) *trace.Exchange {
	t.Helper()
	for _, ex := range j.Stage(trace.StageHTTP).Exchanges {
		if ex.Kind == "http" {
			return ex
		}
	}
	t.Fatal("no HTTP exchange")
	return nil
}
