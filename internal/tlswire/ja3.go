package tlswire

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"

	"journey/internal/trace"
)

// fingerprint is a hello's JA3 (client) or JA3S (server) fingerprint, as
// Wireshark shows it: the version, cipher suites, extensions, groups and
// point formats offered, as decimal numbers (GREASE values left out), and
// their MD5. Servers and firewalls use it to tell one TLS client program
// from another: the choices a program makes show through before any
// encryption. body is the hello after its handshake header, at base.
func fingerprint(body []byte, base int, client bool) []trace.Field {
	c := &cursor{b: body}
	version := c.uint(2)
	c.take(32)
	c.take(c.uint(1))
	var suites []string
	if client {
		cs := &cursor{b: c.take(c.uint(2))}
		for cs.more() {
			if v := cs.uint(2); !grease(v) && !cs.bad {
				suites = append(suites, fmt.Sprint(v))
			}
		}
		c.take(c.uint(1))
	} else {
		suites = append(suites, fmt.Sprint(c.uint(2)))
		c.uint(1)
	}
	var exts, groups, formats []string
	if c.more() {
		block := &cursor{b: c.take(c.uint(2))}
		for block.more() {
			typ := block.uint(2)
			data := &cursor{b: block.take(block.uint(2))}
			if block.bad {
				break
			}
			if grease(typ) {
				continue
			}
			exts = append(exts, fmt.Sprint(typ))
			switch typ {
			case 10:
				list := &cursor{b: data.take(data.uint(2))}
				for list.more() {
					if g := list.uint(2); !grease(g) && !list.bad {
						groups = append(groups, fmt.Sprint(g))
					}
				}
			case 11:
				list := &cursor{b: data.take(data.uint(1))}
				for list.more() {
					formats = append(formats, fmt.Sprint(list.uint(1)))
				}
			}
		}
	}
	if c.bad {
		return nil
	}
	parts := []string{fmt.Sprint(version), strings.Join(suites, "-"), strings.Join(exts, "-")}
	name := "JA3S"
	if client {
		parts = append(parts, strings.Join(groups, "-"), strings.Join(formats, "-"))
		name = "JA3"
	}
	full := strings.Join(parts, ",")
	sum := md5.Sum([]byte(full))
	return []trace.Field{
		{Name: name + " fullstring", Offset: base, Length: len(body), Value: full},
		{Name: name, Offset: base, Length: len(body), Value: hex.EncodeToString(sum[:]) + ": a fingerprint of the choices offered, which tells one TLS program from another"},
	}
}

// grease reports whether v is a GREASE value (RFC 8701): 0x0a0a, 0x1a1a…
func grease(v int) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }
