package tracefile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"journey/internal/tracefile"
)

func TestWriteFile(t *testing.T) {
	j := sample()
	want := encode(t, j)
	umask := currentUmask()
	tests := []struct {
		name     string
		old      []byte      // the file's content before, nil for none
		oldMode  os.FileMode // its mode
		wantMode os.FileMode
	}{
		{"new file gets 0666 less the umask", nil, 0, 0o666 &^ umask},
		{"replaces a longer file, keeping 0600", bytes.Repeat([]byte("x"), 3*len(want)), 0o600, 0o600},
		{"replaces a shorter file, keeping 0640", []byte("{}"), 0o640, 0o640},
		{"replaces a 0604 file, wider than the umask allows", []byte("{}"), 0o604, 0o604},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "trip.json")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.oldMode); err != nil {
					t.Fatal(err)
				}
			}
			if err := tracefile.WriteFile(path, j); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("file holds\n%s\nwant\n%s", got, want)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tt.wantMode {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tt.wantMode)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the directory holds %v, want only trip.json (a temporary file left behind?)", names)
			}
			back, err := tracefile.ReadFile(path, nil)
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if !reflect.DeepEqual(back, j) {
				t.Error("the file does not read back as the journey written")
			}
		})
	}
}

func TestWriteFileInTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := tracefile.WriteFile("trip.json", sample()); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	if _, err := tracefile.ReadFile(filepath.Join(dir, "trip.json"), nil); err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
}

func TestWriteFileFails(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "trip.json")},
		{"path is a directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tracefile.WriteFile(tt.path, sample())
			if err == nil {
				t.Fatal("WriteFile succeeded")
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "nope.json"), "no such file"},
		{"directory", dir, "a directory, not a recorded journey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tracefile.ReadFile(tt.path, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadFile(%s) = %v, want an error saying %q", tt.path, err, tt.want)
			}
		})
	}
	t.Run("stdin", func(t *testing.T) {
		j, err := tracefile.ReadFile("-", bytes.NewReader(encode(t, sample())))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(j, sample()) {
			t.Error("standard input did not read back as the journey")
		}
	})
}
