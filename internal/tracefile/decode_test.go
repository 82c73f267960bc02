package tracefile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"journey/internal/plain"
	"journey/internal/trace"
	"journey/internal/tracefile"
)

// sample is a small journey using every part of the model: all stages, an
// exchange with bytes and a nested field tree, a dropped count, notes.
func sample() *trace.Journey {
	query := []byte{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00}
	return &trace.Journey{
		Format:   trace.Format,
		Version:  "0.1.0",
		Target:   "www.example.com",
		Mode:     trace.ModeLab,
		Started:  time.Date(2026, 11, 23, 19, 0, 0, 123456789, time.UTC),
		Duration: 42 * time.Millisecond,
		Stages: []*trace.Stage{
			{Kind: trace.StageAddress, Status: trace.StatusDone, Duration: time.Microsecond,
				Address: &trace.Address{Input: "www.example.com", URL: "http://www.example.com/", Scheme: "http", Host: "www.example.com", ASCIIHost: "www.example.com", Port: 80, Path: "/"}},
			{Kind: trace.StageDNS, Status: trace.StatusDone, Start: time.Millisecond, Duration: 3 * time.Millisecond,
				DNS: &trace.DNS{Name: "www.example.com.", Types: []string{"A"}, Method: trace.MethodIterative, Addresses: []string{"203.0.113.10"}, Queries: 1},
				Exchanges: []*trace.Exchange{{
					Kind: "dns", Label: "a.root-servers.net: referral to com.",
					Peer:      trace.Peer{Name: "a.root-servers.net", Addr: "192.0.2.1:53", Via: "127.0.0.1:40000"},
					Transport: trace.TransportUDP, Start: time.Millisecond, Duration: 2 * time.Millisecond,
					Sent: trace.Message{Bytes: query, Fields: []trace.Field{
						{Name: "header", Offset: 0, Length: 8, Children: []trace.Field{
							{Name: "id", Offset: 0, Length: 2, Value: "0x1234"},
						}},
					}},
					Received: trace.Message{Bytes: []byte("abc"), Dropped: 10},
					Notes:    []string{"a note"},
					DNS:      &trace.DNSExchange{Question: "www.example.com. A", ID: 0x1234, Kind: trace.DNSReferral},
				}}},
			{Kind: trace.StageConnect, Status: trace.StatusFailed, Start: 4 * time.Millisecond, Error: "refused"},
			{Kind: trace.StageHTTP, Status: trace.StatusDone, Start: 5 * time.Millisecond, Duration: time.Millisecond,
				Exchanges: []*trace.Exchange{{Kind: "http", Transport: trace.TransportTCP, Sent: trace.Message{Bytes: []byte("GET / HTTP/1.1\r\n\r\n")}}},
				HTTP: &trace.HTTP{Status: 200, Hops: []trace.HTTPHop{{Exchange: 0, URL: "http://www.example.com/", Method: "GET", ContentLength: -1,
					Timing: trace.Timing{Start: 5 * time.Millisecond, Total: time.Millisecond}}}}},
			{Kind: trace.StageGateway, Status: trace.StatusSkipped},
			{Kind: trace.StageRouter, Status: trace.StatusPending},
		},
		Error: "a stage failed",
	}
}

