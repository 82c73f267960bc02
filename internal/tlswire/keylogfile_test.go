//go:build unix

package tlswire

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOpenKeyLogFile(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.log")
	os.WriteFile(existing, []byte("CLIENT_RANDOM aa bb\n"), 0o644)
	os.Symlink(existing, filepath.Join(dir, "link.log"))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path string
		refused    string // empty: opened
		before     string // the file's content before the write
		perm       os.FileMode
	}{
		{"new file, the user's alone", filepath.Join(dir, "new.log"), "", "", 0o600},
		{"existing file appended to", existing, "", "CLIENT_RANDOM aa bb\n", 0o644},
		{"symbolic link", filepath.Join(dir, "link.log"), "symbolic link", "", 0},
		{"FIFO", fifo, "a FIFO", "", 0},
		{"directory", dir, "a directory", "", 0},
		{"device", "/dev/null", "a device", "", 0},
		{"missing directory", filepath.Join(dir, "nope", "x.log"), "no such file", "", 0},
	} {
		if err := CheckKeyLogFile(tt.path); (err != nil) != (tt.refused != "") {
			t.Errorf("%s: CheckKeyLogFile says %v", tt.name, err)
		}
		t.Run(tt.name, func(t *testing.T) {
			f, err := OpenKeyLogFile(tt.path)
			if tt.refused != "" {
				if !errors.Is(err, ErrKeyLogFile) || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("err = %v, want a refusal saying %q", err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k := &KeyLog{Out: f}
			k.Write([]byte("CLIENT_RANDOM 0102 0304\n"))
			f.Close()
			got, _ := os.ReadFile(tt.path)
			if want := tt.before + "CLIENT_RANDOM 0102 0304\n"; string(got) != want {
				t.Errorf("file holds %q, want %q", got, want)
			}
			if fi, _ := os.Stat(tt.path); fi.Mode().Perm() != tt.perm {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tt.perm)
			}
			if s := k.Secret(LabelClientRandom); string(s) != "\x03\x04" {
				t.Errorf("secret %x", s)
			}
		})
	}
	// The symbolic link's target was left alone.
	if got, _ := os.ReadFile(existing); !strings.HasPrefix(string(got), "CLIENT_RANDOM aa bb\n") {
		t.Errorf("target holds %q", got)
	}
}

// TestKeyLogFile: --keylog's writer creates the file at the first secret,
// then appends.
func TestKeyLogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.log")
	w := &KeyLogFile{Path: path}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the file exists before any secret")
	}
	for _, l := range []string{"CLIENT_RANDOM 01 02\n", "CLIENT_RANDOM 03 04\n"} {
		if _, err := w.Write([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != "CLIENT_RANDOM 01 02\nCLIENT_RANDOM 03 04\n" {
		t.Errorf("file holds %q", got)
	}
}
