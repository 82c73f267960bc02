package dns

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"

	"journey/internal/trace"
)

// Bounds for walking a message whose bytes a stranger chose.
const (
	// maxPointers bounds compression pointers followed in one name: a name
	// has at most 127 labels, so more pointers than that means a loop.
	maxPointers = 127
	// maxRecords bounds the records annotated in one message; a 64 KiB
	// message cannot hold more than about 5,000 minimal records anyway.
	maxRecords = 1024
)

// Annotate walks a DNS message byte by byte and returns its fields as
// Wireshark shows them: the header with each flag, each question and each
// resource record with its name (labels or compression pointer), type,
// class, TTL, length and data. It never fails: the bytes it cannot read are
// returned as one last field saying why.
func Annotate(msg []byte) []trace.Field {
	if len(msg) < 12 {
		return []trace.Field{{Name: "Unreadable", Offset: 0, Length: len(msg), Value: fmt.Sprintf("only %d bytes: a DNS header needs 12", len(msg))}}
	}
	fields := make([]trace.Field, 1, 6) // header, four sections, trailing bytes
	fields[0] = annotateHeader(msg)
	counts := [4]int{}
	for i := range counts {
		counts[i] = int(binary.BigEndian.Uint16(msg[4+2*i:]))
	}
	off := 12
	if counts[0] > 0 {
		sec := trace.Field{Name: "Question section", Offset: off, Children: make([]trace.Field, 0, min(counts[0], maxRecords, len(msg)/5))}
		for i := 0; i < counts[0] && i < maxRecords; i++ {
			f, next, err := annotateQuestion(msg, off)
			if err != nil {
				return append(fields, unreadable(msg, off, err))
			}
			sec.Children = append(sec.Children, f)
			off = next
		}
		sec.Length = off - sec.Offset
		fields = append(fields, sec)
	}
	for i, name := range []string{"Answer section", "Authority section", "Additional section"} {
		n := counts[i+1]
		if n == 0 {
			continue
		}
		// A record takes at least 11 bytes: the capacity is bounded by the
		// message, whatever the header claims.
		sec := trace.Field{Name: name, Offset: off, Children: make([]trace.Field, 0, min(n, maxRecords, len(msg)/11+1))}
		for j := 0; j < n && j < maxRecords; j++ {
			f, next, err := annotateRR(msg, off)
			if err != nil {
				if len(sec.Children) > 0 {
					sec.Length = off - sec.Offset
					fields = append(fields, sec)
				}
				return append(fields, unreadable(msg, off, err))
			}
			sec.Children = append(sec.Children, f)
			off = next
		}
		sec.Length = off - sec.Offset
		fields = append(fields, sec)
	}
	if off < len(msg) {
		fields = append(fields, trace.Field{Name: "Trailing bytes", Offset: off, Length: len(msg) - off, Value: "after the last record the header announced"})
	}
	return fields
}

func unreadable(msg []byte, off int, err error) trace.Field {
	if off > len(msg) {
		off = len(msg)
	}
	return trace.Field{Name: "Unreadable", Offset: off, Length: len(msg) - off, Value: err.Error()}
}

func bit(v uint16, shift uint) uint16 { return v >> shift & 1 }

// headerFlags are the one-bit flags of the header with their bit and
// the words for 0 and 1, spelled out once: the header is annotated for
// every packet, so its words are not rebuilt each time.
var headerFlags = [...]struct {
	name  string
	shift uint
	words [2]string
}{
	{"QR", 15, [2]string{"0 (query)", "1 (response)"}},
	{"AA", 10, [2]string{"0 (not authoritative)", "1 (authoritative answer)"}},
	{"TC", 9, [2]string{"0 (not truncated)", "1 (truncated: ask again over TCP)"}},
	{"RD", 8, [2]string{"0 (no recursion: answer from your own data)", "1 (recursion desired)"}},
	{"RA", 7, [2]string{"0 (recursion not available)", "1 (recursion available)"}},
	{"Z", 6, [2]string{"0 (reserved)", "1 (reserved)"}},
	{"AD", 5, [2]string{"0 (not authenticated)", "1 (authenticated data)"}},
	{"CD", 4, [2]string{"0 (checking enabled)", "1 (checking disabled)"}},
}

var countWords = [4][3]string{
	{"QDCOUNT", " question", " questions"},
	{"ANCOUNT", " answer record", " answer records"},
	{"NSCOUNT", " authority record", " authority records"},
	{"ARCOUNT", " additional record", " additional records"},
}

func hex16(v uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{'0', 'x', digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf]})
}

