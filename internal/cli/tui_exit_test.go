//go:build linux

package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The terminal view's exit statuses, tested as a person meets them: the
// program built, run on a pseudo-terminal of 80x24 (so it shows the TUI,
// not the plain report), keys typed, its exit status read.

// buildJourney builds the program once for the tests that run it.
var buildJourney = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "journey-exit-test")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "journey")
	out, err := exec.Command("go", "build", "-o", bin, "journey/cmd/journey").CombinedOutput()
	if err != nil {
		return "", &exec.ExitError{Stderr: out}
	}
	return bin, nil
})

// screenOf is what the program wrote to its terminal so far.
type screenOf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screenOf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screenOf) has(want string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.buf.Bytes(), []byte(want))
}

func TestTUIExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program and runs it on a pseudo-terminal")
	}
	bin, err := buildJourney()
	if err != nil {
		t.Fatalf("building journey: %v", err)
	}
	recorded := func(name string) string { return filepath.Join("..", "..", "testdata", "journeys", name+".json") }
	tests := []struct {
		name string
		args []string
		wait string // on screen before the key
		key  string
		want int
	}{
		{"complete, q", []string{"--lab", "--lab-latency", "0", "www.example.com"}, "complete", "q", 0},
		{"failed, q", []string{"--lab", "--lab-latency", "0", "nope.example.com"}, "failed", "q", 1},
		{"complete, ctrl+c", []string{"--lab", "--lab-latency", "0", "www.example.com"}, "complete", "\x03", 130},
		{"step mode, ctrl+c while a packet waits", []string{"--lab", "--step", "www.example.com"}, "walks to it", "\x03", 130},
		{"replay, q", []string{"replay", recorded("http")}, "complete", "q", 0},
		{"replay of a failed journey, q", []string{"replay", recorded("nxdomain")}, "failed", "q", 1},
		{"replay --step, ctrl+c", []string{"replay", "--step", recorded("http")}, "complete", "\x03", 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master, slave := openPTY(t)
			defer master.Close()
			cmd := exec.Command(bin, tt.args...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
			cmd.Env = []string{"TERM=xterm-256color", "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			slave.Close()
			scr := &screenOf{}
			go func() { _, _ = copyAll(scr, master) }()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.After(15 * time.Second)
			for !scr.has(tt.wait) {
				select {
				case <-deadline:
					cmd.Process.Kill()
					t.Fatalf("%q never on screen; the screen:\n%q", tt.wait, tailOf(scr))
				case err := <-done:
					t.Fatalf("ended before %q was on screen (%v):\n%q", tt.wait, err, tailOf(scr))
				case <-time.After(20 * time.Millisecond):
				}
			}
			t.Logf("%q on screen %v after the start", tt.wait, time.Since(start))
			if _, err := master.Write([]byte(tt.key)); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 10 s after %q", tt.key)
			}
			if got := cmd.ProcessState.ExitCode(); got != tt.want {
				t.Errorf("exit status %d, want %d", got, tt.want)
			}
		})
	}
}

// copyAll keeps what the program writes, and answers the questions a
// terminal answers: the background colour (OSC 11) and the cursor's
// position (DSR), which lipgloss asks before its first frame and waits
// up to 5 s for.
func copyAll(w *screenOf, r *os.File) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		k, err := r.Read(buf)
		if bytes.Contains(buf[:k], []byte("\x1b]11;?")) {
			r.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
		}
		if bytes.Contains(buf[:k], []byte("\x1b[6n")) {
			r.Write([]byte("\x1b[1;1R"))
		}
		w.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
}

func tailOf(s *screenOf) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buf.Bytes()
	return string(b[max(0, len(b)-2000):])
}
