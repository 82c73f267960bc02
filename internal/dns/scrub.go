package dns

import (
	"encoding/binary"
	"fmt"

	mdns "github.com/miekg/dns"
)

// maxDroppedNotes bounds the notes about dropped records in one reply; the
// rest are counted.
const maxDroppedNotes = 5

// unpackScrubbed reads a reply. When the whole message does not unpack, it
// is read again record by record: a record whose data is malformed is
// dropped (and said so, with why) and the rest kept, as Unbound's scrubber
// and Knot's parser do, instead of losing the whole reply to one record. A
// header or question that cannot be read makes the reply unusable.
func unpackScrubbed(b []byte) (*mdns.Msg, []string, error) {
	m := new(mdns.Msg)
	whole := m.Unpack(b)
	if whole == nil {
		return m, nil, nil
	}
	if len(b) < 12 {
		return nil, nil, whole
	}
	hdr := make([]byte, 12)
	copy(hdr, b[:4]) // ID and flags; all counts zero
	m = new(mdns.Msg)
	if err := m.Unpack(hdr); err != nil {
		return nil, nil, whole
	}
	off := 12
	for range binary.BigEndian.Uint16(b[4:]) {
		name, next, err := mdns.UnpackDomainName(b, off)
		if err != nil || next+4 > len(b) {
			return nil, nil, whole
		}
		m.Question = append(m.Question, mdns.Question{Name: name, Qtype: binary.BigEndian.Uint16(b[next:]), Qclass: binary.BigEndian.Uint16(b[next+2:])})
		off = next + 4
	}
	var dropped []string
	nDropped := 0
	drop := func(why string) {
		nDropped++
		if nDropped <= maxDroppedNotes {
			dropped = append(dropped, why)
		}
	}
	sections := []*[]mdns.RR{&m.Answer, &m.Ns, &m.Extra}
	names := []string{"answer", "authority", "additional"}
	for i, sec := range sections {
		count := int(binary.BigEndian.Uint16(b[6+2*i:]))
		for j := 0; j < count; j++ {
			// Each record ends where its RDLENGTH says, whatever its data
			// holds: that is what lets one bad record be stepped over.
			name, next, err := mdns.UnpackDomainName(b, off)
			if err != nil || next+10 > len(b) {
				drop(fmt.Sprintf("dropped: the %s section from byte %d on could not be read (%d of %d records left), so the rest of the reply was not read", names[i], off, count-j, count))
				return m, finishNotes(dropped, nDropped), nil
			}
			end := next + 10 + int(binary.BigEndian.Uint16(b[next+8:]))
			if end > len(b) {
				drop(fmt.Sprintf("dropped: record %s at byte %d claims %d bytes of data, past the end of the reply; the rest of the reply was not read", name, off, end-next-10))
				return m, finishNotes(dropped, nDropped), nil
			}
			rr, _, err := mdns.UnpackRR(b[:end], off)
			if err != nil || rr == nil {
				drop(fmt.Sprintf("dropped: %s %s record at byte %d is malformed (%v); the other records are used, as resolvers scrub replies", name, mdns.Type(binary.BigEndian.Uint16(b[next:])), off, err))
			} else {
				*sec = append(*sec, rr)
			}
			off = end
		}
	}
	return m, finishNotes(dropped, nDropped), nil
}

func finishNotes(dropped []string, n int) []string {
	if n > maxDroppedNotes {
		dropped = append(dropped, fmt.Sprintf("... and %d more records dropped", n-maxDroppedNotes))
	}
	return dropped
}
