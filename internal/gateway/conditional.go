package gateway

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// conditionalGetMiddleware is django.middleware.http.ConditionalGetMiddleware:
// a GET's response gets an ETag (the MD5 of its body, as Django's
// set_response_etag) when the view gave none, and a request whose
// If-None-Match names that ETag, or whose If-Modified-Since is no older
// than the Last-Modified, is answered 304 Not Modified with no body: the
// browser's second visit, revalidating what it keeps. Django's
// documentation places it after GZipMiddleware (so the ETag is of the
// uncompressed body; gzip then makes it weak), before anything that
// changes the response.
type conditionalGetMiddleware struct{}

func (conditionalGetMiddleware) Name() string {
	return "django.middleware.http.ConditionalGetMiddleware"
}

func (conditionalGetMiddleware) ProcessRequest(r *Request) (*Response, string) {
	return nil, "passed: it only acts on the response"
}

// notModifiedKept are the headers Django's _not_modified copies from the
// full response into the 304 (RFC 9110 section 15.4.5 asks for them).
var notModifiedKept = []string{"Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Last-Modified", "Vary", "Set-Cookie"}

func (conditionalGetMiddleware) ProcessResponse(r *Request, resp *Response) (*Response, string, error) {
	if r.Method != http.MethodGet {
		return resp, "passed: only a GET is revalidated", nil
	}
	if resp.Stream != nil {
		return resp, "passed: a streamed body has no ETag", nil
	}
	var what string
	etag, ok := resp.Header("ETag")
	cc, _ := resp.Header("Cache-Control")
	// set_response_etag: any status, but only a body that is there, and
	// not when the response must not be stored (needs_etag).
	if !ok && len(resp.Body) > 0 && !strings.Contains(strings.ToLower(cc), "no-store") {
		sum := md5.Sum(resp.Body)
		etag = `"` + hex.EncodeToString(sum[:]) + `"`
		resp.Set("ETag", etag)
		what = "set ETag: " + etag + " (the MD5 of the body)"
	}
	if resp.Status < 200 || resp.Status > 299 {
		// get_conditional_response answers only a success conditionally.
		if what == "" {
			return resp, "passed: only a success (2xx) is revalidated", nil
		}
		return resp, what + "; only a success (2xx) is revalidated", nil
	}
	if _, hasLM := resp.Header("Last-Modified"); etag == "" && !hasLM {
		return resp, "passed: no ETag or Last-Modified to revalidate against", nil
	}
	if inm := r.Env("HTTP_IF_NONE_MATCH"); inm != "" && etag != "" {
		if etagMatches(inm, etag) {
			return notModified(resp), what + "; If-None-Match " + inm + " names it: 304 Not Modified, no body", nil
		}
		return resp, what + "; If-None-Match " + inm + " does not name it: the full page", nil
	}
	if ims := r.Env("HTTP_IF_MODIFIED_SINCE"); ims != "" {
		lm, ok := resp.Header("Last-Modified")
		since, err1 := http.ParseTime(ims)
		mod, err2 := http.ParseTime(lm)
		if ok && err1 == nil && err2 == nil && !mod.After(since) {
			return notModified(resp), what + "; If-Modified-Since " + ims + " is not older than Last-Modified: 304 Not Modified, no body", nil
		}
	}
	if what == "" {
		return resp, "passed: the request asks nothing conditional", nil
	}
	return resp, what + "; the request asks nothing conditional", nil
}

// etagMatches is Django's weak comparison of If-None-Match (RFC 9110
// section 13.1.2): "*" or any listed tag equal to etag, W/ ignored.
func etagMatches(header, etag string) bool {
	weak := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, t := range strings.Split(header, ",") {
		if strings.TrimSpace(t) == "*" || weak(t) == weak(etag) {
			return true
		}
	}
	return false
}

// notModified is Django's _not_modified: a 304 carrying only the headers
// a cache needs to refresh what it keeps.
func notModified(resp *Response) *Response {
	nm := &Response{Status: http.StatusNotModified}
	for _, name := range notModifiedKept {
		for _, h := range resp.Headers {
			if strings.EqualFold(h.Name, name) {
				nm.Headers = append(nm.Headers, h)
			}
		}
	}
	return nm
}

// siteModified is the Last-Modified the lab site's pages carry: a fixed
// moment, so a report is the same from run to run.
var siteModified = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// siteMaxAge is the Cache-Control max-age of the lab site's pages: a
// minute, long enough for a class's second visit to find the page fresh
// in a browser, short enough that revalidating is the lesson.
const siteMaxAge = 60

// cacheHeaders are what @cache_control(max_age=...) and @last_modified
// would add to a Django view: how long a cache may keep the page, and
// since when it has not changed.
func cacheHeaders(resp *Response) {
	resp.SetDefault("Cache-Control", fmt.Sprintf("max-age=%d", siteMaxAge))
	resp.SetDefault("Last-Modified", siteModified.Format(http.TimeFormat))
}
