package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"journey/internal/cli"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// run runs the program in-process with args and returns its exit status,
// standard output and standard error.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := cli.Run(context.Background(), args, cli.IO{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(string) string { return "" },
	})
	return status, stdout.String(), stderr.String()
}

// labArgs start the lab without latency, as the recorded journeys do.
var labArgs = []string{"--lab", "--lab-latency", "0"}

// TestReplayPlainIsTheRunsReport is the promise: the plain report
// of a replay is byte for byte the report the recording run printed while
// it streamed.
func TestReplayPlainIsTheRunsReport(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"http", []string{"www.example.com"}},
		{"https", []string{"https://www.example.com/"}},
		{"redirect", []string{"-L", "www.example.com/old-blog/"}},
		{"https redirect", []string{"-L", "https://www.example.com/latest/"}},
		{"server error", []string{"www.example.com/boom/"}},
		{"header not utf-8", []string{"-H", "X-Bin: a\xffb", "www.example.com/echo/"}},
		{"not found", []string{"www.example.com/nope/"}},
		{"no dns", []string{"http://203.0.113.10/"}},
		{"bytes", []string{"--bytes", "www.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "r.json")
			args := append(append(append([]string{}, labArgs...), "--plain", "--record", file), tt.args...)
			status, a, stderr := run(t, args...)
			if status == cli.ExitUsage {
				t.Fatalf("journey %v: exit status 2: %s", args, stderr)
			}
			replayArgs := []string{"replay", "--plain", file}
			if tt.args[0] == "--bytes" {
				replayArgs = []string{"replay", "--plain", "--bytes", file}
			}
			rstatus, b, rstderr := run(t, replayArgs...)
			if rstatus != status {
				t.Errorf("replay exit status %d, the run's was %d (stderr %q)", rstatus, status, rstderr)
			}
			if a == "" {
				t.Fatal("the run printed no report")
			}
			// The header says which: a run, or a replay of a file
			// recorded when; everything after it is the same.
			aHead, aBody, _ := strings.Cut(a, "\n\n")
			bHead, bBody, _ := strings.Cut(b, "\n\n")
			if aBody != bBody {
				t.Errorf("the replay's report differs from the run's:\n%s", firstDifference(aBody, bBody))
			}
			if firstLine(aHead) != firstLine(bHead) {
				t.Errorf("the replay's first line %q, the run's %q", firstLine(bHead), firstLine(aHead))
			}
			flat := strings.Join(strings.Fields(bHead), " ")
			if !strings.Contains(flat, "replay of "+file+", recorded ") || !strings.Contains(flat, "nothing is sent now") {
				t.Errorf("the replay's header does not name the file and say it is a replay:\n%s", bHead)
			}
			if strings.Contains(bHead, "every server below is a real socket") {
				t.Errorf("the replay's header speaks as if live:\n%s", bHead)
			}
		})
	}
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n run:    " + x + "\n replay: " + y
		}
	}
	return "(no line differs)"
}

// TestJSONIsTheTrace checks that --json prints one JSON document that
// decodes back into the trace, equal to the one --record wrote, and that
// replay --json emits that same document again.
func TestJSONIsTheTrace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "r.json")
	args := append(append([]string{}, labArgs...), "--json", "--record", file, "www.example.com")
	status, out, stderr := run(t, args...)
	if status == cli.ExitUsage {
		t.Fatalf("journey %v: exit status 2: %s", args, stderr)
	}
	var generic map[string]any
	if err := json.Unmarshal([]byte(out), &generic); err != nil {
		t.Fatalf("--json printed something that is not one JSON document: %v", err)
	}
	if generic["format"] != trace.Format {
		t.Errorf("format %v, want %q", generic["format"], trace.Format)
	}
	if jq, err := exec.LookPath("jq"); err == nil { // the check, where jq is installed
		cmd := exec.Command(jq, "-e", ".")
		cmd.Stdin = strings.NewReader(out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("jq -e . rejects the --json output: %v: %.200s", err, msg)
		}
	}
	printed, err := tracefile.Decode(strings.NewReader(out))
	if err != nil {
		t.Fatalf("--json output does not decode: %v", err)
	}
	recorded, err := tracefile.ReadFile(file, nil)
	if err != nil {
		t.Fatalf("--record file does not decode: %v", err)
	}
	if !reflect.DeepEqual(printed, recorded) {
		t.Errorf("--json and --record hold different traces")
	}
	if printed.Target != "www.example.com" || printed.Mode != trace.ModeLab || len(printed.Stages) != len(trace.StageOrder) {
		t.Errorf("decoded trace: target %q, mode %q, %d stages; want www.example.com, lab, %d",
			printed.Target, printed.Mode, len(printed.Stages), len(trace.StageOrder))
	}
	if printed.Started.IsZero() {
		t.Error("the trace has no start time")
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(doc) {
		t.Error("--json output and the --record file differ")
	}
	rstatus, again, _ := run(t, "replay", "--json", file)
	if rstatus != status {
		t.Errorf("replay --json exit status %d, the run's was %d", rstatus, status)
	}
	if again != string(doc) {
		t.Error("replay --json does not re-emit the recorded document")
	}
}

