package plain

import (
	"fmt"
	"strings"
)

// hexDump formats bytes as the classic dump: offset, sixteen bytes in hex,
// then the same bytes as ASCII with a dot for anything not printable (so
// nothing from the wire can act on the terminal). Each line starts with indent.
func hexDump(b []byte, indent string) string {
	var s strings.Builder
	for off := 0; off < len(b); off += 16 {
		end := min(off+16, len(b))
		fmt.Fprintf(&s, "%s%04x  ", indent, off)
		for i := off; i < off+16; i++ {
			switch {
			case i < end:
				fmt.Fprintf(&s, "%02x ", b[i])
			default:
				s.WriteString("   ")
			}
			if i == off+7 {
				s.WriteByte(' ')
			}
		}
		s.WriteString(" ")
		for _, c := range b[off:end] {
			if c >= 0x20 && c < 0x7f {
				s.WriteByte(c)
			} else {
				s.WriteByte('.')
			}
		}
		s.WriteByte('\n')
	}
	return s.String()
}
