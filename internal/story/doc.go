// Package story turns one journey's trace into the ordered steps of its
// story: who sent what to whom, when, and what it teaches.
//
// The trace (package trace) is organised the way the engine runs: stages,
// and exchanges inside them. A class follows something else: one arrow at a
// time between two parties, the way network teachers draw a request on the
// board and Wireshark's flow graph shows it. Build reads the trace once and
// returns that list: the address taken apart; each DNS query and its reply
// (or its loss), nested lookups marked with a depth; the TCP connection; each
// TLS flight; the request; on the server the request read, the environment
// built, each middleware on the way in, the router's search, the view, each
// middleware on the way out, the response written; the response received;
// each redirect hop; and last the page, laid out as text.
//
// Every renderer reads the same story: the TUI's tour draws Parties as lanes
// and Steps as arrows, and the plain report prints the steps as a numbered
// narrative. Titles and narrations are already safe to print (every string
// from the network has been through package safetext); Bytes are raw and
// must be escaped by whoever prints them.
//
// A minimal use:
//
//	s := story.Build(journey)
//	for i, st := range s.Steps {
//		from, to := s.Parties[st.From], s.Parties[st.To]
//		fmt.Printf("%d. %s → %s: %s\n", i+1, from.Name, to.Name, st.Title)
//		fmt.Println(st.Narration)
//	}
//
// Build never fails: a journey cut short, or a recording with missing parts,
// gives a shorter story, and a failed journey ends with a KindStop step
// saying why (unless the step that failed said so). It never panics on any
// journey tracefile.Decode accepts.
//
// While a journey streams in, build the story again from each snapshot:
// steps may appear before others (the server's side is recorded after the
// response it explains), so keep a reader's place by Step.ID with
// Story.Find, not by index. Lanes may be added too; From and To index the
// Parties of their own Story.
//
// Every narration fits the tour at 80x24: wrapped with Wrap at
// NarrationWidth it takes at most NarrationLines lines, and it is at most
// MaxNarration characters. Numbers are joined to their units by a no-break
// space, which Wrap never breaks. The page (Step.Page) is laid out at
// PageWidth; Page.Lines lays it out again for a narrower column.
package story