// journeyDoc encodes a small finished journey, failed or not.
func journeyDoc(t *testing.T, failed bool) []byte {
	t.Helper()
	j := &trace.Journey{
		Format: trace.Format, Version: "0.1.0", Target: "www.example.com", Mode: trace.ModeLab,
		Started: time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC), Duration: time.Millisecond,
	}
	for _, k := range trace.StageOrder {
		j.Stages = append(j.Stages, &trace.Stage{Kind: k, Status: trace.StatusDone})
	}
	if failed {
		j.Stages[1].Status = trace.StatusFailed
		j.Stages[1].Error = "no answer"
		j.Error = "a stage failed: DNS: no answer"
	}
	var b bytes.Buffer
	if err := tracefile.Encode(&b, j); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReplayExitStatus(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		failed bool
		want   int
	}{
		{"completed", false, cli.ExitOK},
		{"failed", true, cli.ExitFailed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".json")
			if err := os.WriteFile(file, journeyDoc(t, tt.failed), 0o644); err != nil {
				t.Fatal(err)
			}
			status, out, stderr := run(t, "replay", "--plain", file)
			if status != tt.want {
				t.Errorf("exit status %d, want %d (stderr %q)", status, tt.want, stderr)
			}
			if !strings.HasPrefix(out, "journey 0.1.0 · lab · www.example.com\n") {
				t.Errorf("report starts %q", firstLine(out))
			}
			if tt.failed && !strings.Contains(out, "journey stopped: a stage failed: DNS: no answer") {
				t.Errorf("report does not say why the journey failed:\n%s", out)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestReplayBadFiles: every bad file or bad use is one clear line on
// standard error and exit status 2, before anything is shown.
func TestReplayBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := journeyDoc(t, false)
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	replace := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("the sample document has no %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, []byte(`{"format":"journey/1","x":"`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, tracefile.MaxFileSize+1); err != nil { // a sparse file: no disk used
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want string // in the one line
	}{
		{"no file given", []string{}, "no FILE given"},
		{"two files", []string{"a.json", "b.json"}, "more than one FILE"},
		{"plain and json", []string{"--plain", "--json", "x.json"}, "exclude each other"},
		{"unknown flag", []string{"--frobnicate", "x.json"}, "unknown flag"},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, "no such file"},
		{"a directory", []string{dir}, "a directory, not a recorded journey"},
		{"empty", []string{write("empty.json", nil)}, "empty"},
		{"not json", []string{write("notjson.json", []byte("GET / HTTP/1.1\r\n\r\n"))}, "not a JSON document"},
		{"truncated", []string{write("truncated.json", good[:len(good)/2])}, "truncated"},
		{"another format", []string{write("har.json", replace(`"journey/1"`, `"har/1.2"`))}, `"har/1.2"`},
		{"another version", []string{write("v2.json", replace(`"journey/1"`, `"journey/2"`))}, `"journey/2"`},
		{"negative duration", []string{write("negative.json", replace(`"duration_ns": 1000000`, `"duration_ns": -1000000`))}, "negative time"},
		{"unknown stage", []string{write("stage.json", replace(`"kind": "router"`, `"kind": "quic"`))}, `unknown stage kind "quic"`},
		{"field outside its bytes", []string{write("field.json", replace(`"kind": "dns",`,
			`"kind": "dns", "exchanges": [{"sent": {"bytes": "AAEC", "fields": [{"name": "id", "offset": 2, "length": 2}]}}],`))},
			"offset 2 + length 2 is past the message's 3 bytes"},
		{"too large", []string{huge}, "more than 64 MiB"},
		{"escape in the name", []string{filepath.Join(dir, "\x1b[2Jx.json")}, `\x1b[2Jx.json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, stderr := run(t, append([]string{"replay"}, tt.args...)...)
			if status != cli.ExitUsage {
				t.Errorf("exit status %d, want %d", status, cli.ExitUsage)
			}
			if out != "" {
				t.Errorf("something was shown before the file was checked: %q", out)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, "journey: replay: ") {
				t.Errorf("stderr is not one line starting \"journey: replay: \": %q", stderr)
			}
			if strings.ContainsRune(stderr, 0x1b) {
				t.Errorf("stderr holds a raw escape: %q", stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", stderr, tt.want)
			}
		})
	}
}

func TestReplayStdin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	doc := journeyDoc(t, false)
	status := cli.Run(context.Background(), []string{"replay", "--json", "-"}, cli.IO{
		Stdin: bytes.NewReader(doc), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
	})
	if status != cli.ExitOK {
		t.Fatalf("exit status %d: %s", status, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), doc) {
		t.Errorf("replay --json - does not re-emit standard input:\n%s", stdout.String())
	}
}

func TestReplayHelp(t *testing.T) {
	status, out, stderr := run(t, "replay", "--help")
	if status != cli.ExitOK || stderr != "" {
		t.Fatalf("exit status %d, stderr %q", status, stderr)
	}
	for _, want := range []string{"journey replay [--plain|--json] FILE", "--plain", "--json", "--no-color", "--bytes"} {
		if !strings.Contains(out, want) {
			t.Errorf("help does not mention %q:\n%s", want, out)
		}
	}
}