func annotateHeader(msg []byte) trace.Field {
	id := binary.BigEndian.Uint16(msg)
	flags := binary.BigEndian.Uint16(msg[2:])
	opcode := flags >> 11 & 0xf
	rcode := flags & 0xf
	children := make([]trace.Field, 0, len(headerFlags)+2)
	for i, f := range headerFlags {
		children = append(children, trace.Field{Name: f.name, Offset: 2, Length: 2, Value: f.words[bit(flags, f.shift)]})
		if i == 0 { // the opcode follows QR on the wire
			children = append(children, trace.Field{Name: "Opcode", Offset: 2, Length: 2, Value: strconv.Itoa(int(opcode)) + " (" + opcodeName(opcode) + ")"})
		}
	}
	children = append(children, trace.Field{Name: "RCODE", Offset: 2, Length: 2, Value: strconv.Itoa(int(rcode)) + " (" + rcodeName(int(rcode)) + ")"})
	h := trace.Field{Name: "Header", Offset: 0, Length: 12, Children: make([]trace.Field, 0, 6)}
	h.Children = append(h.Children,
		trace.Field{Name: "ID", Offset: 0, Length: 2, Value: hex16(id) + " (" + strconv.Itoa(int(id)) + "): the reply must carry the same"},
		trace.Field{Name: "Flags", Offset: 2, Length: 2, Value: hex16(flags), Children: children},
	)
	for i, w := range countWords {
		n := binary.BigEndian.Uint16(msg[4+2*i:])
		desc := w[2]
		if n == 1 {
			desc = w[1]
		}
		h.Children = append(h.Children, trace.Field{Name: w[0], Offset: 4 + 2*i, Length: 2, Value: strconv.Itoa(int(n)) + desc})
	}
	return h
}

func opcodeName(op uint16) string {
	if s, ok := mdns.OpcodeToString[int(op)]; ok {
		return s
	}
	return "unknown"
}

func rcodeName(rc int) string {
	if s, ok := mdns.RcodeToString[rc]; ok {
		return s
	}
	return "unknown"
}

func annotateQuestion(msg []byte, off int) (trace.Field, int, error) {
	name, nameField, next, err := annotateName(msg, off)
	if err != nil {
		return trace.Field{}, 0, err
	}
	if next+4 > len(msg) {
		return trace.Field{}, 0, fmt.Errorf("question for %s is cut short", name)
	}
	qtype := binary.BigEndian.Uint16(msg[next:])
	qclass := binary.BigEndian.Uint16(msg[next+2:])
	f := trace.Field{
		Name: "Question", Offset: off, Length: next + 4 - off,
		Value: name + " " + typeName(qtype) + " " + className(qclass),
		Children: []trace.Field{
			nameField,
			{Name: "Type", Offset: next, Length: 2, Value: typeName(qtype) + " (" + strconv.Itoa(int(qtype)) + ")"},
			{Name: "Class", Offset: next + 2, Length: 2, Value: className(qclass) + " (" + strconv.Itoa(int(qclass)) + ")"},
		},
	}
	return f, next + 4, nil
}

func annotateRR(msg []byte, off int) (trace.Field, int, error) {
	name, nameField, next, err := annotateName(msg, off)
	if err != nil {
		return trace.Field{}, 0, err
	}
	if next+10 > len(msg) {
		return trace.Field{}, 0, fmt.Errorf("record for %s is cut short", name)
	}
	rtype := binary.BigEndian.Uint16(msg[next:])
	class := binary.BigEndian.Uint16(msg[next+2:])
	ttl := binary.BigEndian.Uint32(msg[next+4:])
	rdlen := int(binary.BigEndian.Uint16(msg[next+8:]))
	rdOff := next + 10
	end := rdOff + rdlen
	if end > len(msg) {
		return trace.Field{}, 0, fmt.Errorf("record for %s says its data is %d bytes, past the end of the message", name, rdlen)
	}
	rdata := rdataText(msg, off, rtype, rdOff, rdlen)
	f := trace.Field{Name: typeName(rtype) + " record", Offset: off, Length: end - off, Children: make([]trace.Field, 1, 6)}
	f.Children[0] = nameField
	if rtype == mdns.TypeOPT {
		f.Name = "OPT pseudo-record (EDNS0)"
		size := strconv.Itoa(int(class))
		f.Value = "UDP payload " + size + " bytes"
		f.Children = append(f.Children,
			trace.Field{Name: "Type", Offset: next, Length: 2, Value: "OPT (41)"},
			trace.Field{Name: "UDP payload size", Offset: next + 2, Length: 2, Value: size + " bytes: the largest UDP reply this side accepts"},
			trace.Field{Name: "Extended RCODE and flags", Offset: next + 4, Length: 4, Value: "extended rcode " + strconv.Itoa(int(ttl>>24)) + ", version " + strconv.Itoa(int(ttl>>16&0xff)) + ", DO " + strconv.Itoa(int(ttl>>15&1))},
		)
	} else {
		ttlS := strconv.FormatUint(uint64(ttl), 10)
		f.Value = name + " " + ttlS + " " + className(class) + " " + typeName(rtype) + " " + rdata
		f.Children = append(f.Children,
			trace.Field{Name: "Type", Offset: next, Length: 2, Value: typeName(rtype) + " (" + strconv.Itoa(int(rtype)) + ")"},
			trace.Field{Name: "Class", Offset: next + 2, Length: 2, Value: className(class) + " (" + strconv.Itoa(int(class)) + ")"},
			trace.Field{Name: "TTL", Offset: next + 4, Length: 4, Value: ttlS + " " + plural(int(min(ttl, 2)), "second", "seconds") + " (" + ttlText(ttl) + "): how long it may be cached"},
		)
	}
	f.Children = append(f.Children,
		trace.Field{Name: "RDLENGTH", Offset: next + 8, Length: 2, Value: strconv.Itoa(rdlen) + " bytes of data follow"},
		trace.Field{Name: "RDATA", Offset: rdOff, Length: rdlen, Value: rdata},
	)
	return f, end, nil
}

