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
// gives a shorter story. It never panics on any journey tracefile.Decode
// accepts.
package story
