//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestKeyLog checks --keylog: the secrets in the SSLKEYLOGFILE format,
// appended run after run, and a path that is not a regular file refused
// as bad usage.
func TestKeyLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.log")
	args := []string{"--lab", "--lab-latency", "0", "--plain", "--keylog", path, "https://www.example.com/"}
	for i := 1; i <= 2; i++ {
		if code, out, errOut := run(t, args...); code != ExitOK {
			t.Fatalf("exit %d; stderr %q\n%s", code, errOut, out)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "SERVER_HANDSHAKE_TRAFFIC_SECRET "); n != i {
			t.Errorf("after run %d the key log holds %d sessions:\n%s", i, n, b)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key log mode %v: the secrets should be the user's alone", fi.Mode().Perm())
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "--lab", "--keylog", fifo, "https://www.example.com/")
	if code != ExitUsage || !strings.Contains(errOut, "--keylog") || !strings.Contains(errOut, "FIFO") {
		t.Errorf("a FIFO as key log: exit %d, stderr %q", code, errOut)
	}
}
