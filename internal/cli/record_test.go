package cli_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"journey/internal/cli"
	"journey/internal/tracefile"
)

// recordArgs run a short lab journey with a plain report and --record path.
func recordArgs(path string, extra ...string) []string {
	return append(append(append([]string{}, labArgs...), "--plain", "--record", path), append(extra, "www.example.com")...)
}

// readsAsJourney checks that data is a recording replay accepts.
func readsAsJourney(t *testing.T, what string, data []byte) {
	t.Helper()
	if _, err := tracefile.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("%s does not read back as a journey: %v (%d bytes)", what, err, len(data))
	}
}

// TestRecordRefusesBeforeRunning: a path --record may not write is one
// line and exit status 2, before any journey runs (nothing on standard
// output, nothing created).
func TestRecordRefusesBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty name", recordArgs(""), "--record '': give a file name"},
		{"directory", recordArgs(dir), "is a directory"},
		{"socket", recordArgs(sock), "is a socket"},
		{"missing directory", recordArgs(filepath.Join(dir, "no", "t.json")), "cannot write in"},
		{"- with the plain report", recordArgs("-"), "use --json"},
	}
	if _, err := os.Stat("/dev/loop0"); err == nil {
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"block device", recordArgs("/dev/loop0"), "is a block device"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, stderr := run(t, tt.args...)
			if status != cli.ExitUsage {
				t.Errorf("exit status %d, want %d (stderr %q)", status, cli.ExitUsage, stderr)
			}
			if out != "" {
				t.Errorf("the journey ran: %q", firstLine(out))
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want one line saying %q", stderr, tt.want)
			}
		})
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("the directory holds %d entries, want only the socket", len(es))
	}
}

func TestRecordWrites(t *testing.T) {
	t.Run("regular file, replaced, mode kept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "t.json")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if status, _, stderr := run(t, recordArgs(path)...); status != cli.ExitOK {
			t.Fatalf("exit status %d: %s", status, stderr)
		}
		data, _ := os.ReadFile(path)
		readsAsJourney(t, "the file", data)
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
		}
	})
	t.Run("symlink to a regular file", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "real.json")
		os.WriteFile(real, []byte("old"), 0o644)
		link := filepath.Join(dir, "t.json")
		if err := os.Symlink("real.json", link); err != nil {
			t.Fatal(err)
		}
		if status, _, stderr := run(t, recordArgs(link)...); status != cli.ExitOK {
			t.Fatalf("exit status %d: %s", status, stderr)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the symlink was replaced")
		}
		data, _ := os.ReadFile(real)
		readsAsJourney(t, "the link's target", data)
	})
	t.Run("symlink to a missing file", func(t *testing.T) {
		dir := t.TempDir()
		link := filepath.Join(dir, "t.json")
		if err := os.Symlink("made.json", link); err != nil {
			t.Fatal(err)
		}
		if status, _, stderr := run(t, recordArgs(link)...); status != cli.ExitOK {
			t.Fatalf("exit status %d: %s", status, stderr)
		}
		data, _ := os.ReadFile(filepath.Join(dir, "made.json"))
		readsAsJourney(t, "the link's new target", data)
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the symlink was replaced")
		}
	})
	t.Run("FIFO with a reader", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("no FIFO here: %v", err)
		}
		var got []byte
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.Open(fifo)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			got, _ = io.ReadAll(f)
		}()
		if status, _, stderr := run(t, recordArgs(fifo)...); status != cli.ExitOK {
			t.Fatalf("exit status %d: %s", status, stderr)
		}
		wg.Wait()
		readsAsJourney(t, "what the reader got", got)
		if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO became %v", fi.Mode())
		}
	})
	t.Run("device node", func(t *testing.T) {
		null := filepath.Join(t.TempDir(), "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skipf("cannot make a device node here (needs root): %v", err)
		}
		if status, _, stderr := run(t, recordArgs(null)...); status != cli.ExitOK {
			t.Fatalf("exit status %d: %s", status, stderr)
		}
		if fi, _ := os.Lstat(null); fi.Mode()&os.ModeCharDevice == 0 {
			t.Errorf("the device became %v", fi.Mode())
		}
	})
	t.Run("- with --json: the document once", func(t *testing.T) {
		args := append(append([]string{}, labArgs...), "--json", "--record", "-", "www.example.com")
		status, out, stderr := run(t, args...)
		if status != cli.ExitOK {
			t.Fatalf("exit status %d: %s", status, stderr)
		}
		readsAsJourney(t, "standard output", []byte(out))
		if n := strings.Count(out, `"format": "journey/1"`); n != 1 {
			t.Errorf("standard output holds %d documents, want 1", n)
		}
	})
}

// TestFailedJourneyKeepsARecording: a prepared recording is not replaced
// by a journey that failed; a new file still records the failure (an
// NXDOMAIN is a lesson too).
func TestFailedJourneyKeepsARecording(t *testing.T) {
	dir := t.TempDir()
	prepared := filepath.Join(dir, "prepared.json")
	if status, _, stderr := run(t, recordArgs(prepared)...); status != cli.ExitOK {
		t.Fatalf("recording: exit status %d: %s", status, stderr)
	}
	before, _ := os.ReadFile(prepared)
	fail := func(path string) (int, string) {
		args := append(append([]string{}, labArgs...), "--plain", "--record", path, "nope.example.com")
		status, _, stderr := run(t, args...)
		return status, stderr
	}
	status, stderr := fail(prepared)
	if status != cli.ExitFailed {
		t.Errorf("exit status %d, want %d", status, cli.ExitFailed)
	}
	if !strings.Contains(stderr, "kept the recording already there") {
		t.Errorf("stderr does not say the recording was kept: %q", stderr)
	}
	if after, _ := os.ReadFile(prepared); !bytes.Equal(after, before) {
		t.Error("the failed journey replaced the prepared recording")
	}

	fresh := filepath.Join(dir, "nxdomain.json")
	if status, stderr = fail(fresh); status != cli.ExitFailed || stderr != "" {
		t.Errorf("exit status %d, stderr %q", status, stderr)
	}
	data, _ := os.ReadFile(fresh)
	readsAsJourney(t, "the failed journey's new recording", data)
}

// TestURLsFIFORefused: --urls is read three times (the check, the lab, the
// server stages), so a FIFO is refused at once instead of waiting forever
// for a writer.
func TestURLsFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "urls.py")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan struct{})
	var status int
	var stderr string
	go func() {
		defer close(done)
		status, _, stderr = run(t, append(append([]string{}, labArgs...), "--plain", "--urls", fifo, "www.example.com")...)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("--urls FIFO is still waiting for a writer")
	}
	if status != cli.ExitUsage || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("exit status %d, stderr %q; want 2 and a line saying it is not a regular file", status, stderr)
	}
}
