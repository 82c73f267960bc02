package tracefile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"journey/internal/address"
	"journey/internal/cli"
	"journey/internal/dial"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

var update = flag.Bool("update", false, "re-record testdata/journeys from the lab (go test ./internal/tracefile -run TestRecordedJourneys -update)")

// journeysDir holds the recorded lab journeys that the TUI's and the plain
// report's golden tests read.
const journeysDir = "../../testdata/journeys"

// journeys are the recorded lab journeys: each is a journey command line,
// run through cli.Run exactly as a user would type it (after "journey"),
// and what its trace must show, so that a recording of a stage that broke
// is caught rather than handed to the golden tests.
var journeys = []struct {
	name   string
	target string
	args   []string
	want   expect
}{
	{"http", "www.example.com", nil, expect{status: 200, hops: 1, dns: 3}},                                                // DNS from the root, hop by hop; plain http
	{"https", "https://www.example.com/", nil, expect{status: 200, hops: 1, dns: 3, tls: true}},                           // TLS
	{"redirect", "www.example.com/old-blog/", []string{"-L"}, expect{status: 200, hops: 2, dns: 3}},                       // a redirect followed, each hop its own exchange
	{"notfound", "www.example.com/nope/", nil, expect{status: 404, hops: 1, dns: 3}},                                      // the router's debug 404
	{"servererror", "www.example.com/boom/", nil, expect{status: 500, hops: 1, dns: 3}},                                   // a view that fails: the 500 lesson
	{"cname", "shop.example.com", nil, expect{status: 200, hops: 1, dns: 4, chain: true}},                                 // a CNAME into another zone: DNS starts again
	{"nxdomain", "nope.example.com", nil, expect{failed: trace.StageDNS, dns: 3}},                                         // a name that does not exist: the DNS stage fails
	{"ip", "http://203.0.113.10/", nil, expect{status: 200, hops: 1}},                                                     // an IP literal: no DNS
	{"uk", "www.example.co.uk/articles/2024/", []string{"-H", "Accept: text/html"}, expect{status: 200, hops: 1, dns: 3}}, // a public suffix of two labels
}

// expect is what a recorded journey must show.
type expect struct {
	failed trace.StageKind // the stage that failed; "" when the journey completed
	status int             // the last HTTP status
	hops   int             // HTTP requests made
	dns    int             // at least this many DNS exchanges
	tls    bool            // a TLS handshake
	chain  bool            // a CNAME chain
}

func (w expect) check(t *testing.T, j *trace.Journey) {
	t.Helper()
	for _, s := range j.Stages {
		switch {
		case s.Kind == w.failed && s.Status != trace.StatusFailed:
			t.Errorf("%s stage: %s, want failed", s.Kind, s.Status)
		case w.failed == "" && s.Status != trace.StatusDone && !(s.Kind == trace.StageDNS && j.Stage(trace.StageAddress).Address.IsIP):
			t.Errorf("%s stage: %s (%s %v), want done", s.Kind, s.Status, s.Error, s.Notes)
		}
	}
	if (j.Error != "") != (w.failed != "") {
		t.Errorf("journey error %q, want one only when a stage failed", j.Error)
	}
	if got := len(j.Stage(trace.StageDNS).Exchanges); got < w.dns {
		t.Errorf("%d DNS exchanges, want at least %d", got, w.dns)
	}
	if w.failed != "" {
		return
	}
	h := j.Stage(trace.StageHTTP).HTTP
	switch {
	case h == nil:
		t.Error("no HTTP result")
	case h.Status != w.status || len(h.Hops) != w.hops:
		t.Errorf("HTTP status %d after %d hops, want %d after %d", h.Status, len(h.Hops), w.status, w.hops)
	}
	if c := j.Stage(trace.StageConnect).Connect; c == nil || (c.TLS != nil) != w.tls {
		t.Errorf("connect result %+v, want TLS %v", c, w.tls)
	}
	if d := j.Stage(trace.StageDNS).DNS; w.chain && (d == nil || len(d.Chain) == 0) {
		t.Errorf("DNS result %+v, want a CNAME chain", d)
	}
	if j.Stage(trace.StageGateway).Gateway == nil || j.Stage(trace.StageRouter).Router == nil {
		t.Error("no gateway or router result")
	}
}

// record runs one journey in the lab with --record into path.
func record(t *testing.T, path, target string, args []string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"--lab", "--lab-latency", "0", "--plain", "--record", path}, args...)
	argv = append(argv, target)
	status := cli.Run(context.Background(), argv, cli.IO{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(string) string { return "" },
	})
	if status != cli.ExitOK && status != cli.ExitFailed {
		t.Fatalf("journey %s: exit status %d: %s", strings.Join(argv, " "), status, stderr.String())
	}
	t.Logf("journey %s: exit status %d", strings.Join(argv, " "), status)
}