// rdataText is the record's data in presentation format, as dig prints it.
func rdataText(msg []byte, off int, rtype uint16, rdOff, rdlen int) string {
	// Addresses are most of what a journey reads: written straight from
	// the bytes, without unpacking the record again.
	switch {
	case rtype == mdns.TypeA && rdlen == 4:
		return netip.AddrFrom4([4]byte(msg[rdOff : rdOff+4])).String()
	case rtype == mdns.TypeAAAA && rdlen == 16:
		return netip.AddrFrom16([16]byte(msg[rdOff : rdOff+16])).String()
	}
	rr, _, err := mdns.UnpackRR(msg, off)
	if err != nil || rr == nil {
		if err != nil {
			return "(unreadable: " + err.Error() + ")"
		}
		return ""
	}
	if rtype == mdns.TypeOPT {
		return ""
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}

// annotateName reads a (possibly compressed) name at off and returns it
// with a field holding each label, and the offset after it.
func annotateName(msg []byte, off int) (string, trace.Field, int, error) {
	name, next, err := mdns.UnpackDomainName(msg, off)
	if err != nil {
		return "", trace.Field{}, 0, fmt.Errorf("name at offset %d: %v", off, err)
	}
	f := trace.Field{Name: "Name", Offset: off, Length: next - off, Value: name, Children: make([]trace.Field, 0, 4)}
	p := off
	for range maxPointers + 1 {
		if p >= len(msg) {
			break
		}
		l := int(msg[p])
		switch {
		case l == 0:
			f.Children = append(f.Children, trace.Field{Name: "Root label", Offset: p, Length: 1, Value: "0: the end of the name"})
			return name, f, next, nil
		case l&0xc0 == 0xc0:
			ptr := int(binary.BigEndian.Uint16(msg[p:]) & 0x3fff)
			rest, _, _ := mdns.UnpackDomainName(msg, ptr)
			f.Children = append(f.Children, trace.Field{Name: "Compression pointer", Offset: p, Length: 2,
				Value: "the rest of the name (" + rest + ") is at offset " + strconv.Itoa(ptr)})
			return name, f, next, nil
		default:
			text := labelText(msg[p+1 : p+1+l])
			f.Children = append(f.Children, trace.Field{Name: "Label", Offset: p, Length: 1 + l, Value: text,
				Children: []trace.Field{
					{Name: "Length", Offset: p, Length: 1, Value: strconv.Itoa(l)},
					{Name: "Text", Offset: p + 1, Length: l, Value: text},
				}})
			p += 1 + l
		}
	}
	return name, f, next, nil
}

// labelText shows a label as DNS presentation format does: printable
// bytes as themselves, others as \DDD.
func labelText(b []byte) string {
	plain := true
	for _, c := range b {
		if c == '.' || c == '\\' || c < 0x21 || c > 0x7e {
			plain = false
			break
		}
	}
	if plain {
		return string(b)
	}
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == '.' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c < 0x21 || c > 0x7e:
			fmt.Fprintf(&s, "\\%03d", c)
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

func typeName(t uint16) string {
	if s, ok := mdns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

func className(c uint16) string {
	if s, ok := mdns.ClassToString[c]; ok {
		return s
	}
	return fmt.Sprintf("CLASS%d", c)
}

// ttlText words a TTL as people say it: "1 day", "2 hours", "90 s".
func ttlText(ttl uint32) string {
	unit := func(n uint32, one, many string) string {
		return strconv.FormatUint(uint64(n), 10) + " " + plural(int(min(n, 2)), one, many)
	}
	switch {
	case ttl >= 86400 && ttl%86400 == 0:
		return unit(ttl/86400, "day", "days")
	case ttl >= 3600 && ttl%3600 == 0:
		return unit(ttl/3600, "hour", "hours")
	case ttl >= 60 && ttl%60 == 0:
		return unit(ttl/60, "minute", "minutes")
	}
	return strconv.FormatUint(uint64(ttl), 10) + " s"
}
