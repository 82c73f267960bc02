package tracefile_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"journey/internal/plain"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// hostile is a journey whose strings hold what a stranger can put in a
// header value or a DNS name: bytes that are not UTF-8, escape sequences,
// a bidi override, a carriage return.
func hostile() *trace.Journey {
	j := sample()
	dns := j.Stages[1]
	dns.Notes = []string{"a\xffb", "fine", "\xc3", "red \x1b[31mtext\x1b[0m", "line one\r\nline two\ttab"} // 0xc3 alone: a cut sequence
	dns.Exchanges[0].Label = "ns\xfe.example: \u202eanswer"
	dns.Exchanges[0].Sent.Fields[0].Value = "\x80\x81\x07"
	dns.Exchanges[0].Received.Bytes = []byte{0xff, 0x1b, 'x'}
	j.Stages[4].Gateway = &trace.Gateway{Environ: []trace.EnvVar{{Name: "HTTP_X_BIN", Value: "a\xffb\x1b]0;title\x07"}}}
	j.Target = "www.ex\xe9mple.com"
	return j
}

func TestEncodeKeepsStringsDisplayable(t *testing.T) {
	j := hostile()
	doc := encode(t, j)
	if !reflect.DeepEqual(j, hostile()) {
		t.Fatal("Encode changed the journey it was given")
	}
	if bytes.Contains(doc, []byte(`\ufffd`)) || bytes.Contains(doc, []byte("\uFFFD")) {
		t.Errorf("the document holds U+FFFD: an invalid byte was lost")
	}
	if bytes.Contains(doc, []byte(`\u001b`)) {
		t.Errorf("the document holds a raw escape character")
	}
	back, err := tracefile.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"not utf-8", back.Stages[1].Notes[0], `a\xffb`},
		{"plain note", back.Stages[1].Notes[1], "fine"},
		{"cut sequence", back.Stages[1].Notes[2], `\xc3`},
		{"escape sequence", back.Stages[1].Notes[3], `red \x1b[31mtext\x1b[0m`},
		{"layout kept", back.Stages[1].Notes[4], "line one\\r\nline two\ttab"},
		{"bidi", back.Stages[1].Exchanges[0].Label, `ns\xfe.example: \u202eanswer`},
		{"field value", back.Stages[1].Exchanges[0].Sent.Fields[0].Value, `\x80\x81\x07`},
		{"environ", back.Stages[4].Gateway.Environ[0].Value, `a\xffb\x1b]0;title\x07`},
		{"target", back.Target, `www.ex\xe9mple.com`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if got := back.Stages[1].Exchanges[0].Received.Bytes; !bytes.Equal(got, []byte{0xff, 0x1b, 'x'}) {
		t.Errorf("wire bytes %x changed", got)
	}
	if !back.Started.Equal(j.Started) {
		t.Errorf("start time %v, want %v", back.Started, j.Started)
	}
	if again := encode(t, back); !bytes.Equal(again, doc) {
		t.Error("a document read back does not encode to the same bytes")
	}
}

// TestReplayReportOfHostileStrings is the identity the issue asks for, at
// the level of the trace: the report of the journey as recorded and of the
// journey read back are the same bytes, whatever its strings hold.
func TestReplayReportOfHostileStrings(t *testing.T) {
	j := hostile()
	back, err := tracefile.Decode(bytes.NewReader(encode(t, j)))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for _, opt := range []plain.Options{{}, {Bytes: true}} {
		var run, replay strings.Builder
		plain.Render(&run, j, opt)
		plain.Render(&replay, back, opt)
		if run.String() != replay.String() {
			t.Errorf("options %+v: the replay's report differs:\n%s\nwant\n%s", opt, replay.String(), run.String())
		}
	}
}

// poison appends an escape sequence and a bell to every string under v
// but the enumerations, which Decode checks.
func poison(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		switch v.Type() {
		case reflect.TypeFor[trace.Mode](), reflect.TypeFor[trace.Status](), reflect.TypeFor[trace.StageKind](), reflect.TypeFor[trace.Transport]():
			return
		}
		v.SetString(v.String() + "\x1b[2J\x07")
	case reflect.Pointer:
		if !v.IsNil() {
			poison(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				poison(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := range v.Len() {
				poison(v.Index(i))
			}
		}
	}
}

// TestHostileFileReachesNoTerminal writes each recorded journey with an
// escape sequence in every string, as a hostile file would (raw, not
// through Encode), and checks that its plain report holds no control
// character but newlines, whatever string a renderer prints.
func TestHostileFileReachesNoTerminal(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(journeysDir, "*.json"))
	if len(files) == 0 {
		t.Skip("no recorded journeys")
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			doc, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			j, err := tracefile.Decode(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			poison(reflect.ValueOf(j))
			j.Format = trace.Format
			evil, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(evil, []byte(`\u001b[2J\u0007`)) {
				t.Fatal("the hostile document holds no escape sequence")
			}
			back, err := tracefile.Decode(bytes.NewReader(evil))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			var report strings.Builder
			plain.Render(&report, back, plain.Options{Bytes: true})
			for i, line := range strings.Split(report.String(), "\n") {
				if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
					t.Errorf("report line %d holds a control character: %q", i+1, line)
				}
			}
		})
	}
}
