package lab

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"journey/internal/trace"
)

func TestNewSite(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.urls")
	os.WriteFile(good, []byte("urlpatterns = [\n    path(\"hi/\", json('{\"hi\": 1}'), name=\"hi\"),\n]\n"), 0o644)
	bad := filepath.Join(dir, "bad.urls")
	os.WriteFile(bad, []byte("urlpatterns = [\n    path(\"hi/\", nosuchview()),\n]\n"), 0o644)
	cases := []struct {
		name    string
		urls    string
		wantErr string
		path    string // resolves with the site's configuration
	}{
		{"demo", "", "", "/articles/2024/"},
		{"file", good, "", "/hi/"},
		{"bad file", bad, "bad.urls:2", ""},
		{"missing file", filepath.Join(dir, "nope.urls"), "nope.urls", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := newSite(Options{URLs: tc.urls})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Site().URLConf().Lookup(tc.path) == nil {
				t.Errorf("%s does not resolve", tc.path)
			}
		})
	}
}

// TestServerStages serves a request on a loopback connection with the
// lab's site and asks for its stages by the client's address, as the
// engine does.
func TestServerStages(t *testing.T) {
	site, err := newSite(Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := &Lab{site: site}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			site.ServeConn(ctx, c, "http")
		}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /api/status HTTP/1.1\r\nHost: www.example.com\r\n\r\n"))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	stages, err := l.ServerStages(ctx, conn.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0].Kind != trace.StageGateway || stages[1].Router.Match == nil || stages[1].Router.Match.Name != "api-status" {
		t.Fatalf("stages %+v", stages)
	}
}
