package plain

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	jhttp "journey/internal/http"
	"journey/internal/trace"
)

// journeyTo runs the connect and HTTP stages against url on loopback and
// returns the finished trace with every timing made constant, so the
// report is the same on every run.
func journeyTo(t *testing.T, c *jhttp.Client, url string) *trace.Journey {
	t.Helper()
	target, err := address.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	rec := trace.NewRecorder(url, trace.ModeLab, "test", nil, nil)
	c.Recorder, c.Dialer, c.UserAgent = rec, dialtest.Loopback(t), "journey/test"
	_, err = c.Run(context.Background(), target, []string{"127.0.0.1"})
	j := rec.Finish(err)
	fixHTTPTimes(j)
	return j
}

// fixHTTPTimes sets every timing of the connect and HTTP stages to a
// constant: 1 ms per step, laid end to end.
func fixHTTPTimes(j *trace.Journey) {
	ms := time.Millisecond
	j.Duration = 10 * ms
	for _, s := range j.Stages {
		s.Start, s.Duration = ms*time.Duration(s.Kind.Index()), ms
		for _, e := range s.Exchanges {
			e.Start, e.Duration = s.Start, ms
		}
		if c := s.Connect; c != nil {
			c.TCP = ms
			for i := range c.Attempts {
				c.Attempts[i].Start, c.Attempts[i].Duration = 2*ms, ms
			}
			if c.TLS != nil {
				c.TLS.Start, c.TLS.Handshake = 3*ms, ms
			}
		}
		if h := s.HTTP; h != nil {
			for i := range h.Hops {
				h.Hops[i].Timing = trace.Timing{Start: 2 * ms, TLSStart: 3 * ms, WriteStart: 4 * ms, Connect: ms, Write: ms, TTFB: 2 * ms, Transfer: ms, Total: 6 * ms, FirstByte: 7 * ms}
			}
		}
	}
}

// scrub replaces what changes from run to run in a report: ports and dates.
var (
	portRE   = regexp.MustCompile(`(127\.0\.0\.[12]|example\.com):\d+`)
	dateRE   = regexp.MustCompile(`Date: [^\n]+`)
	onPortRE = regexp.MustCompile(`on port \d+`)
)

func scrub(b []byte) []byte {
	b = portRE.ReplaceAll(b, []byte("$1:PORT"))
	b = onPortRE.ReplaceAll(b, []byte("on port PORT"))
	return dateRE.ReplaceAll(b, []byte("Date: Mon, 23 Nov 2026 20:00:00 GMT"))
}

// rawServer answers every connection with serve, on loopback.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				serve(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// hostile is a response full of terminal control: an OSC title change
// with BEL, a CSI colour, a C1 CSI, and a bidi override.
const hostile = "HTTP/1.1 200 \x1b[31mOK\r\nX-Evil: \x1b]0;owned\x07\r\nX-Bidi: abc\u202edef\r\nContent-Length: 25\r\n\r\nhi \x1b[2J\x07 \u202egnp.exe \xc2\x9b1m\n"

// hostileBody passes net/http's header checks (which refuse control
// characters in header values) and carries the attack in the reason
// phrase, a bidi override in a header, and the body.
const hostileBody = "HTTP/1.1 200 \x1b[31mOK\x1b[0m\r\nX-Bidi: abc\u202edef\r\nContent-Type: text/plain\r\n\r\ntitle \x1b]0;owned\x07 clear \x1b[2J right-to-left \u202egnp.exe C1 \xc2\x9b1m\n"

func TestHTTPGolden(t *testing.T) {
	page := strings.Repeat("<p>journey</p>\n", 30)
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/text", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "6")
		io.WriteString(w, "hello\n")
	})
	// The TLS cases: the server's close_notify would race the client's last
	// read of the body (kept in one run, not in the next); sent 200 ms after
	// the response, it comes after the exchange ends, every time.
	mux.HandleFunc("/text-then-close", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "6")
		io.WriteString(w, "hello\n")
		w.(nethttp.Flusher).Flush()
		time.Sleep(200 * time.Millisecond)
	})
	mux.HandleFunc("/chunked", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		io.WriteString(gz, page)
		gz.Close()
		w.(nethttp.Flusher).Flush()
	})
	mux.HandleFunc("/binary", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 200)...))
	})
	mux.Handle("/old", nethttp.RedirectHandler("/text", nethttp.StatusMovedPermanently))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tlsSrv := httptest.NewUnstartedServer(mux)
	tlsSrv.EnableHTTP2 = false
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // a refused certificate is the point, not news
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	evil := rawServer(t, func(c net.Conn) { io.WriteString(c, hostile) })
	evilBody := rawServer(t, func(c net.Conn) { io.WriteString(c, hostileBody) })
	closed := func() string { // a port nothing listens on
		ln, _ := net.Listen("tcp4", "127.0.0.1:0")
		defer ln.Close()
		return "http://" + ln.Addr().String() + "/"
	}()

	cases := []struct {
		name string
		c    jhttp.Client
		url  string
	}{
		{"text", jhttp.Client{}, srv.URL + "/text"},
		{"chunked-gzip", jhttp.Client{Compressed: true}, srv.URL + "/chunked"},
		{"gzip-not-asked", jhttp.Client{}, srv.URL + "/chunked"},
		{"binary", jhttp.Client{}, srv.URL + "/binary"},
		{"redirect", jhttp.Client{FollowRedirects: true}, srv.URL + "/old"},
		{"tls-insecure", jhttp.Client{Insecure: true}, strings.Replace(tlsSrv.URL, "127.0.0.1", "example.com", 1) + "/text-then-close"},
		{"tls-refused", jhttp.Client{}, strings.Replace(tlsSrv.URL, "127.0.0.1", "example.com", 1) + "/text-then-close"},
		{"hostile-header", jhttp.Client{}, evil + "/"},
		{"hostile-body", jhttp.Client{}, evilBody + "/"},
		{"refused", jhttp.Client{}, closed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := journeyTo(t, &tc.c, tc.url)
			var b bytes.Buffer
			p := New(&b, Options{})
			for _, k := range []trace.StageKind{trace.StageConnect, trace.StageHTTP} {
				if s := j.Stage(k); s.Status != trace.StatusPending {
					p.Stage(j, s)
				}
			}
			p.waterfall(j)
			got := scrub(b.Bytes())
			checkGolden(t, got)
		})
	}
}

func TestIsBinary(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"hello\r\nworld\n", false},
		{"naïve café ☕", false},
		{"text with one \x1b[31m escape in a longer line of words", false},
		{"\x00\x01\x02", true},
		{"\xff\xfe\xfd", true},
		{"\x1b\x1b\x1b\x07ab", true},
		{"", false},
		{strings.Repeat("é", maxBodyText), false}, // cut inside a rune is still text
	}
	for _, tt := range tests {
		if got := IsBinary([]byte(tt.in)); got != tt.want {
			t.Errorf("IsBinary(%.20q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