func encode(t testing.TB, j *trace.Journey) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tracefile.Encode(&b, j); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mutate encodes the sample, lets change edit it as generic JSON, and
// returns the edited document.
func mutate(t *testing.T, change func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(encode(t, sample()), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at follows a path of keys and indexes into generic JSON.
func at(v any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}

func TestDecodeRoundTrip(t *testing.T) {
	want := sample()
	doc := encode(t, want)
	got, err := tracefile.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded journey differs from the encoded one:\n got %+v\nwant %+v", got, want)
	}
	if again := encode(t, got); !bytes.Equal(again, doc) {
		t.Errorf("re-encoding changed the document:\n%s\nwas\n%s", again, doc)
	}
}

func TestDecodeIgnoresUnknownFields(t *testing.T) {
	doc := mutate(t, func(doc map[string]any) {
		doc["added_in_a_later_minor_version"] = map[string]any{"x": 1}
		at(doc, "stages", 1)["hops_ms"] = []any{1, 2}
		at(doc, "stages", 1, "exchanges", 0, "sent")["checksum"] = "abc"
	})
	got, err := tracefile.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(got, sample()) {
		t.Errorf("unknown fields changed the journey: %+v", got)
	}
}

func TestDecodeBad(t *testing.T) {
	valid := encode(t, sample())
	tests := []struct {
		name string
		doc  []byte
		want error  // errors.Is
		msg  string // in the message
	}{
		{"empty", nil, tracefile.ErrNotJSON, "empty"},
		{"blank", []byte("  \n"), tracefile.ErrNotJSON, "empty"},
		{"text", []byte("hello, journey\n"), tracefile.ErrNotJSON, "does not start with"},
		{"html", []byte("<html><body>{}</body></html>"), tracefile.ErrNotJSON, ""},
		{"wrong kind of value", []byte(`{"format":"journey/1","duration_ns":"soon"}`), tracefile.ErrInvalid, "duration_ns holds a string where a whole number belongs"},
		{"object expected", []byte(`{"format":"journey/1","stages":[{"kind":"address","dns":"x"}]}`), tracefile.ErrInvalid, "holds a string where an object belongs"},
		{"json array", []byte(`[1, 2]`), tracefile.ErrFormat, "not a JSON object"},
		{"json string", []byte(`"journey/1"`), tracefile.ErrFormat, "not a JSON object"},
		{"syntax error", []byte(`{"format": "journey/1", "mode": lab}`), tracefile.ErrNotJSON, "at byte"},
		{"closes nothing", []byte(`{}]]` + strings.Repeat("[", 2*tracefile.MaxNesting)), tracefile.ErrNotJSON, "closes nothing"},
		{"trailing garbage", append(append([]byte{}, valid...), "xyz"...), tracefile.ErrNotJSON, ""},
		{"two documents", append(append([]byte{}, valid...), valid...), tracefile.ErrNotJSON, ""},
		{"truncated half", valid[:len(valid)/2], tracefile.ErrTruncated, "ends after"},
		{"truncated last brace", bytes.TrimRight(valid, "}\n"), tracefile.ErrTruncated, ""},
		{"truncated in string", []byte(`{"format": "jour`), tracefile.ErrTruncated, "unfinished string"},
		{"no format", mutate(t, func(d map[string]any) { delete(d, "format") }), tracefile.ErrFormat, `no "format"`},
		{"another format", mutate(t, func(d map[string]any) { d["format"] = "har/1.2" }), tracefile.ErrFormat, `"har/1.2"`},
		{"another version", mutate(t, func(d map[string]any) { d["format"] = "journey/2" }), tracefile.ErrFormat, `"journey/2"`},
		{"format not a string", mutate(t, func(d map[string]any) { d["format"] = 1 }), tracefile.ErrInvalid, "format"},
		{"unknown mode", mutate(t, func(d map[string]any) { d["mode"] = "\x1b[31mred" }), tracefile.ErrInvalid, `"\x1b[31mred"`},
		{"negative journey duration", mutate(t, func(d map[string]any) { d["duration_ns"] = -1 }), tracefile.ErrInvalid, "negative"},
		{"absurd journey duration", mutate(t, func(d map[string]any) { d["duration_ns"] = int64(1) << 62 }), tracefile.ErrInvalid, "more than"},
		{"duration not a number", mutate(t, func(d map[string]any) { d["duration_ns"] = "soon" }), tracefile.ErrInvalid, "duration_ns"},
		{"bad start time", mutate(t, func(d map[string]any) { d["started"] = "yesterday" }), tracefile.ErrInvalid, "yesterday"},
		{"stages not a list", mutate(t, func(d map[string]any) { d["stages"] = "all" }), tracefile.ErrInvalid, "stages"},
		{"null stage", mutate(t, func(d map[string]any) { d["stages"].([]any)[2] = nil }), tracefile.ErrInvalid, "stages[2]: null"},
		{"unknown stage kind", mutate(t, func(d map[string]any) { at(d, "stages", 3)["kind"] = "quic" }), tracefile.ErrInvalid, `unknown stage kind "quic"`},
		{"missing stage kind", mutate(t, func(d map[string]any) { delete(at(d, "stages", 3), "kind") }), tracefile.ErrInvalid, `unknown stage kind ""`},
		{"stage twice", mutate(t, func(d map[string]any) { at(d, "stages", 3)["kind"] = "dns" }), tracefile.ErrInvalid, `stages[3]: a "dns" stage where the "http" stage belongs`},
		{"stages out of order", mutate(t, func(d map[string]any) {
			st := d["stages"].([]any)
			st[0], st[1] = st[1], st[0]
		}), tracefile.ErrInvalid, `stages[0]: a "dns" stage where the "address" stage belongs`},
		{"a stage missing", mutate(t, func(d map[string]any) { d["stages"] = d["stages"].([]any)[:5] }), tracefile.ErrInvalid, "5 stages, where every journey has 6"},
		{"no stages", mutate(t, func(d map[string]any) { delete(d, "stages") }), tracefile.ErrInvalid, "0 stages"},
		{"too many stages", mutate(t, func(d map[string]any) {
			d["stages"] = make([]any, tracefile.MaxStages+1)
		}), tracefile.ErrTooLarge, "stages"},
		{"unknown status", mutate(t, func(d map[string]any) { at(d, "stages", 0)["status"] = "maybe" }), tracefile.ErrInvalid, `unknown status "maybe"`},
		{"negative stage start", mutate(t, func(d map[string]any) { at(d, "stages", 1)["start_ns"] = -5 }), tracefile.ErrInvalid, "stages[1].start_ns: negative"},
		{"negative stage duration", mutate(t, func(d map[string]any) { at(d, "stages", 1)["duration_ns"] = -5 }), tracefile.ErrInvalid, "stages[1].duration_ns: negative"},
		{"negative exchange duration", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0)["duration_ns"] = -1
		}), tracefile.ErrInvalid, "stages[1].exchanges[0].duration_ns"},
		{"null exchange", mutate(t, func(d map[string]any) {
			at(d, "stages", 1)["exchanges"] = []any{nil}
		}), tracefile.ErrInvalid, "stages[1].exchanges[0]: null"},
		{"unknown transport", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0)["transport"] = "carrier pigeon"
		}), tracefile.ErrInvalid, "unknown transport"},
		{"negative depth", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0)["depth"] = -1
		}), tracefile.ErrInvalid, "exchanges[0].depth: negative value -1"},
		{"negative port", mutate(t, func(d map[string]any) {
			at(d, "stages", 0, "address")["port"] = -80
		}), tracefile.ErrInvalid, "stages[0].address.port: negative"},
		{"negative query count", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "dns")["queries"] = -1
		}), tracefile.ErrInvalid, "stages[1].dns.queries: negative"},
		{"http hop exchange out of range", mutate(t, func(d map[string]any) {
			at(d, "stages", 3)["http"] = map[string]any{"hops": []any{map[string]any{"exchange": 3, "content_length": -1}}}
		}), tracefile.ErrInvalid, "stages[3].http.hops[0].exchange: exchange 3 is not one of the stage's 1 exchanges"},
		{"content length below -1", mutate(t, func(d map[string]any) {
			at(d, "stages", 1)["http"] = map[string]any{"hops": []any{map[string]any{"exchange": 0, "content_length": -2}}}
		}), tracefile.ErrInvalid, "content_length: -2 is less than -1"},
		{"absurd pattern depth", mutate(t, func(d map[string]any) {
			at(d, "stages", 5)["router"] = map[string]any{"tried": []any{map[string]any{"route": "a/", "depth": 1000}}}
		}), tracefile.ErrInvalid, "router.tried[0].depth: depth 1000 is more than"},
		{"absurd depth", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0)["depth"] = 1 << 30
		}), tracefile.ErrInvalid, "depth"},
		{"bad base64", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent")["bytes"] = "!!!not base64"
		}), tracefile.ErrInvalid, "base64"},
		{"negative dropped", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "received")["dropped"] = -3
		}), tracefile.ErrInvalid, "stages[1].exchanges[0].received: negative dropped"},
		{"absurd dropped", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "received")["dropped"] = int64(1) << 62
		}), tracefile.ErrInvalid, "dropped byte count"},
		{"field past the bytes", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent", "fields", 0)["length"] = 9
		}), tracefile.ErrInvalid, "sent.fields[0]: offset 0 + length 9 is past the message's 8 bytes"},
		{"field offset past the bytes", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent", "fields", 0)["offset"] = 1 << 40
		}), tracefile.ErrInvalid, "past the message"},
		{"field length overflowing", mutate(t, func(d map[string]any) {
			f := at(d, "stages", 1, "exchanges", 0, "sent", "fields", 0)
			f["offset"], f["length"] = 4, int64(1)<<62
		}), tracefile.ErrInvalid, "past the message"},
		{"negative field offset", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent", "fields", 0)["offset"] = -1
		}), tracefile.ErrInvalid, "negative offset"},
		{"child field past the bytes", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent", "fields", 0, "children", 0)["offset"] = 7
		}), tracefile.ErrInvalid, "fields[0].children[0]: offset 7 + length 2"},
		{"field past a short message", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "received")["fields"] = []any{map[string]any{"name": "x", "offset": 0, "length": 4}}
		}), tracefile.ErrInvalid, "past the message's 3 bytes"},
		{"decrypted of another length", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent")["decrypted"] = "AAAA"
		}), tracefile.ErrInvalid, "decrypted holds 3 bytes where the message has 8"},
		{"record field past its bytes", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent")["records"] = map[string]any{"bytes": "AAAA", "fields": []any{map[string]any{"name": "x", "offset": 2, "length": 2}}}
		}), tracefile.ErrInvalid, "sent.records.fields[0]: offset 2 + length 2 is past the message's 3 bytes"},
		{"records in records", mutate(t, func(d map[string]any) {
			at(d, "stages", 1, "exchanges", 0, "sent")["records"] = map[string]any{"records": map[string]any{}}
		}), tracefile.ErrInvalid, "records inside records"},
		{"field on no bytes", mutate(t, func(d map[string]any) {
			delete(at(d, "stages", 1, "exchanges", 0, "sent"), "bytes")
		}), tracefile.ErrInvalid, "past the message's 0 bytes"},
		{"fields nested too deep", mutate(t, func(d map[string]any) {
			leaf := map[string]any{"name": "x", "offset": 0, "length": 1}
			for range tracefile.MaxFieldDepth {
				leaf = map[string]any{"name": "x", "offset": 0, "length": 1, "children": []any{leaf}}
			}
			at(d, "stages", 1, "exchanges", 0, "sent")["fields"] = []any{leaf}
		}), tracefile.ErrInvalid, "nest more than"},
		{"too many exchanges", mutate(t, func(d map[string]any) {
			ex := make([]any, tracefile.MaxExchanges+1)
			for i := range ex {
				ex[i] = map[string]any{}
			}
			at(d, "stages", 1)["exchanges"] = ex
		}), tracefile.ErrTooLarge, "exchanges"},
		{"nested too deep", []byte(`{"format":"journey/1","x":` + strings.Repeat("[", tracefile.MaxNesting) + strings.Repeat("]", tracefile.MaxNesting) + `}`), tracefile.ErrTooLarge, "nest"},
		{"too many objects", []byte(`{"format":"journey/1","x":[` + strings.Repeat("{},", tracefile.MaxObjects) + `{}]}`), tracefile.ErrTooLarge, "objects"},
		{"too many objects for the size", []byte(`{"format":"journey/1","x":[` + strings.Repeat("{},", 4*tracefile.MaxObjects) + `{}]}`), tracefile.ErrTooLarge, "one per 64 bytes"},
		{"too many values", []byte(`{"format":"journey/1","x":[` + strings.Repeat(`"",`, tracefile.MaxValues) + `""]}`), tracefile.ErrTooLarge, "values"},
		{"huge base64 blob", hugeBlob(), tracefile.ErrTooLarge, "MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := tracefile.Decode(bytes.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("Decode accepted a bad document: %+v", j)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Errorf("error %q is not one safe line", err)
			}
		})
	}
}

