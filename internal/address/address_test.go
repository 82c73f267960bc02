package address

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in                       string
		url, host, ascii, scheme string
		port                     int
		path, query              string
		assumed, ip, defaultPort bool
	}{
		{in: "www.example.com", url: "http://www.example.com/", host: "www.example.com", ascii: "www.example.com", scheme: "http", port: 80, path: "/", assumed: true, defaultPort: true},
		{in: "https://Example.COM:8443/a%20b?x=1#frag", url: "https://example.com:8443/a%20b?x=1", host: "example.com", ascii: "example.com", scheme: "https", port: 8443, path: "/a%20b", query: "x=1"},
		{in: "https://www.example.com:443/", url: "https://www.example.com/", host: "www.example.com", ascii: "www.example.com", scheme: "https", port: 443, path: "/", defaultPort: true},
		{in: "café.example.com/menu", url: "http://xn--caf-dma.example.com/menu", host: "café.example.com", ascii: "xn--caf-dma.example.com", scheme: "http", port: 80, path: "/menu", assumed: true, defaultPort: true},
		{in: "xn--caf-dma.example.com", url: "http://xn--caf-dma.example.com/", host: "café.example.com", ascii: "xn--caf-dma.example.com", scheme: "http", port: 80, path: "/", assumed: true, defaultPort: true},
		{in: "BÜCHER.example", url: "http://xn--bcher-kva.example/", host: "bücher.example", ascii: "xn--bcher-kva.example", scheme: "http", port: 80, path: "/", assumed: true, defaultPort: true},
		{in: "192.0.2.1", url: "http://192.0.2.1/", host: "192.0.2.1", ascii: "192.0.2.1", scheme: "http", port: 80, path: "/", assumed: true, ip: true, defaultPort: true},
		{in: "::1", url: "http://[::1]/", host: "::1", ascii: "::1", scheme: "http", port: 80, path: "/", assumed: true, ip: true, defaultPort: true},
		{in: "http://[2001:db8::1]:8080/x", url: "http://[2001:db8::1]:8080/x", host: "2001:db8::1", ascii: "2001:db8::1", scheme: "http", port: 8080, path: "/x", ip: true},
		{in: "www.example.com.", url: "http://www.example.com/", host: "www.example.com", ascii: "www.example.com", scheme: "http", port: 80, path: "/", assumed: true, defaultPort: true},
		{in: "localhost:8080/x", url: "http://localhost:8080/x", host: "localhost", ascii: "localhost", scheme: "http", port: 8080, path: "/x", assumed: true},
		{in: "  www.example.com  ", url: "http://www.example.com/", host: "www.example.com", ascii: "www.example.com", scheme: "http", port: 80, path: "/", assumed: true, defaultPort: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			got := []any{a.URL, a.Host, a.ASCIIHost, a.Scheme, a.Port, a.Path, a.Query, a.SchemeAssumed, a.IsIP, a.PortDefault}
			want := []any{tc.url, tc.host, tc.ascii, tc.scheme, tc.port, tc.path, tc.query, tc.assumed, tc.ip, tc.defaultPort}
			names := []string{"URL", "Host", "ASCIIHost", "Scheme", "Port", "Path", "Query", "SchemeAssumed", "IsIP", "PortDefault"}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s = %v, want %v", names[i], got[i], want[i])
				}
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"ftp://example.com/", `scheme "ftp" is not supported`},
		{"mailto:x@y.com", `scheme "mailto" is not supported`},
		{"javascript:alert(1)", `scheme "javascript" is not supported`},
		{"data:text/html,hi", `scheme "data" is not supported`},
		{"http://user:pw@example.com/", "user name or password"},
		{"http:///path", "has no host"},
		{"example.com:99999", "1 to 65535"},
		{"example.com:0", "1 to 65535"},
		{"exa mple.com", "not a valid"},
		{"a..b.com", "empty label"},
		{"-bad.example.com", "hyphen"},
		{"bad-.example.com", "hyphen"},
		{strings.Repeat("a", 64) + ".com", "at most 63"},
		{strings.Repeat("abcdefghi.", 26) + "com", "at most 253"},
		{"ex!ample.com", "holds '!'"},
		{"www.example.com\x1b[31m", "control characters"},
		{"http://[fe80::1%25eth0]/", "zones are not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tc.in)
			}
			if !errors.Is(err, ErrBadTarget) {
				t.Errorf("error %v does not wrap ErrBadTarget", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

func TestSuffixSplit(t *testing.T) {
	tests := []struct {
		host        string
		suffix      string
		registrable string
		roles       string // role:name, right to left
	}{
		{"www.example.com", "com", "example.com", "root:. tld:com registrable:example.com subdomain:www.example.com"},
		{"www.example.co.uk", "co.uk", "example.co.uk", "root:. tld:uk suffix:co.uk registrable:example.co.uk subdomain:www.example.co.uk"},
		{"www.bbc.co.uk", "co.uk", "bbc.co.uk", "root:. tld:uk suffix:co.uk registrable:bbc.co.uk subdomain:www.bbc.co.uk"},
		{"example.com", "com", "example.com", "root:. tld:com registrable:example.com"},
		{"a.b.example.org", "org", "example.org", "root:. tld:org registrable:example.org subdomain:b.example.org subdomain:a.b.example.org"},
		{"foo.github.io", "github.io", "foo.github.io", "root:. tld:io suffix:github.io registrable:foo.github.io"},
		{"localhost", "localhost", "", "root:. tld:localhost"},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			a, err := Parse(tc.host)
			if err != nil {
				t.Fatal(err)
			}
			if a.PublicSuffix != tc.suffix || a.Registrable != tc.registrable {
				t.Errorf("suffix %q registrable %q, want %q %q", a.PublicSuffix, a.Registrable, tc.suffix, tc.registrable)
			}
			var roles []string
			for _, p := range a.Parts {
				roles = append(roles, p.Role+":"+p.Name)
			}
			if got := strings.Join(roles, " "); got != tc.roles {
				t.Errorf("parts = %s\nwant    %s", got, tc.roles)
			}
		})
	}
}

func TestPunycodeParts(t *testing.T) {
	a, err := Parse("café.example.com")
	if err != nil {
		t.Fatal(err)
	}
	last := a.Parts[len(a.Parts)-1]
	if last.Label != "xn--caf-dma" || last.Unicode != "café" {
		t.Errorf("last part = %+v, want label xn--caf-dma shown as café", last)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"www.example.com", "https://café.example.com:8443/x?y#z", "[::1]", "http://a..b/", "\x1b", "xn--", "http://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if a.Port < 1 || a.Port > 65535 || a.ASCIIHost == "" {
			t.Fatalf("Parse(%q) = %+v: bad port or host", s, a)
		}
		if !a.IsIP {
			if err := CheckName(a.ASCIIHost); err != nil {
				t.Fatalf("Parse(%q) accepted %q: %v", s, a.ASCIIHost, err)
			}
		}
	})
}
