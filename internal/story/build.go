package story

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"journey/internal/facts"
	"journey/internal/safetext"
	"journey/internal/trace"
)

// builder collects parties and steps while Build walks the trace.
type builder struct {
	j       *trace.Journey
	parties []Party
	index   map[string]int // party key → index in parties
	steps   []Step
	told    bool  // a step already said why the journey stops (NXDOMAIN, a CNAME loop)
	late    []int // DNS exchanges told later, where they happened (a redirect's new host)
	// lateFirst is set while the first of them is told, lateTold after.
	lateFirst, lateTold bool

	// serverRequest is the server's copy of the request (the gateway's wsgi
	// exchange), shown on the router's steps; requestIndex its index.
	serverRequest *trace.Exchange
	requestIndex  int
	// second is set while the second visit (--warm) is told.
	second bool
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
	seen := map[string]int{}
	for i := range steps {
		key := string(steps[i].Stage) + "/" + string(steps[i].Kind)
		steps[i].ID = fmt.Sprintf("%s/%d", key, seen[key])
		seen[key]++
		steps[i].From = remap[steps[i].From]
		steps[i].To = remap[steps[i].To]
		steps[i].Narration = bound(keepUnits(steps[i].Narration))
		steps[i].Title = keepUnits(steps[i].Title)
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

// stop ends a failed journey with the stage's error, unless a step already
// said why (an NXDOMAIN says so itself).
func (b *builder) stop() {
	var failed *trace.Stage
	for _, s := range b.j.Stages {
		if s != nil && s.Status == trace.StatusFailed {
			failed = s
			break
		}
	}
	if failed == nil {
		return
	}
	if b.told {
		return
	}
	why := failed.Error
	if why == "" {
		why = b.j.Error
	}
	to := you
	if n := len(b.steps); n > 0 {
		to = b.steps[n-1].To
	}
	b.add(Step{Stage: failed.Kind, Kind: KindStop, From: you, To: to, Start: failed.Start + failed.Duration, Failed: true,
		Title:     "stopped: " + failed.Kind.Title() + " failed",
		Narration: fmt.Sprintf("The %s stage failed, and the journey stops here: %s.", failed.Kind.Title(), strings.TrimSuffix(line(why), "."))})
}

func (b *builder) add(s Step) {
	// A recording's fields are only as good as its file: a lesson that
	// does not lie inside the step's bytes is no lesson.
	if l := s.Lesson; l != nil && (l.Offset < 0 || l.Length < 0 || l.Offset > len(s.Bytes) || l.Length > len(s.Bytes)-l.Offset) {
		s.Lesson = nil
	}
	if s.Exchange == nil {
		s.ExchangeIndex = -1
	} else if s.ExchangeStage == "" {
		s.ExchangeStage = s.Stage
	}
	b.steps = append(b.steps, s)
}

// line is safetext.Line: every string from the trace passes through it
// before it reaches a title or a narration.
func line(s string) string { return safetext.Line(s) }

// host is a DNS name as a sentence shows it (facts.Bare).
func host(s string) string { return facts.Bare(s) }

// unitGap is a number and its unit.
var unitGap = regexp.MustCompile(`(\d) (ms|s|µs|ns|bytes?|keys?|headers?)\b`)

// keepUnits joins each number to its unit with a no-break space, so that
// wrapping never leaves "12.7" at the end of one line and "ms" on the next
// (package explain does the same).
func keepUnits(s string) string { return unitGap.ReplaceAllString(s, "$1\u00a0$2") }

// bound cuts a narration that would not fit: past MaxNarration
// characters, or past NarrationLines lines once wrapped at NarrationWidth.
// It cuts at a sentence's end where one is near, else mid-sentence with an
// ellipsis. Only values from outside (a long error, a hostile name) make a
// narration this long; the tests hold every lab lesson under the bound.
func bound(s string) string {
	if utf8.RuneCountInString(s) <= MaxNarration && len(wrap(s, NarrationWidth)) <= NarrationLines {
		return s
	}
	r := []rune(s)
	if len(r) > MaxNarration-1 {
		r = r[:MaxNarration-1]
	}
	ls := wrap(string(r), NarrationWidth)
	if len(ls) > NarrationLines {
		ls = ls[:NarrationLines]
	}
	// The last line keeps a column for the ellipsis.
	last := []rune(ls[len(ls)-1])
	if len(last) > NarrationWidth-1 {
		ls[len(ls)-1] = string(last[:NarrationWidth-1])
	}
	cut := strings.Join(ls, " ")
	if i := strings.LastIndex(cut, ". "); i > len(cut)/2 {
		return cut[:i+1]
	}
	return cut + "…"
}

func ms(d time.Duration) string { return trace.Dur(d) }

func plural(n int64, one, many string) string { return facts.Count(n, one, many) }

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