// TestDecodeKeepsWhatItAnnotates: a message with more fields than
// MaxFields is accepted (journey records such responses: 61,000 headers
// are under curl's head limit); the fields past the limit are dropped and
// the stage says how many.
func TestDecodeKeepsWhatItAnnotates(t *testing.T) {
	const extra = 7
	doc := mutate(t, func(d map[string]any) {
		fields := make([]any, tracefile.MaxFields+extra)
		for i := range fields {
			fields[i] = map[string]any{"name": "x", "offset": 0, "length": 1}
		}
		at(d, "stages", 1, "exchanges", 0, "sent")["fields"] = fields
		at(d, "stages", 1, "exchanges", 0, "received")["fields"] = []any{map[string]any{"name": "y", "offset": 0, "length": 1}}
	})
	j, err := tracefile.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("Decode refused %d fields: %v", tracefile.MaxFields+extra, err)
	}
	dns := j.Stages[1]
	if n := len(dns.Exchanges[0].Sent.Fields); n != tracefile.MaxFields {
		t.Errorf("%d fields kept, want %d", n, tracefile.MaxFields)
	}
	if len(dns.Exchanges[0].Received.Fields) == 0 {
		t.Error("the next message lost its fields: the limit is per message")
	}
	note := strings.Join(dns.Notes, "\n")
	if !strings.Contains(note, fmt.Sprintf("%d more in this stage are not annotated", extra)) {
		t.Errorf("the stage does not say %d fields were dropped: %q", extra, note)
	}
}

