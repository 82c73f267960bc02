package trace_test

import (
	"errors"
	"fmt"

	"journey/internal/trace"
)

// The engine writes a journey through a Recorder; a renderer reads the
// events as they stream, each carrying a snapshot it may keep.
func ExampleRecorder() {
	rec := trace.NewRecorder("www.example.com", trace.ModeLab, "1.0", func(ev trace.Event) {
		if ev.Kind == trace.EventStageFinished {
			s := ev.Journey.Stage(ev.Stage)
			fmt.Printf("%s: %s, %d exchanges\n", s.Kind.Title(), s.Status, len(s.Exchanges))
		}
	}, nil)

	rec.StartStage(trace.StageDNS)
	rec.AddExchange(trace.StageDNS, &trace.Exchange{Kind: "dns", Label: "a.root-servers.net: referral to com."})
	rec.FinishStage(trace.StageDNS, errors.New("no answer"), nil)
	rec.SkipStage(trace.StageConnect, "not reached")
	j := rec.Finish(errors.New("a stage failed"))
	fmt.Println(j.Format, j.Error)
	// Output:
	// DNS: failed, 1 exchanges
	// connect: skipped, 0 exchanges
	// journey/1 a stage failed
}
