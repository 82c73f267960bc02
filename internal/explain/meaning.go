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
	"header":     "the first 12 bytes of every DNS message: the ID, the flags, and how many records each section holds.",
	"opt":        "the EDNS record: not a real record, but a note saying how large a UDP answer we accept, so a long answer need not be cut short.",
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

// environ says what the keys of a WSGI environment hold (PEP 3333).
var environ = map[string]string{
	"REQUEST_METHOD":    "the method from the request line: what the client wants done (GET reads, POST sends).",
	"SCRIPT_NAME":       "where the application is mounted on the server; empty when it serves the whole site.",
	"PATH_INFO":         "the path from the request line, percent-decoded to bytes and held one latin-1 character per byte (PEP 3333); Django reads those bytes as UTF-8 for its router.",
	"QUERY_STRING":      "what follows ? in the request line, still encoded; empty when there is none.",
	"CONTENT_TYPE":      "the Content-Type header of the request's body.",
	"CONTENT_LENGTH":    "the length of the request's body, from its Content-Length header.",
	"SERVER_NAME":       "the address the server listens on, as gunicorn fills it on TCP (the name the client asked for is HTTP_HOST).",
	"SERVER_PORT":       "the port the server listens on: the one the request arrived on.",
	"SERVER_PROTOCOL":   "the HTTP version from the request line.",
	"REMOTE_ADDR":       "the client's address, as the server's socket saw it.",
	"wsgi.url_scheme":   "http or https: whether the request came over TLS.",
	"wsgi.input":        "the request's body, as a stream the application reads.",
	"wsgi.errors":       "where the application writes its error messages.",
	"wsgi.version":      "the version of the WSGI interface.",
	"wsgi.multithread":  "whether other threads may run the application at the same time.",
	"wsgi.multiprocess": "whether other processes may run the application at the same time.",
	"wsgi.run_once":     "whether the application will be called only once in this process.",
}

// hostRoles says what each part of a host name read right to left is.
var hostRoles = map[string]string{
	"root":        "the root: where every lookup starts, written as a final dot.",
	"tld":         "the top-level domain, run by a registry.",
	"suffix":      "part of the public suffix, under which anyone can register a name.",
	"registrable": "the registrable domain: what its owner bought from a registrar.",
	"subdomain":   "a subdomain, chosen freely by the domain's owner.",
}
