package facts_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"journey/internal/facts"
	"journey/internal/tracefile"
)

// FuzzRead reads the facts of any journey a replay file may hold: the
// reading must never panic, whatever the file says.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	own, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range append(files, own...) {
		if b, err := os.ReadFile(name); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"format":"journey/1","stages":[{"kind":"dns","status":"skipped"},{"kind":"connect","status":"done","connect":{"tls":{}}},{"kind":"http","status":"done","http":{"hops":[{}]}}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		j, err := tracefile.Decode(bytes.NewReader(doc))
		if err != nil {
			return
		}
		got := facts.Read(j)
		for _, s := range j.Stages {
			facts.Notes(s)
			facts.SkipReason(s)
			for _, e := range s.Exchanges {
				facts.Peer(e.Peer)
			}
			if s.HTTP != nil {
				for i := range s.HTTP.Hops {
					facts.DecodedSize(&s.HTTP.Hops[i])
				}
			}
		}
		if got.DNS.Aliased() && got.DNS.Final != got.DNS.Chain[len(got.DNS.Chain)-1] {
			t.Fatalf("final name %q is not the chain's last %v", got.DNS.Final, got.DNS.Chain)
		}
	})
}
