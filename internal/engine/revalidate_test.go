package engine

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	jhttp "journey/internal/http"
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

// TestWarmVisit: with Config.Warm the journey visits twice; the second
// visit sends no DNS query, makes no TCP or TLS handshake (the kept-alive
// connection), revalidates with If-None-Match and gets 304, and the lab's
// server side shows it.
func TestWarmVisit(t *testing.T) {
	for _, target := range []string{"https://www.example.com/", "http://www.example.com/"} {
		t.Run(target, func(t *testing.T) {
			cfg, _ := labConfig(t, target)
			cfg.Warm = &Warm{}
			rec := trace.NewRecorder(target, cfg.Mode, "test", nil, nil)
			err := Run(context.Background(), cfg, rec)
			first := rec.Finish(err)
			if err != nil {
				t.Fatal(err)
			}
			warm := cfg.Warm.Journey()
			if cfg.Warm.Err != nil || warm == nil {
				t.Fatalf("second visit: %v", cfg.Warm.Err)
			}
			if got := first.Stage(trace.StageHTTP).HTTP.Status; got != http.StatusOK {
				t.Errorf("first visit: %d, want 200", got)
			}
			if !strings.Contains(string(httpExchange(t, first).Sent.Bytes), "Connection: keep-alive\r\n") {
				t.Error("the first visit's request does not ask to keep the connection")
			}
			d := warm.Stage(trace.StageDNS)
			if d.DNS == nil || d.DNS.Method != trace.MethodCache || len(d.Exchanges) != 0 || len(d.DNS.Addresses) == 0 {
				t.Errorf("second visit's DNS: %+v, %d exchanges; want from cache, none sent", d.DNS, len(d.Exchanges))
			}
			if !strings.Contains(strings.Join(d.Notes, " "), "s are left") {
				t.Errorf("DNS notes %q say no TTL left", d.Notes)
			}
			c := warm.Stage(trace.StageConnect)
			if c.Status != trace.StatusDone || c.Connect == nil || c.Connect.TCP != 0 || c.Connect.TLS != nil || len(c.Connect.Attempts) != 0 || len(c.Exchanges) != 0 {
				t.Errorf("second visit's connect: %s %+v; want reused, no handshake", c.Status, c.Connect)
			}
			if c.Connect != nil && c.Connect.Local != first.Stage(trace.StageConnect).Connect.Local {
				t.Errorf("second visit from %s, first from %s: not the same connection", c.Connect.Local, first.Stage(trace.StageConnect).Connect.Local)
			}
			ex := httpExchange(t, warm)
			if !strings.Contains(string(ex.Sent.Bytes), "\r\nIf-None-Match: \"") {
				t.Errorf("the second request does not revalidate:\n%s", ex.Sent.Bytes)
			}
			if got := warm.Stage(trace.StageHTTP).HTTP.Status; got != http.StatusNotModified {
				t.Errorf("second visit: %d, want 304", got)
			}
			if g := warm.Stage(trace.StageGateway); g.Status != trace.StatusDone || g.Gateway.Response.Status != http.StatusNotModified {
				t.Errorf("second visit's gateway: %s", g.Status)
			}
			// The first visit's time ends before the second visit starts.
			if end := first.Started.Add(first.Duration); end.After(warm.Started.Add(300 * time.Microsecond)) {
				t.Errorf("the first visit lasted %v, past the second visit's start %v after it", first.Duration, warm.Started.Sub(first.Started))
			}
			if ex := httpExchange(t, warm); ex.Transport != httpExchange(t, first).Transport {
				t.Errorf("second request over %s, the first over %s: the same connection", ex.Transport, httpExchange(t, first).Transport)
			}
			// Over TLS, the records that carried each visit's request and
			// response are each visit's own, decrypted.
			if strings.HasPrefix(target, "https") {
				for name, ex := range map[string]*trace.Exchange{"first": httpExchange(t, first), "second": httpExchange(t, warm)} {
					for dir, m := range map[string]trace.Message{"request": ex.Sent, "response": ex.Received} {
						if m.Records == nil || len(m.Records.Decrypted) == 0 {
							t.Errorf("the %s visit's %s has no decrypted TLS records", name, dir)
						}
					}
				}
			}
		})
	}
}

// TestWarmAfterRedirect: with -L the first visit ends on another
// connection than the target's; the second visit says there is no kept
// connection rather than asking the wrong server.
func TestWarmAfterRedirect(t *testing.T) {
	const target = "http://www.example.com/old/"
	cfg, _ := labConfig(t, target)
	cfg.FollowRedirects = true
	cfg.Warm = &Warm{}
	rec := trace.NewRecorder(target, cfg.Mode, "test", nil, nil)
	if err := Run(context.Background(), cfg, rec); err != nil {
		t.Fatal(err)
	}
	warm := cfg.Warm.Journey()
	if !errors.Is(cfg.Warm.Err, jhttp.ErrNotKept) || warm == nil || warm.Error == "" {
		t.Fatalf("second visit after a redirect: %v; want ErrNotKept, recorded", cfg.Warm.Err)
	}
	if c := warm.Stage(trace.StageConnect); c.Status != trace.StatusFailed {
		t.Errorf("second visit's connect: %s, want failed", c.Status)
	}
}
