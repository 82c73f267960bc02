package dns

import (
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"journey/internal/trace"
)

// find returns the first field named name, depth first.
func find(fields []trace.Field, name string) *trace.Field {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i]
		}
		if f := find(fields[i].Children, name); f != nil {
			return f
		}
	}
	return nil
}

func TestAnnotateQuery(t *testing.T) {
	q := newQuery("www.example.com", mdns.TypeA, false)
	q.Id = 0x1a2b
	b, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	fields := Annotate(b)
	tests := []struct {
		field     string
		offset    int
		length    int
		valuePart string
	}{
		{"ID", 0, 2, "0x1a2b"},
		{"RD", 2, 2, "0 (no recursion"},
		{"QDCOUNT", 4, 2, "1 question"},
		{"ARCOUNT", 10, 2, "1 additional record"},
		{"Question", 12, 21, "www.example.com. A IN"},
		{"Label", 12, 4, "www"},
		{"Root label", 28, 1, "end of the name"},
		{"Type", 29, 2, "A (1)"},
		{"UDP payload size", 0, 2, "1232 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			f := find(fields, tc.field)
			if f == nil {
				t.Fatalf("no field %q", tc.field)
			}
			if tc.field != "UDP payload size" && (f.Offset != tc.offset || f.Length != tc.length) {
				t.Errorf("%s at %d+%d, want %d+%d", tc.field, f.Offset, f.Length, tc.offset, tc.length)
			}
			if !strings.Contains(f.Value, tc.valuePart) {
				t.Errorf("%s = %q, want it to contain %q", tc.field, f.Value, tc.valuePart)
			}
		})
	}
	checkBounds(t, fields, 0, len(b))
}

func TestAnnotateCompressedReply(t *testing.T) {
	m := new(mdns.Msg)
	m.SetQuestion("www.example.com.", mdns.TypeA)
	m.Response, m.Authoritative = true, true
	rr, _ := mdns.NewRR("www.example.com. 3600 IN A 203.0.113.10")
	m.Answer = []mdns.RR{rr}
	m.Compress = true
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	fields := Annotate(b)
	ans := find(fields, "A record")
	if ans == nil || ans.Value != "www.example.com. 3600 IN A 203.0.113.10" {
		t.Fatalf("answer record = %+v", ans)
	}
	ptr := find(ans.Children, "Compression pointer")
	if ptr == nil || !strings.Contains(ptr.Value, "offset 12") {
		t.Errorf("compression pointer = %+v, want a pointer to offset 12", ptr)
	}
	if f := find(fields, "AA"); f == nil || !strings.HasPrefix(f.Value, "1 ") {
		t.Errorf("AA = %+v", f)
	}
	if f := find(fields, "RDATA"); f == nil || f.Value != "203.0.113.10" || f.Length != 4 {
		t.Errorf("RDATA = %+v", f)
	}
	checkBounds(t, fields, 0, len(b))
}

// Crashers and odd packets found while writing the walker, kept as cases.
func TestAnnotateBadPackets(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want string
	}{
		{"empty", nil, "only 0 bytes"},
		{"short header", []byte{1, 2, 3}, "only 3 bytes"},
		{"count past end", []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}, "Unreadable"},
		{"pointer loop", []byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1}, "Unreadable"},
		{"rdlength past end", append([]byte{0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0}, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0xff, 0xff, 1), "past the end"},
		{"trailing", []byte{0, 1, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9}, "Trailing bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := Annotate(tc.msg)
			var all strings.Builder
			var walk func([]trace.Field)
			walk = func(fs []trace.Field) {
				for _, f := range fs {
					all.WriteString(f.Name + ": " + f.Value + "\n")
					walk(f.Children)
				}
			}
			walk(fields)
			if !strings.Contains(all.String(), tc.want) {
				t.Errorf("fields:\n%s\nwant %q", all.String(), tc.want)
			}
			checkBounds(t, fields, 0, len(tc.msg))
		})
	}
}

// checkBounds fails if a field lies outside [lo, hi).
func checkBounds(t *testing.T, fields []trace.Field, lo, hi int) {
	t.Helper()
	for _, f := range fields {
		if f.Offset < lo || f.Length < 0 || f.Offset+f.Length > hi {
			t.Fatalf("field %q at %d+%d lies outside [%d,%d)", f.Name, f.Offset, f.Length, lo, hi)
		}
		checkBounds(t, f.Children, 0, hi)
	}
}

func FuzzAnnotate(f *testing.F) {
	q := newQuery("www.example.com", mdns.TypeA, false)
	b, _ := q.Pack()
	f.Add(b)
	m := new(mdns.Msg)
	m.SetQuestion("example.com.", mdns.TypeNS)
	m.Response = true
	ns, _ := mdns.NewRR("example.com. 60 IN NS ns1.example.com.")
	glue, _ := mdns.NewRR("ns1.example.com. 60 IN A 198.51.100.1")
	txt, _ := mdns.NewRR(`ansi.example.com. 60 IN TXT "\027[31mhi"`)
	m.Ns = []mdns.RR{ns}
	m.Extra = []mdns.RR{glue, txt}
	m.Compress = true
	b2, _ := m.Pack()
	f.Add(b2)
	f.Add([]byte{0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		fields := Annotate(msg)
		checkBounds(t, fields, 0, len(msg))
	})
}
