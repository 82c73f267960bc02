package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// run runs the program in-process and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"NO_COLOR": "1"}
	code := Run(context.Background(), args, IO{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", nil, "no TARGET"},
		{"two targets", []string{"a.example", "b.example"}, "more than one TARGET"},
		{"unknown flag", []string{"--nope", "www.example.com"}, "unknown flag"},
		{"bad name", []string{"--lab", "exa_mple..com"}, "empty label"},
		{"bad scheme", []string{"--lab", "gopher://example.com"}, "not supported"},
		{"bad port", []string{"--lab", "example.com:70000"}, "1 to 65535"},
		{"both families", []string{"-4", "-6", "--lab", "www.example.com"}, "exclude each other"},
		{"bad root", []string{"--roots", "not-an-ip", "www.example.com"}, "--roots"},
		{"bad resolver", []string{"www.example.com", "@nope"}, "@SERVER"},
		{"two resolvers", []string{"www.example.com", "@127.0.0.1", "@127.0.0.2"}, "more than one @SERVER"},
		{"bad resolve", []string{"--resolve", "www.example.com:80", "www.example.com"}, "HOST:PORT:ADDR"},
		{"bad resolve addr", []string{"--resolve", "www.example.com:80:nowhere", "www.example.com"}, "not an IP address"},
		{"bad timeout", []string{"--timeout", "-1s", "--lab", "www.example.com"}, "--timeout"},
		{"bad dns port", []string{"-p", "0", "--lab", "www.example.com"}, "--port"},
		{"bad latency", []string{"--lab", "--lab-latency", "fast", "www.example.com"}, "--lab-latency"},
		{"bad loss", []string{"--lab", "--lab-loss", "150", "www.example.com"}, "--lab-loss"},
		{"bad method", []string{"--lab", "-X", "GET /", "www.example.com"}, "-X"},
		{"bad header", []string{"--lab", "-H", "no colon", "www.example.com"}, "-H"},
		{"lab without serve", []string{"lab"}, "journey lab serve"},
		{"plain and json", []string{"--lab", "--plain", "--json", "www.example.com"}, "exclude each other"},
		{"step with plain", []string{"--lab", "--plain", "--step", "www.example.com"}, "--step"},
		{"warm with step", []string{"--lab", "--warm", "--step", "www.example.com"}, "--warm"},
		{"empty method", []string{"--lab", "-X", "", "www.example.com"}, "-X"},
		{"IPv4 literal with -6", []string{"--lab", "-6", "203.0.113.10"}, "other family"},
		{"IPv6 literal with -4", []string{"--lab", "-4", "[2001:db8:113::10]"}, "other family"},
		{"record into a missing directory", []string{"--lab", "--record", "/nonexistent/dir/f.json", "www.example.com"}, "cannot write"},
		{"version with a target", []string{"--version", "foo"}, "--version"},
		{"escape in a flag", []string{"--lab", "--urls", "/tmp/x\x1b[31my", "www.example.com"}, "--urls"},
		{"mailto", []string{"--lab", "mailto:x@y.com"}, `scheme "mailto" is not supported`},
		{"javascript", []string{"--lab", "javascript:alert(1)"}, `scheme "javascript" is not supported`},
		{"step on a non-terminal", []string{"--lab", "--step", "www.example.com"}, "not a terminal"},
		{"lab serve with --step", []string{"lab", "serve", "--step"}, "--step is a journey flag"},
		{"lab serve with --plain", []string{"lab", "serve", "--plain"}, "--plain is a journey flag"},
		{"lab serve with -L", []string{"lab", "serve", "-L"}, "-L is a journey flag"},
		{"lab serve with an unknown flag", []string{"lab", "serve", "--frob"}, "unknown flag: --frob"},
		{"max-time as a word", []string{"--lab", "--max-time", "soon", "www.example.com"}, "neither seconds"},
		{"max-time zero", []string{"--lab", "--max-time", "0", "www.example.com"}, "--max-time must be more than 0"},
		{"loss as a word", []string{"--lab", "--lab-loss", "some", "www.example.com"}, "not a percentage"},
		{"loss over 100%", []string{"--lab", "--lab-loss", "101%", "www.example.com"}, "--lab-loss"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			if out != "" {
				t.Errorf("a usage error printed a report: %q", out)
			}
			if strings.ContainsAny(errOut, "\x1b\a") {
				t.Errorf("stderr holds a raw control byte: %q", errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "journey: ") {
				t.Errorf("stderr is not one line starting with journey: %q", errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want it to say %q", errOut, tc.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := run(t, "--help")
	if code != ExitOK || !strings.Contains(out, "journey --lab www.example.com") || !strings.Contains(out, "--lab-latency") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
	for _, flag := range []string{"--lab", "--plain", "--json", "--record", "--step", "--roots", "--port", "--resolve", "--timeout", "--max-time", "--request", "--header", "--data", "--location", "--insecure", "--ipv4", "--ipv6", "--urls", "--no-color"} {
		if !strings.Contains(out, flag) {
			t.Errorf("--help does not list %s", flag)
		}
	}
	for _, args := range [][]string{{"lab", "--help"}, {"lab", "urls", "--help"}, {"lab", "serve", "-h"}} {
		code, out, _ = run(t, args...)
		if code != ExitOK || !strings.Contains(out, "journey lab serve") {
			t.Errorf("%v: exit %d, output %q", args, code, out)
		}
	}
	code, out, _ = run(t, "lab", "urls")
	if code != ExitOK || !strings.Contains(out, "urlpatterns = [") || !strings.Contains(out, "path(") {
		t.Errorf("lab urls: exit %d, output %q", code, out)
	}
	code, out, _ = run(t, "--version")
	if code != ExitOK || out != "journey "+Version+"\n" {
		t.Errorf("--version: exit %d, output %q", code, out)
	}
}

func TestLabJourneyPlain(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		want   []string
		absent []string
	}{
		{"the three hops", []string{"www.example.com"}, ExitOK,
			[]string{"a.root-servers.net", "referral to com.", "a.gtld-servers.net", "referral to example.com.", "ns1.example.com", "answer: 203.0.113.10", "www.example.com → 203.0.113.10"}, nil},
		{"glue-less nameservers", []string{"www.example.org"}, ExitOK, []string{"no glue", "ns1.example.net. A", "www.example.org → 203.0.113.10"}, nil},
		{"CNAME into another zone", []string{"shop.example.com"}, ExitOK, []string{"alias of shops.example.net.", "shop.example.com → shops.example.net → 203.0.113.10"}, nil},
		{"public suffix", []string{"www.example.co.uk"}, ExitOK, []string{"co.uk", "public suffix", "referral to example.co.uk."}, nil},
		{"internationalised name", []string{"café.example.com"}, ExitOK, []string{"xn--caf-dma.example.com", "(punycode)", "café"}, nil},
		{"no such name", []string{"nope.example.com"}, ExitFailed, []string{"NXDOMAIN", "does not exist", "not reached"}, nil},
		{"lame delegation", []string{"www.lame.example.com"}, ExitOK, []string{"lame delegation", "www.lame.example.com → 203.0.113.10"}, nil},
		{"truncated over UDP", []string{"big.example.com"}, ExitOK, []string{"truncated", "tcp"}, nil},
		{"escape sequences", []string{"--bytes", "ansi.example.com"}, ExitOK, []string{"ansi.example.com", `\027[2j\027]0\;pwned\007.example.com`}, []string{"\x1b", "\a"}},
		{"IP literal needs no DNS", []string{"203.0.113.10"}, ExitOK, []string{"no DNS is needed"}, []string{"root-servers"}},
		{"--resolve skips DNS", []string{"--resolve", "www.example.com:80:203.0.113.10", "www.example.com"}, ExitOK, []string{"DNS skipped"}, []string{"root-servers"}},
		{"hex dump with --bytes", []string{"--bytes", "www.example.com"}, ExitOK, []string{"sent 44 bytes:", "0000  "}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--lab", "--lab-latency", "0", "--plain"}, tc.args...)
			code, out, errOut := run(t, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q\n%s", code, tc.code, errOut, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("report holds %q", a)
				}
			}
		})
	}
}

// TestCurlsSecondsAndPercent: the forms curl and people write are taken.
func TestCurlsSecondsAndPercent(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"--max-time 5", []string{"--max-time", "5"}},
		{"--max-time 0.5", []string{"--max-time", "0.5"}},
		{"--timeout 1.5", []string{"--timeout", "1.5"}},
		{"--timeout 500ms", []string{"--timeout", "500ms"}},
		{"--lab-loss 0%", []string{"--lab-loss", "0%"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"--lab", "--lab-latency", "0", "--plain"}, tc.args...), "www.example.com")
			if code, _, errOut := run(t, args...); code != ExitOK {
				t.Errorf("exit %d: %s", code, errOut)
			}
		})
	}
}

func TestLabLossIsReported(t *testing.T) {
	// With every packet lost, each root server is tried (3 times: a lost
	// packet may be bad luck), each try shows its timeout, and the journey
	// fails with exit status 1 in bounded time.
	start := time.Now()
	code, out, _ := run(t, "--lab", "--lab-latency", "0", "--lab-loss", "100", "--timeout", "100ms", "--plain", "www.example.com")
	if code != ExitFailed {
		t.Errorf("exit %d, want %d", code, ExitFailed)
	}
	if n := len(regexp.MustCompile(`(?m)^\s+failed\s+no reply from`).FindAllString(out, -1)); n != 6 {
		t.Errorf("%d timeouts reported, want 6 (2 root servers, 3 rounds):\n%s", n, out)
	}
	if !strings.Contains(out, "no root server answered") {
		t.Errorf("report does not say why DNS failed:\n%s", out)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}
