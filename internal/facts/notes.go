package facts

import "journey/internal/trace"

// Notes are the notes of stage s that apply to what happened in it, in
// order. A stage that did not run (skipped) keeps only why it did not:
// a note said before the skip (the lab's latency on the web server, for
// an HTTP stage never reached) is about something that never happened.
// An exchange's own notes (Exchange.Notes) always apply to it.
func Notes(s *trace.Stage) []string {
	if s == nil || len(s.Notes) == 0 {
		return nil
	}
	if s.Status == trace.StatusSkipped {
		return s.Notes[len(s.Notes)-1:]
	}
	return s.Notes
}

// SkipReason is why stage s was skipped (the note the engine gave when it
// skipped it), or "" when it was not skipped or no reason was given.
func SkipReason(s *trace.Stage) string {
	if s == nil || s.Status != trace.StatusSkipped || len(s.Notes) == 0 {
		return ""
	}
	return s.Notes[len(s.Notes)-1]
}
