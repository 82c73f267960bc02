package story

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"journey/internal/safetext"
	"journey/internal/trace"
)

// builder collects parties and steps while Build walks the trace.
type builder struct {
	j       *trace.Journey
	parties []Party
	index   map[string]int // party key → index in parties
	steps   []Step
}

func newBuilder(j *trace.Journey) *builder {
	b := &builder{j: j, index: map[string]int{}}
	b.party("you", Party{Kind: PartyYou, Name: "you"})
	return b
}

// story orders the lanes (you, DNS servers as met, web servers, then the
// parties inside the server) and returns the steps with their indices
// remapped to that order.
func (b *builder) story() *Story {
	rank := map[PartyKind]int{PartyYou: 0, PartyDNS: 1, PartyServer: 2, PartyGateway: 3, PartyRouter: 4, PartyView: 5}
	order := make([]int, 0, len(b.parties))
	for r := 0; r <= 5; r++ {
		for i, p := range b.parties {
			if rank[p.Kind] == r {
				order = append(order, i)
			}
		}
	}
	remap := make([]int, len(b.parties))
	parties := make([]Party, len(order))
	for newIdx, old := range order {
		remap[old] = newIdx
		parties[newIdx] = b.parties[old]
	}
	steps := b.steps
	for i := range steps {
		steps[i].From = remap[steps[i].From]
		steps[i].To = remap[steps[i].To]
		steps[i].Narration = bound(steps[i].Narration)
	}
	return &Story{Journey: b.j, Parties: parties, Steps: steps}
}

// party returns the index of the party with that key, adding it the first
// time it is met.
func (b *builder) party(key string, p Party) int {
	if i, ok := b.index[key]; ok {
		return i
	}
	b.parties = append(b.parties, p)
	b.index[key] = len(b.parties) - 1
	return len(b.parties) - 1
}

const you = 0

func (b *builder) add(s Step) {
	if s.Exchange == nil {
		s.ExchangeIndex = -1
	}
	b.steps = append(b.steps, s)
}

// line is safetext.Line: every string from the trace passes through it
// before it reaches a title or a narration.
func line(s string) string { return safetext.Line(s) }

// host trims a DNS name's final dot for prose.
func host(s string) string {
	if s == "." {
		return s
	}
	return strings.TrimSuffix(s, ".")
}

// bound cuts a narration that would not fit the tour's six lines, at a
// sentence end where one is near.
func bound(s string) string {
	if utf8.RuneCountInString(s) <= MaxNarration {
		return s
	}
	r := []rune(s)[:MaxNarration-1]
	cut := string(r)
	if i := strings.LastIndex(cut, ". "); i > MaxNarration/2 {
		return cut[:i+1]
	}
	return cut + "…"
}

func ms(d time.Duration) string { return trace.Dur(d) }

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// findField returns the first field (depth first) whose name is name.
func findField(fs []trace.Field, name string) *trace.Field {
	for i := range fs {
		if fs[i].Name == name {
			f := fs[i]
			return &f
		}
		if f := findField(fs[i].Children, name); f != nil {
			return f
		}
	}
	return nil
}

// rebase returns the fields that fall inside [off, off+n) of a message,
// with offsets made relative to off.
func rebase(fs []trace.Field, off, n int) []trace.Field {
	var out []trace.Field
	for _, f := range fs {
		if f.Offset < off || f.Offset+f.Length > off+n {
			continue
		}
		g := f
		g.Offset -= off
		g.Children = rebase(f.Children, off, n)
		out = append(out, g)
	}
	return out
}

// slice returns b[off:off+n] clipped to b's bounds.
func slice(b []byte, off, n int) []byte {
	if off < 0 || off > len(b) {
		return nil
	}
	end := off + n
	if n < 0 || end > len(b) {
		end = len(b)
	}
	return b[off:end]
}
