package plain

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// rawControls are what must never reach a terminal from a report: ESC,
// BEL, the C1 CSI/ST/OSC and the right-to-left override.
var rawControls = []string{"\x1b", "\x07", "\u009b", "\u009c", "\u009d", "\u202e"}

// checkGolden fails if got holds a raw control, or differs from the golden
// file testdata/<test name>.golden (written instead with -update).
func checkGolden(t *testing.T, got []byte) {
	t.Helper()
	for _, raw := range rawControls {
		if bytes.Contains(got, []byte(raw)) {
			t.Errorf("the report holds a raw %q:\n%s", raw, got)
		}
	}
	golden := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		os.MkdirAll(filepath.Dir(golden), 0o755)
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report differs from %s:\n%s", golden, got)
	}
}