// TestRecordedJourneys re-records the journeys with -update. Without it, it
// checks that every recorded journey still decodes (so the trace model has
// not changed under the recordings) and re-encodes to the same bytes.
func TestRecordedJourneys(t *testing.T) {
	if *update {
		if err := os.MkdirAll(journeysDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, jn := range journeys {
			record(t, filepath.Join(journeysDir, jn.name+".json"), jn.target, jn.args)
		}
	}
	files, err := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, jn := range journeys {
		if !slices.Contains(files, filepath.Join(journeysDir, jn.name+".json")) {
			t.Errorf("%s.json is missing from %s: run go test ./internal/tracefile -run TestRecordedJourneys -update", jn.name, journeysDir)
		}
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			doc, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			j, err := tracefile.Decode(bytes.NewReader(doc))
			if err != nil {
				t.Fatalf("a recorded journey no longer decodes: %v (re-record with -update)", err)
			}
			if j.Mode != trace.ModeLab {
				t.Errorf("mode %q, want lab", j.Mode)
			}
			for _, jn := range journeys {
				if jn.name+".json" == filepath.Base(name) {
					if j.Target != jn.target {
						t.Errorf("target %q, want %q", j.Target, jn.target)
					}
					jn.want.check(t, j)
				}
			}
			// Equal as a trace, read back: a field added to the model since the
			// recording only adds its zero value, which is no reason to fail
			// (re-recording breaks the golden files made from these).
			again := encode(t, j)
			j2, err := tracefile.Decode(bytes.NewReader(again))
			if err != nil {
				t.Fatalf("the re-encoded journey does not decode: %v", err)
			}
			if !reflect.DeepEqual(j2, j) {
				t.Errorf("decoding and re-encoding changed the journey")
			}
			// Every key of the recording must still be written: a renamed or
			// dropped JSON name would make older recordings lose that field
			// silently on replay.
			var was, now any
			if err := json.Unmarshal(doc, &was); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(again, &now); err != nil {
				t.Fatal(err)
			}
			if lost := lostKeys(was, now, ""); len(lost) > 0 {
				t.Errorf("the trace model no longer writes %d keys of this recording, e.g. %v: a JSON name was renamed or dropped", len(lost), lost[:min(len(lost), 5)])
			}
			if !bytes.Equal(again, doc) {
				t.Logf("the trace model has fields this recording lacks; re-record with -update to fill them (then refresh the golden files made from it)")
			}
		})
	}
}

// TestStepModeRecordingDecodes records journeys whose packets wait at the
// gate, as --step holds them, and checks that the trace decodes: the
// recorder takes the waits off the clock, and no offset may go negative.
func TestStepModeRecordingDecodes(t *testing.T) {
	const hold = 20 * time.Millisecond // long beside a lab exchange on loopback
	tests := []struct {
		target string
		follow bool
	}{
		{"www.example.com", false},
		{"https://www.example.com/", false},
		{"https://www.example.com/old-blog/", true},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			// As dialtest.Loopback does: any address the lab does not route
			// and that is not loopback fails the test.
			l.Dialer().Refuse = func(network, addr string) error {
				if !dial.IsLoopback(addr) {
					t.Errorf("the journey tried to reach %s %s, outside the lab", network, addr)
					return dial.ErrRefused
				}
				return nil
			}
			target, err := address.Parse(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			cfg := engine.Config{
				Target: target, Mode: trace.ModeLab, Version: "test",
				Dialer: l.Dialer(), Roots: l.Roots(), RootCAs: l.RootCAs(), ServerStages: l.ServerStages,
				FollowRedirects: tt.follow,
			}
			held := 0
			gate := func(ctx context.Context, p trace.Pending) error {
				held++
				time.Sleep(hold)
				return nil
			}
			rec := trace.NewRecorder(tt.target, trace.ModeLab, "test", nil, gate)
			j := rec.Finish(engine.Run(context.Background(), cfg, rec))
			if j.Error != "" {
				t.Fatalf("journey failed: %s", j.Error)
			}
			if held == 0 {
				t.Fatal("no packet waited at the gate")
			}
			var doc bytes.Buffer
			if err := tracefile.Encode(&doc, j); err != nil {
				t.Fatal(err)
			}
			if _, err := tracefile.Decode(&doc); err != nil {
				t.Errorf("a journey recorded in step mode (%d packets held) does not decode: %v", held, err)
			}
		})
	}
}

// lostKeys lists the object keys (as paths) present in was and absent from
// now, walking both JSON values side by side.
func lostKeys(was, now any, path string) []string {
	var lost []string
	switch w := was.(type) {
	case map[string]any:
		n, _ := now.(map[string]any)
		for k, v := range w {
			nv, ok := n[k]
			if !ok {
				lost = append(lost, path+"."+k)
				continue
			}
			lost = append(lost, lostKeys(v, nv, path+"."+k)...)
		}
	case []any:
		n, _ := now.([]any)
		for i, v := range w {
			if i < len(n) {
				lost = append(lost, lostKeys(v, n[i], fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return lost
}

func TestLostKeys(t *testing.T) {
	var was, now any
	json.Unmarshal([]byte(`{"a":1,"b":{"c":[{"d":1},{"e":2}]}}`), &was)
	json.Unmarshal([]byte(`{"a":1,"b":{"c":[{"d":1},{"f":2}]},"x":0}`), &now)
	if got := lostKeys(was, now, ""); len(got) != 1 || got[0] != ".b.c[1].e" {
		t.Errorf("lostKeys = %v, want [.b.c[1].e]", got)
	}
}
