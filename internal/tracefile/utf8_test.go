package tracefile_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"journey/internal/plain"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// notUTF8 is a journey whose strings hold bytes that are not UTF-8, as a
// header value or a DNS name from a stranger can.
func notUTF8() *trace.Journey {
	j := sample()
	dns := j.Stages[1]
	dns.Notes = []string{"a\xffb", "fine", "\xc3"} // 0xc3 alone: a cut two-byte sequence
	dns.Exchanges[0].Label = "ns\xfe.example: answer"
	dns.Exchanges[0].Sent.Fields[0].Value = "\x80\x81"
	dns.Exchanges[0].Received.Bytes = []byte{0xff, 0xfe, 'x'}
	j.Stages[4].Gateway = &trace.Gateway{Environ: []trace.EnvVar{{Name: "HTTP_X_BIN", Value: "a\xffb"}}}
	j.Target = "www.ex\xe9mple.com"
	return j
}

func TestEncodeKeepsNonUTF8Visible(t *testing.T) {
	j := notUTF8()
	doc := encode(t, j)
	if !reflect.DeepEqual(j, notUTF8()) {
		t.Fatal("Encode changed the journey it was given")
	}
	if bytes.Contains(doc, []byte(`\ufffd`)) || bytes.Contains(doc, []byte("\uFFFD")) {
		t.Errorf("the document holds U+FFFD: an invalid byte was lost")
	}
	back, err := tracefile.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"note", back.Stages[1].Notes[0], `a\xffb`},
		{"valid note", back.Stages[1].Notes[1], "fine"},
		{"cut sequence", back.Stages[1].Notes[2], `\xc3`},
		{"label", back.Stages[1].Exchanges[0].Label, `ns\xfe.example: answer`},
		{"field value", back.Stages[1].Exchanges[0].Sent.Fields[0].Value, `\x80\x81`},
		{"environ", back.Stages[4].Gateway.Environ[0].Value, `a\xffb`},
		{"target", back.Target, `www.ex\xe9mple.com`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if got := back.Stages[1].Exchanges[0].Received.Bytes; !bytes.Equal(got, []byte{0xff, 0xfe, 'x'}) {
		t.Errorf("wire bytes %x changed", got)
	}
	if !back.Started.Equal(j.Started) {
		t.Errorf("start time %v, want %v", back.Started, j.Started)
	}
}

// TestReplayReportOfNonUTF8 is the identity the issue asks for, at the
// level of the trace: the report of the journey as recorded and of the
// journey read back are the same bytes, even for strings that are not UTF-8.
func TestReplayReportOfNonUTF8(t *testing.T) {
	j := notUTF8()
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
