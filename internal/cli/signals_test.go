package cli_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"journey/internal/tracefile"
)

// binary is the journey program built once for the tests that run it as a
// user does: signals, pipes and terminals belong to a process.
var binary string

// binaryDir is the temporary directory journeyBinary or benchBinary made
// for the binary: the only directory TestMain removes.
var binaryDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir) // the directory the tests made, never one they were given
	}
	os.Exit(code)
}

// journeyBinary builds cmd/journey (once) and returns its path.
func journeyBinary(t *testing.T) string {
	t.Helper()
	if binary != "" {
		return binary
	}
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	dir, err := os.MkdirTemp("", "journey-bin-")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "journey")
	out, err := exec.Command("go", "build", "-o", path, "journey/cmd/journey").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("go build: %v\n%s", err, out)
	}
	binary, binaryDir = path, dir
	return binary
}

// started is a running journey process.
type started struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan error
}

func start(t *testing.T, cmd *exec.Cmd) *started {
	t.Helper()
	p := &started{cmd: cmd, done: make(chan error, 1)}
	cmd.Stderr = &p.stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// alive reports whether the process is still running after d.
func (p *started) alive(d time.Duration) bool {
	select {
	case err := <-p.done:
		p.done <- err
		return false
	case <-time.After(d):
		return true
	}
}

// wait waits up to d for the process to end and returns its state.
func (p *started) wait(t *testing.T, d time.Duration) *os.ProcessState {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return p.cmd.ProcessState
	case <-time.After(d):
		t.Fatalf("still running after %s; stderr %q", d, p.stderr.String())
		return nil
	}
}

// TestSignalsEndBlockedReads: Ctrl+C and SIGTERM end the program while it
// waits on a read that never returns.
func TestSignalsEndBlockedReads(t *testing.T) {
	bin := journeyBinary(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	tests := []struct {
		name   string
		args   []string
		stdin  bool // a pipe whose writer never writes nor closes
		signal syscall.Signal
	}{
		{"replay FIFO, Ctrl+C", []string{"replay", "--plain", fifo}, false, syscall.SIGINT},
		{"replay FIFO, SIGTERM", []string{"replay", "--plain", fifo}, false, syscall.SIGTERM},
		{"replay -, Ctrl+C", []string{"replay", "--plain", "-"}, true, syscall.SIGINT},
		{"replay -, SIGHUP", []string{"replay", "--plain", "-"}, true, syscall.SIGHUP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			if tt.stdin {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				defer r.Close()
				cmd.Stdin = r
			}
			p := start(t, cmd)
			if !p.alive(300 * time.Millisecond) {
				t.Fatalf("ended before the signal: %q", p.stderr.String())
			}
			p.cmd.Process.Signal(tt.signal)
			st := p.wait(t, 3*time.Second)
			if want := 128 + int(tt.signal); st.ExitCode() != want {
				t.Errorf("exit status %d, want %d (128+the signal, as a shell reports it)", st.ExitCode(), want)
			}
			if !strings.Contains(p.stderr.String(), "interrupted") {
				t.Errorf("stderr %q does not say it was interrupted", p.stderr.String())
			}
		})
	}
}

// TestSecondCtrlCKills: while the program is stuck writing (standard
// output is a pipe nobody reads), the first Ctrl+C cannot finish it; the
// second ends it at once.
func TestSecondCtrlCKills(t *testing.T) {
	bin := journeyBinary(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(bin, "--lab", "--lab-latency", "0", "--json", "www.example.com")
	cmd.Stdout = w
	p := start(t, cmd)
	w.Close()
	if !p.alive(time.Second) {
		t.Fatalf("ended without a reader of its 100 kB: %q", p.stderr.String())
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	if !p.alive(300 * time.Millisecond) {
		t.Fatal("the first Ctrl+C ended a write no signal can interrupt: the test shows nothing")
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	st := p.wait(t, 2*time.Second)
	ws := st.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("ended with %v, want killed by the second SIGINT", st)
	}
}

// TestHangupWritesTheRecording: the terminal closing (SIGHUP) mid-journey
// still leaves the recording of the journey so far.
func TestHangupWritesTheRecording(t *testing.T) {
	bin := journeyBinary(t)
	file := filepath.Join(t.TempDir(), "t.json")
	p := start(t, exec.Command(bin, "--lab", "--lab-latency", "200ms", "--plain", "--record", file, "www.example.com"))
	if !p.alive(500 * time.Millisecond) {
		t.Fatalf("ended before the signal: %q", p.stderr.String())
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	st := p.wait(t, 3*time.Second)
	if st.ExitCode() != 128+int(syscall.SIGHUP) {
		t.Errorf("exit status %d, want %d (128+SIGHUP, as a shell reports it)", st.ExitCode(), 128+int(syscall.SIGHUP))
	}
	j, err := tracefile.ReadFile(file, nil)
	if err != nil {
		t.Fatalf("no recording after SIGHUP: %v", err)
	}
	if !strings.Contains(j.Error, "SIGHUP") && !strings.Contains(j.Error, "interrupt") && !strings.Contains(j.Error, "cancel") {
		t.Errorf("the recording does not say the journey was cut short: %q", j.Error)
	}
}

// TestBrokenPipeWritesTheRecording: journey --plain --record t.json ... |
// head -1 still records the whole journey.
func TestBrokenPipeWritesTheRecording(t *testing.T) {
	bin := journeyBinary(t)
	file := filepath.Join(t.TempDir(), "t.json")
	cmd := exec.Command(bin, "--lab", "--plain", "--record", file, "www.example.com")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := start(t, cmd)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "journey ") {
		t.Fatalf("first line %q, %v", line, err)
	}
	out.Close() // head -1 exits
	st := p.wait(t, 10*time.Second)
	if st.ExitCode() != 0 {
		t.Errorf("exit status %d (%v), want 0: the journey completed; stderr %q", st.ExitCode(), st, p.stderr.String())
	}
	j, err := tracefile.ReadFile(file, nil)
	if err != nil {
		t.Fatalf("no recording after the pipe closed: %v", err)
	}
	if j.Error != "" {
		t.Errorf("the recorded journey failed: %s", j.Error)
	}
}

// TestBrokenPipeEndsCleanly: journey --plain ... | head -3 with nothing to
// record ends the journey at once, without a panic (a cancellation while
// the connect stage waited used to dereference a nil connection).
func TestBrokenPipeEndsCleanly(t *testing.T) {
	bin := journeyBinary(t)
	for range 3 {
		cmd := exec.Command(bin, "--lab", "--plain", "www.example.com")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		p := start(t, cmd)
		r := bufio.NewReader(out)
		for range 3 {
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
		out.Close()
		st := p.wait(t, 10*time.Second)
		if strings.Contains(p.stderr.String(), "panic") || st.ExitCode() == 2 {
			t.Fatalf("exit status %d, stderr:\n%s", st.ExitCode(), p.stderr.String())
		}
	}
}
