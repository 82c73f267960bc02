package dns

import (
	"encoding/binary"
	"fmt"
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
	fields := []trace.Field{annotateHeader(msg)}
	counts := [4]int{}
	for i := range counts {
		counts[i] = int(binary.BigEndian.Uint16(msg[4+2*i:]))
	}
	off := 12
	if counts[0] > 0 {
		sec := trace.Field{Name: "Question section", Offset: off}
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
		sec := trace.Field{Name: name, Offset: off}
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

func annotateHeader(msg []byte) trace.Field {
	id := binary.BigEndian.Uint16(msg)
	flags := binary.BigEndian.Uint16(msg[2:])
	yesNo := func(b uint16, yes, no string) string {
		if b == 1 {
			return "1 (" + yes + ")"
		}
		return "0 (" + no + ")"
	}
	opcode := flags >> 11 & 0xf
	rcode := flags & 0xf
	flag := func(name, value string) trace.Field {
		return trace.Field{Name: name, Offset: 2, Length: 2, Value: value}
	}
	h := trace.Field{Name: "Header", Offset: 0, Length: 12, Children: []trace.Field{
		{Name: "ID", Offset: 0, Length: 2, Value: fmt.Sprintf("0x%04x (%d): the reply must carry the same", id, id)},
		{Name: "Flags", Offset: 2, Length: 2, Value: fmt.Sprintf("0x%04x", flags), Children: []trace.Field{
			flag("QR", yesNo(bit(flags, 15), "response", "query")),
			flag("Opcode", fmt.Sprintf("%d (%s)", opcode, opcodeName(opcode))),
			flag("AA", yesNo(bit(flags, 10), "authoritative answer", "not authoritative")),
			flag("TC", yesNo(bit(flags, 9), "truncated: ask again over TCP", "not truncated")),
			flag("RD", yesNo(bit(flags, 8), "recursion desired", "no recursion: answer from your own data")),
			flag("RA", yesNo(bit(flags, 7), "recursion available", "recursion not available")),
			flag("Z", fmt.Sprintf("%d (reserved)", bit(flags, 6))),
			flag("AD", yesNo(bit(flags, 5), "authenticated data", "not authenticated")),
			flag("CD", yesNo(bit(flags, 4), "checking disabled", "checking enabled")),
			flag("RCODE", fmt.Sprintf("%d (%s)", rcode, rcodeName(int(rcode)))),
		}},
	}}
	for i, name := range []string{"QDCOUNT", "ANCOUNT", "NSCOUNT", "ARCOUNT"} {
		n := binary.BigEndian.Uint16(msg[4+2*i:])
		desc := []string{"question", "answer record", "authority record", "additional record"}[i]
		plural := "s"
		if n == 1 {
			plural = ""
		}
		h.Children = append(h.Children, trace.Field{Name: name, Offset: 4 + 2*i, Length: 2, Value: fmt.Sprintf("%d %s%s", n, desc, plural)})
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
		Value: fmt.Sprintf("%s %s %s", name, typeName(qtype), className(qclass)),
		Children: []trace.Field{
			nameField,
			{Name: "Type", Offset: next, Length: 2, Value: fmt.Sprintf("%s (%d)", typeName(qtype), qtype)},
			{Name: "Class", Offset: next + 2, Length: 2, Value: fmt.Sprintf("%s (%d)", className(qclass), qclass)},
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
	rdata := rdataText(msg, off, rtype)
	f := trace.Field{Name: typeName(rtype) + " record", Offset: off, Length: end - off, Children: []trace.Field{nameField}}
	if rtype == mdns.TypeOPT {
		f.Name = "OPT pseudo-record (EDNS0)"
		f.Value = fmt.Sprintf("UDP payload %d bytes", class)
		f.Children = append(f.Children,
			trace.Field{Name: "Type", Offset: next, Length: 2, Value: fmt.Sprintf("OPT (%d)", rtype)},
			trace.Field{Name: "UDP payload size", Offset: next + 2, Length: 2, Value: fmt.Sprintf("%d bytes: the largest UDP reply this side accepts", class)},
			trace.Field{Name: "Extended RCODE and flags", Offset: next + 4, Length: 4, Value: fmt.Sprintf("extended rcode %d, version %d, DO %d", ttl>>24, ttl>>16&0xff, ttl>>15&1)},
		)
	} else {
		f.Value = fmt.Sprintf("%s %d %s %s %s", name, ttl, className(class), typeName(rtype), rdata)
		f.Children = append(f.Children,
			trace.Field{Name: "Type", Offset: next, Length: 2, Value: fmt.Sprintf("%s (%d)", typeName(rtype), rtype)},
			trace.Field{Name: "Class", Offset: next + 2, Length: 2, Value: fmt.Sprintf("%s (%d)", className(class), class)},
			trace.Field{Name: "TTL", Offset: next + 4, Length: 4, Value: fmt.Sprintf("%d seconds (%s): how long it may be cached", ttl, ttlText(ttl))},
		)
	}
	f.Children = append(f.Children,
		trace.Field{Name: "RDLENGTH", Offset: next + 8, Length: 2, Value: fmt.Sprintf("%d bytes of data follow", rdlen)},
		trace.Field{Name: "RDATA", Offset: rdOff, Length: rdlen, Value: rdata},
	)
	return f, end, nil
}

// rdataText is the record's data in presentation format, as dig prints it.
func rdataText(msg []byte, off int, rtype uint16) string {
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
	f := trace.Field{Name: "Name", Offset: off, Length: next - off, Value: name}
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
				Value: fmt.Sprintf("the rest of the name (%s) is at offset %d", rest, ptr)})
			return name, f, next, nil
		default:
			label := msg[p+1 : p+1+l]
			f.Children = append(f.Children, trace.Field{Name: "Label", Offset: p, Length: 1 + l, Value: labelText(label),
				Children: []trace.Field{
					{Name: "Length", Offset: p, Length: 1, Value: fmt.Sprintf("%d", l)},
					{Name: "Text", Offset: p + 1, Length: l, Value: labelText(label)},
				}})
			p += 1 + l
		}
	}
	return name, f, next, nil
}

// labelText shows a label as DNS presentation format does: printable
// bytes as themselves, others as \DDD.
func labelText(b []byte) string {
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

func ttlText(ttl uint32) string {
	switch {
	case ttl >= 86400 && ttl%86400 == 0:
		return fmt.Sprintf("%d days", ttl/86400)
	case ttl >= 3600 && ttl%3600 == 0:
		return fmt.Sprintf("%d hours", ttl/3600)
	case ttl >= 60 && ttl%60 == 0:
		return fmt.Sprintf("%d minutes", ttl/60)
	}
	return fmt.Sprintf("%d s", ttl)
}