// TestDecodeByteOrderMark: a recording saved by an editor that adds a
// UTF-8 byte-order mark still reads.
func TestDecodeByteOrderMark(t *testing.T) {
	doc := append([]byte("\xef\xbb\xbf"), encode(t, sample())...)
	if _, err := tracefile.Decode(bytes.NewReader(doc)); err != nil {
		t.Fatalf("Decode with a BOM: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "bom.json")
	os.WriteFile(path, doc, 0o644)
	if _, err := tracefile.ReadFile(path, nil); err != nil {
		t.Fatalf("ReadFile with a BOM: %v", err)
	}
}

// random is an endless reader of bytes that are not JSON, as /dev/urandom.
type random struct{}

func (random) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*131 + 7)
	}
	return len(p), nil
}

// TestDecodeRefusesEarly: what is not JSON is refused from its first bytes,
// not after MaxFileSize of them.
func TestDecodeRefusesEarly(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    io.Reader
		want error
	}{
		{"random bytes", random{}, tracefile.ErrNotJSON},
		{"random bytes that start like a number", io.MultiReader(strings.NewReader("5"), random{}), tracefile.ErrNotJSON},
		{"random bytes that start like an array", io.MultiReader(strings.NewReader("[\x00"), random{}), tracefile.ErrNotJSON},
		{"an endless JSON array", io.MultiReader(strings.NewReader("["), endlessString("1,")), tracefile.ErrFormat},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &countingReader{r: tt.r}
			_, err := tracefile.Decode(r)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, want %v", err, tt.want)
			}
			if r.n > 64<<10 {
				t.Errorf("read %d bytes before refusing", r.n)
			}
		})
	}
	if f, err := os.Open("/dev/urandom"); err == nil {
		defer f.Close()
		if _, err := tracefile.ReadFile("/dev/urandom", nil); !errors.Is(err, tracefile.ErrNotJSON) {
			t.Errorf("ReadFile(/dev/urandom) = %v", err)
		}
	}
}

