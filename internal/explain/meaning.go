package explain

import (
	"net/http"
	"strings"
)

// headers says what the common HTTP headers are for, in plain words.
var headers = map[string]string{
	"host":              "which site on that server we want: one address can serve many sites, so the name travels inside the request.",
	"user-agent":        "the program making the request, so the server can tell browsers, tools and robots apart.",
	"accept":            "the kinds of content we are ready to read back.",
	"accept-encoding":   "the compressions we can undo; the server may shrink the body with one of them.",
	"accept-language":   "the languages we prefer, best first.",
	"connection":        "whether the connection stays open for more requests after this one.",
	"content-type":      "what the body is (HTML, JSON, an image) and its character set, so it can be read correctly.",
	"content-length":    "how many bytes the body has: the reader knows exactly where the message ends.",
	"transfer-encoding": "how the body is framed on the wire; chunked means it comes in pieces, each preceded by its size.",
	"date":              "when the server built the response.",
	"server":            "the software the server says it runs.",
	"location":          "where to go instead: sent with a redirect status (301, 302...).",
	"cache-control":     "whether and for how long the response may be kept and reused.",
	"set-cookie":        "a small value the server asks us to send back with later requests, to recognise us.",
	"cookie":            "values a server asked us to keep, sent back to it.",
	"content-encoding":  "the compression applied to the body, to be undone before reading it.",
	"etag":              "a label for this version of the content, to ask later whether it changed.",
	"last-modified":     "when the content last changed.",
	"vary":              "which request headers changed the answer, for caches.",
	"x-frame-options":   "whether other sites may show this page inside theirs.",
	"referer":           "the page we came from.",
	"authorization":     "credentials proving who we are.",
	"content-language":  "the language of the body.",
	"allow":             "the methods this URL accepts.",
}

// headerMeaning returns what a header is for, or "" for an unknown name.
func headerMeaning(name string) string {
	return headers[strings.ToLower(strings.TrimSpace(name))]
}

// dnsFields says what the parts of a DNS message are for.
var dnsFields = map[string]string{
	"id":         "a number we picked at random; the answer must carry the same one, so a forged or stray answer is noticed.",
	"flags":      "bits saying whether this is a question or an answer, whether recursion is wanted, and how it went.",
	"qdcount":    "how many questions follow (almost always one).",
	"ancount":    "how many records the answer section holds.",
	"nscount":    "how many records the authority section holds: in a referral, the nameservers of the child zone.",
	"arcount":    "how many records the additional section holds: in a referral, the glue addresses.",
	"question":   "the name and record type asked for.",
	"answer":     "the records that answer the question.",
	"authority":  "the servers responsible for the zone: in a referral, where to ask next.",
	"additional": "extra records that save a lookup, such as the addresses of the nameservers (glue).",
}

// StatusText is an HTTP status code's reason in words ("OK", "Not Found").
func StatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "a code this program does not know"
}
