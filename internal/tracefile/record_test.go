package tracefile_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"journey/internal/trace"
	"journey/internal/tracefile"
)

// currentUmask reads the process's umask (setting it back at once).
func currentUmask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

// entries lists a directory's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestDestinationRefuses(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Symlink(dir, filepath.Join(dir, "to-dir")); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"empty name", "", "empty file name"},
		{"directory", dir, "is a directory"},
		{"symlink to a directory", filepath.Join(dir, "to-dir"), "is a directory"},
		{"socket", sock, "is a socket"},
		{"missing directory", filepath.Join(dir, "no", "trip.json"), "cannot write in"},
		{"symlink loop", loop, "symbolic links"},
	}
	if _, err := os.Stat("/dev/loop0"); err == nil {
		tests = append(tests, struct{ name, path, want string }{"block device", "/dev/loop0", "is a block device"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tracefile.OpenDestination(tt.path)
			if !errors.Is(err, tracefile.ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenDestination(%q) = %v, want a refusal saying %q", tt.path, err, tt.want)
			}
		})
	}
	if got := entries(t, dir); len(got) != 3 {
		t.Errorf("the directory holds %v after the refusals", got)
	}
}

func TestDestinationFollowsSymlinks(t *testing.T) {
	want := encode(t, sample())
	t.Run("to a regular file", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "real.json")
		if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "trip.json")
		if err := os.Symlink("real.json", link); err != nil {
			t.Fatal(err)
		}
		if err := tracefile.WriteFile(link, sample()); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(link)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
		}
		got, _ := os.ReadFile(real)
		if !bytes.Equal(got, want) {
			t.Errorf("the target holds %q", got)
		}
		if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o600 {
			t.Errorf("the target's mode became %v", fi.Mode().Perm())
		}
		if got := entries(t, dir); len(got) != 2 {
			t.Errorf("the directory holds %v", got)
		}
	})
	t.Run("to a missing file in another directory", func(t *testing.T) {
		dir, other := t.TempDir(), t.TempDir()
		link := filepath.Join(dir, "trip.json")
		if err := os.Symlink(filepath.Join(other, "made.json"), link); err != nil {
			t.Fatal(err)
		}
		if err := tracefile.WriteFile(link, sample()); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(other, "made.json"))
		if !bytes.Equal(got, want) {
			t.Errorf("the target holds %q", got)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced")
		}
	})
}

func TestDestinationFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	d, err := tracefile.OpenDestination(fifo)
	if err != nil {
		t.Fatal(err)
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
	if err := d.Write(context.Background(), sample()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if !bytes.Equal(got, encode(t, sample())) {
		t.Errorf("the reader got %q", got)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}

	t.Run("no reader: Ctrl+C gives up", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		err := d.Write(ctx, sample())
		if err == nil || !strings.Contains(err.Error(), "reader") {
			t.Errorf("Write without a reader = %v", err)
		}
	})
}

func TestDestinationDevice(t *testing.T) {
	dir := t.TempDir()
	null := filepath.Join(dir, "null")
	// The null device's numbers on Linux: major 1, minor 3.
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("cannot make a device node here (needs root): %v", err)
	}
	if err := tracefile.WriteFile(null, sample()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(null)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device became %v (%v)", fi.Mode(), err)
	}
	full := filepath.Join(dir, "full")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
		t.Fatal(err)
	}
	if err := tracefile.WriteFile(full, sample()); err == nil || !strings.Contains(err.Error(), "no space") {
		t.Errorf("writing /dev/full = %v, want no space left", err)
	}
	if fi, err := os.Lstat(full); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the full device became %v (%v)", fi.Mode(), err)
	}
}

// bigJourney is a journey whose document takes long enough to write that a
// kill lands in the middle.
func bigJourney() *trace.Journey {
	j := sample()
	for i := range j.Stages {
		j.Stages[i].Notes = append(j.Stages[i].Notes, strings.Repeat("a note long enough ", 200000))
	}
	return j
}

// TestKilledMidWriteLeavesNothing kills a process that is writing
// recordings over and over: the directory must hold the old recording or a
// whole new one, and no temporary file.
func TestKilledMidWriteLeavesNothing(t *testing.T) {
	if path := os.Getenv("JOURNEY_TEST_WRITE_FOREVER"); path != "" {
		j := bigJourney()
		for {
			tracefile.WriteFile(path, j)
			os.Remove(path)
		}
	}
	if testing.Short() {
		t.Skip("runs a process for a second")
	}
	for _, tt := range []struct {
		name string
		wait time.Duration
	}{{"early", 150 * time.Millisecond}, {"later", 400 * time.Millisecond}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidWriteLeavesNothing$")
			cmd.Env = append(os.Environ(), "JOURNEY_TEST_WRITE_FOREVER="+filepath.Join(dir, "trip.json"))
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tt.wait)
			cmd.Process.Kill()
			cmd.Wait()
			for _, name := range entries(t, dir) {
				if name != "trip.json" {
					t.Errorf("left behind: %s", name)
				}
			}
		})
	}
}