// endlessString repeats s without end.
type endlessString string

func (e endlessString) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e)
	}
	return n, nil
}

// hugeBlob is a journey whose bytes are a base64 blob past MaxFileSize.
func hugeBlob() []byte {
	head := `{"format":"journey/1","mode":"lab","stages":[{"kind":"dns","status":"done","exchanges":[{"sent":{"bytes":"`
	return []byte(head + strings.Repeat("QUFB", tracefile.MaxFileSize/4+1) + `"}}]}]}`)
}

// seedDoc is a minimal journey whose DNS stage is dns.
func seedDoc(dns string) []byte {
	return []byte(`{"format":"journey/1","mode":"live","stages":[{"kind":"address","status":"done"},` + dns +
		`,{"kind":"connect","status":"pending"},{"kind":"http","status":"pending"},{"kind":"gateway","status":"pending"},{"kind":"router","status":"pending"}]}`)
}

func TestSeedDoc(t *testing.T) {
	if _, err := tracefile.Decode(bytes.NewReader(seedDoc(`{"kind":"dns","status":"pending"}`))); err != nil {
		t.Fatalf("the minimal journey does not decode: %v", err)
	}
}

// endless is a reader that never ends, as /dev/zero or a pipe from a
// hostile program.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestDecodeStopsReadingAtTheLimit(t *testing.T) {
	r := &countingReader{r: endless{}}
	_, err := tracefile.Decode(r)
	if !errors.Is(err, tracefile.ErrTooLarge) {
		t.Fatalf("Decode(endless) = %v, want ErrTooLarge", err)
	}
	if r.n > tracefile.MaxFileSize+64<<10 {
		t.Errorf("read %d bytes, more than the limit of %d", r.n, tracefile.MaxFileSize)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// FuzzDecode feeds the decoder arbitrary bytes: it must never panic, and
// whatever it accepts must re-encode to a document it accepts again, equal,
// and render as a plain report without panicking and without a control
// character for the terminal.
func FuzzDecode(f *testing.F) {
	f.Add(encode(f, sample()))
	f.Add(seedDoc(`{"kind":"dns","status":"pending"}`))
	f.Add(seedDoc(`{"kind":"dns","status":"done","exchanges":[{"sent":{"bytes":"AAEC","fields":[{"offset":1,"length":2}]}}]}`))
	f.Add(seedDoc(`{"kind":"dns","status":"done","exchanges":[{"sent":{"bytes":"AAEC","fields":[{"offset":2,"length":2}]}}]}`))
	f.Add(seedDoc(`{"kind":"dns","status":"done","exchanges":[{"depth":-1}]}`))
	f.Add([]byte(`{"format":"journey/1","duration_ns":-1}`))
	f.Add([]byte(`{"format":"journey/2"}`))
	f.Add([]byte(`{"format":"jour`))
	f.Add([]byte(`[]`))
	f.Add([]byte("\x00\xff"))
	if files, _ := filepath.Glob(filepath.Join(journeysDir, "*.json")); len(files) > 0 {
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		j, err := tracefile.Decode(bytes.NewReader(doc))
		if err != nil {
			if j != nil {
				t.Fatalf("Decode returned a journey with error %v", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Fatalf("error %q is not one safe line", err)
			}
			return
		}
		again := encode(t, j)
		j2, err := tracefile.Decode(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("Decode rejected its own re-encoding: %v\n%s", err, again)
		}
		if !bytes.Equal(encode(t, j2), again) {
			t.Fatalf("a second round trip changed the document")
		}
		var report strings.Builder
		plain.Render(&report, j, plain.Options{Bytes: true})
		if strings.ContainsFunc(report.String(), func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
			t.Fatalf("the report of an accepted document holds a control character:\n%q", report.String())
		}
	})
}

// BenchmarkDecode reads and checks the largest recorded journey.
func BenchmarkDecode(b *testing.B) {
	doc, err := os.ReadFile(filepath.Join(journeysDir, "cname.json"))
	if err != nil {
		b.Skip("no recorded journey: ", err)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := tracefile.Decode(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}
