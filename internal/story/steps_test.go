package story_test

import (
	"fmt"
	"strings"
	"testing"

	"journey/internal/story"
	"journey/internal/trace"
)

// kinds is the story's step kinds in order, a run of one kind written
// once with its count ("middleware-in×4"), so a table row reads as the
// journey does.
func kinds(s *story.Story) string {
	var out []string
	for i := 0; i < len(s.Steps); {
		k := i
		for k < len(s.Steps) && s.Steps[k].Kind == s.Steps[i].Kind {
			k++
		}
		if n := k - i; n > 1 {
			out = append(out, fmt.Sprintf("%s×%d", s.Steps[i].Kind, n))
		} else {
			out = append(out, string(s.Steps[i].Kind))
		}
		i = k
	}
	return strings.Join(out, " ")
}

// parties is the lanes in order, each as kind:name.
func parties(s *story.Story) string {
	var out []string
	for _, p := range s.Parties {
		if string(p.Kind) == p.Name {
			out = append(out, p.Name)
		} else {
			out = append(out, string(p.Kind)+":"+p.Name)
		}
	}
	return strings.Join(out, " ")
}

// server is the server side of one request, as every recorded journey that
// reaches the view has it; the middleware are left out (see
// withoutMiddleware), as the site's list of them changes.
const server = "read environ route match view write"

// withoutMiddleware drops the middleware steps from a kinds string: their
// number is the site's settings, checked by TestMiddlewareSteps.
func withoutMiddleware(k string) string {
	var out []string
	for _, f := range strings.Fields(k) {
		if !strings.HasPrefix(f, "middleware-") {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

// TestMiddlewareSteps checks that each middleware turn of a recording is a
// step: as many on the way in (process_view included) and out as the trace
// has.
func TestMiddlewareSteps(t *testing.T) {
	for name, j := range recorded(t) {
		t.Run(name, func(t *testing.T) {
			g := j.Stage(trace.StageGateway)
			if g == nil || g.Gateway == nil {
				return
			}
			want := map[story.Kind]int{}
			for _, m := range g.Gateway.Middleware {
				if m.Direction == trace.DirectionUp {
					want[story.KindMiddlewareOut]++
				} else {
					want[story.KindMiddlewareIn]++
				}
			}
			got := map[story.Kind]int{}
			for _, st := range story.Build(j).Steps {
				got[st.Kind]++
			}
			for k, n := range want {
				if got[k] != n {
					t.Errorf("%d %s steps, want %d", got[k], k, n)
				}
			}
		})
	}
}

func TestRecordedSteps(t *testing.T) {
	const dns3 = "query reply query reply query reply"
	const lanes = "dns:a.root-servers.net dns:a.gtld-servers.net dns:ns1.example.com"
	const inside = "gateway router view"
	tests := []struct {
		file    string
		kinds   string
		parties string
	}{
		{"http.json", "address " + dns3 + " connect request " + server + " response page timing",
			"you " + lanes + " server:www.example.com " + inside},
		{"https.json", "address " + dns3 + " connect tls×3 request " + server + " response page timing",
			"you " + lanes + " server:www.example.com " + inside},
		{"ip.json", "address connect request " + server + " response page timing",
			"you server:203.0.113.10 " + inside},
		{"cname.json", "address " + dns3 + " " + dns3 + " connect request " + server + " response page timing",
			"you " + lanes + " dns:ns1.example.net server:shop.example.com " + inside},
		{"uk.json", "address " + dns3 + " connect request " + strings.Replace(server, "match view", "match convert view", 1) + " response page timing",
			"you dns:a.root-servers.net dns:nsa.nic.uk dns:ns1.example.co.uk server:www.example.co.uk " + inside},
		{"nxdomain.json", "address " + dns3, "you " + lanes},
		{"notfound.json", "address " + dns3 + " connect request " + strings.Replace(server, "match view", "match", 1) + " response page timing",
			"you " + lanes + " server:www.example.com gateway router"},
		{"servererror.json", "address " + dns3 + " connect request " + server + " response page timing",
			"you " + lanes + " server:www.example.com " + inside},
		{"redirect.json", "address " + dns3 + " connect request response redirect connect request " + server + " response page timing",
			"you " + lanes + " server:www.example.com " + inside},
	}
	js := recorded(t)
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			j, ok := js[tc.file]
			if !ok {
				t.Fatalf("no recording %s", tc.file)
			}
			s := story.Build(j)
			if got := withoutMiddleware(kinds(s)); got != tc.kinds {
				t.Errorf("kinds\n got %s\nwant %s", got, tc.kinds)
			}
			if got := parties(s); got != tc.parties {
				t.Errorf("parties\n got %s\nwant %s", got, tc.parties)
			}
			checkOrder(t, s)
		})
	}
	if len(tests) != len(js) {
		t.Errorf("%d recordings, %d rows: a recording has no row", len(js), len(tests))
	}
}

// checkOrder checks what holds for every story: steps in time order (a
// step never starts before the one before it, within a stage's clock),
// stages in their order except where the response goes back up, a DNS
// reply from the server its query went to, and the page last.
func checkOrder(t *testing.T, s *story.Story) {
	t.Helper()
	for i := 1; i < len(s.Steps); i++ {
		prev, st := s.Steps[i-1], s.Steps[i]
		if st.Start < prev.Start {
			t.Errorf("step %d (%s %q) at %v starts before step %d (%s) at %v", i+1, st.Kind, st.Title, st.Start, i, prev.Kind, prev.Start)
		}
		if st.Kind == story.KindReply || st.Kind == story.KindLoss {
			// Its question came before it (hedged questions overlap, so
			// not always just before), to the server it comes from.
			asked := false
			for _, q := range s.Steps[:i] {
				asked = asked || q.Kind == story.KindQuery && q.Exchange == st.Exchange && (q.To == st.From || q.To == st.To)
			}
			if !asked {
				t.Errorf("step %d (%s %q): no question before it", i+1, st.Kind, st.Title)
			}
		}
	}
	last := len(s.Steps) - 1
	for k, st := range s.Steps {
		if st.Kind == story.KindVisit {
			last = k - 1 // the first visit's steps end before the second's
			break
		}
	}
	if last >= 0 && s.Steps[last].Kind == story.KindTiming {
		last-- // where the time went comes after everything, the page included
	}
	for i, st := range s.Steps {
		if st.Kind == story.KindPage && i != last {
			t.Errorf("the page is step %d of %d", i+1, len(s.Steps))
		}
		if st.Kind == story.KindTiming && i != len(s.Steps)-1 && s.Steps[i+1].Kind != story.KindVisit {
			t.Errorf("where the time went is step %d of %d, not the last of its visit", i+1, len(s.Steps))
		}
		if st.Exchange != nil && !st.Second {
			stage := s.Journey.Stage(st.ExchangeStage)
			if stage == nil || st.ExchangeIndex < 0 || st.ExchangeIndex >= len(stage.Exchanges) || stage.Exchanges[st.ExchangeIndex] != st.Exchange {
				t.Errorf("step %d (%s): exchange %d of %s is not the step's exchange", i+1, st.Kind, st.ExchangeIndex, st.ExchangeStage)
			}
		}
		if st.Lesson != nil && (st.Lesson.Offset < 0 || st.Lesson.Offset+st.Lesson.Length > len(st.Bytes)) {
			t.Errorf("step %d (%s): lesson %q at %d+%d outside its %d bytes", i+1, st.Kind, st.Lesson.Name, st.Lesson.Offset, st.Lesson.Length, len(st.Bytes))
		}
	}
	if s.Steps[0].Kind != story.KindAddress || s.Parties[0].Kind != story.PartyYou {
		t.Errorf("the story starts with %s, lane 0 is %s", s.Steps[0].Kind, s.Parties[0].Kind)
	}
}

// TestStableIDs builds the story of a journey cut short at every stage, as
// it streams in, and checks that each step found in the part keeps its ID
// in the whole, and that IDs are unique.
func TestStableIDs(t *testing.T) {
	for name, j := range recorded(t) {
		t.Run(name, func(t *testing.T) {
			whole := story.Build(j)
			ids := map[string]bool{}
			for _, st := range whole.Steps {
				if ids[st.ID] {
					t.Errorf("ID %s is used twice", st.ID)
				}
				ids[st.ID] = true
			}
			for n := 1; n < len(j.Stages); n++ {
				part := *j
				part.Stages = j.Stages[:n]
				for _, st := range story.Build(&part).Steps {
					k := whole.Find(st.ID)
					if k < 0 {
						if st.Kind != story.KindPage {
							t.Errorf("after %d stages: step %s (%q) is gone from the whole story", n, st.ID, st.Title)
						}
						continue
					}
					if w := whole.Steps[k]; w.Kind != st.Kind || w.Stage != st.Stage {
						t.Errorf("after %d stages: %s is a %s then a %s", n, st.ID, st.Kind, w.Kind)
					}
				}
			}
		})
	}
}

// TestTLSVerdicts tells each TLS verdict (package facts) in the server's
// flight: the recorded https journey with its verdict changed.
func TestTLSVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		verified bool
		insecure bool
		why      string
		failed   bool
		phrase   string
	}{
		{name: "verified", verified: true, phrase: "this is really the site"},
		{name: "verified with -k", verified: true, insecure: true, phrase: "-k was not needed"},
		{name: "not verified, -k went on", insecure: true, why: "x509: certificate signed by unknown authority", phrase: "did NOT verify (x509: certificate signed by unknown authority), and -k told us to go on anyway"},
		{name: "failed", why: "x509: certificate is valid for a.example, not b.example", failed: true, phrase: "It did not verify: x509: certificate is valid for a.example, not b.example. We stop here."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := recorded(t)["https.json"]
			c := j.Stage("connect")
			tls := *c.Connect.TLS
			tls.Verified, tls.Insecure, tls.VerifyError = tc.verified, tc.insecure, tc.why
			conn := *c.Connect
			conn.TLS = &tls
			stage := *c
			stage.Connect = &conn
			for i, s := range j.Stages {
				if s == c {
					j.Stages[i] = &stage
				}
			}
			s := story.Build(j)
			for _, st := range s.Steps {
				if st.Kind == story.KindTLS && strings.HasPrefix(st.Title, "TLS ServerHello") {
					if !strings.Contains(st.Narration, tc.phrase) {
						t.Errorf("the server's flight says\n%s\nwant %q", st.Narration, tc.phrase)
					}
					if st.Failed != tc.failed {
						t.Errorf("failed = %v, want %v", st.Failed, tc.failed)
					}
					return
				}
			}
			t.Fatal("no server flight")
		})
	}
}

// TestHostileLongNarration bounds a narration filled from a very long
// value (an error of many words, a name of one long word).
func TestHostileLongNarration(t *testing.T) {
	for _, long := range []string{strings.Repeat("word ", 400), strings.Repeat("x", 2000), strings.Repeat("\x1b[2J ", 300)} {
		j := recorded(t)["nxdomain.json"]
		d := j.Stage("dns")
		st := *d
		st.Error = long
		st.Exchanges = nil
		for i, s := range j.Stages {
			if s == d {
				j.Stages[i] = &st
			}
		}
		checkFits(t, story.Build(j))
	}
}

// TestLessonFields checks that the steps whose lesson lies in bytes carry
// it: the field's name for each kind, in the int converter's journey.
func TestLessonFields(t *testing.T) {
	want := map[story.Kind]string{
		story.KindQuery:    "Question section",
		story.KindReply:    "Authority section", // the first reply is a referral
		story.KindRequest:  "request line",
		story.KindRead:     "request-target",
		story.KindEnviron:  "request line",
		story.KindRoute:    "request-target",
		story.KindMatch:    "request-target",
		story.KindConvert:  "<int:year>",
		story.KindWrite:    "status line",
		story.KindResponse: "status line",
	}
	s := story.Build(labRuns(t)["int converter"])
	seen := map[story.Kind]bool{}
	for _, st := range s.Steps {
		name, ok := want[st.Kind]
		if !ok || seen[st.Kind] {
			continue
		}
		seen[st.Kind] = true
		if st.Lesson == nil {
			t.Errorf("%s %q has no lesson field", st.Kind, st.Title)
			continue
		}
		if st.Lesson.Name != name {
			t.Errorf("%s %q: lesson %q, want %q", st.Kind, st.Title, st.Lesson.Name, name)
		}
		if st.Kind == story.KindConvert {
			if got := string(st.Bytes[st.Lesson.Offset : st.Lesson.Offset+st.Lesson.Length]); got != "2024" {
				t.Errorf("the converter's lesson covers %q, want 2024", got)
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("no %s step", k)
		}
	}
}

// TestTLSLessonFields points each TLS flight at its lesson: the SNI the
// ClientHello names, the cipher suite the server chose.
func TestTLSLessonFields(t *testing.T) {
	s := story.Build(recorded(t)["https.json"])
	want := map[string]string{"TLS ClientHello": "server_name", "TLS ServerHello … Finished": "cipher suite", "TLS Finished": "TLS record: Application Data"}
	for _, st := range s.Steps {
		if st.Kind != story.KindTLS {
			continue
		}
		name, ok := want[st.Title]
		if !ok {
			t.Errorf("unexpected TLS step %q", st.Title)
			continue
		}
		delete(want, st.Title)
		if st.Lesson == nil || st.Lesson.Name != name {
			t.Errorf("%s: lesson %+v, want %q", st.Title, st.Lesson, name)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing TLS steps: %v", want)
	}
}

// TestReenacted says, before the server's side of a live journey, that it
// is a re-enactment on this machine, not the real site's software.
func TestReenacted(t *testing.T) {
	j := recorded(t)["http.json"]
	g := j.Stage("gateway")
	st := *g
	gw := *g.Gateway
	gw.Reenacted = true
	gw.Software = "journey-gateway (WSGI-style)"
	st.Gateway = &gw
	for i, s := range j.Stages {
		if s == g {
			j.Stages[i] = &st
		}
	}
	s := story.Build(j)
	checkFits(t, s)
	i := s.FirstOf("gateway")
	if i < 0 || !strings.Contains(s.Steps[i].Narration, "re-enactment") {
		t.Fatalf("the server's side does not start by saying it is re-enacted: %+v", s.Steps[i])
	}
	if s.Steps[i+1].Kind != story.KindRead {
		t.Errorf("after the re-enactment note comes %s, want the request read", s.Steps[i+1].Kind)
	}
}

// TestMiddlewareAnswers tells a middleware that answers on the way in: the
// router and the view are never reached, and the response goes back out.
func TestMiddlewareAnswers(t *testing.T) {
	j := recorded(t)["http.json"]
	g := j.Stage("gateway")
	st := *g
	gw := *g.Gateway
	gw.Middleware = append([]trace.MiddlewareStep(nil), gw.Middleware...)
	for i, m := range gw.Middleware {
		if m.Direction == trace.DirectionDown && strings.HasSuffix(m.Middleware, "SecurityMiddleware") {
			gw.Middleware[i].Answered = true
			gw.Middleware[i].Action = "301 to https://www.example.com/ (SECURE_SSL_REDIRECT is on)"
		}
	}
	st.Gateway = &gw
	for i, s := range j.Stages {
		if s == g {
			j.Stages[i] = &st
		}
	}
	s := story.Build(j)
	checkFits(t, s)
	said := false
	for _, step := range s.Steps {
		switch step.Kind {
		case story.KindRoute, story.KindMatch, story.KindView:
			t.Errorf("a %s step after a middleware answered", step.Kind)
		case story.KindMiddlewareIn:
			if strings.Contains(step.Narration, "the router and the view are never reached") {
				said = true
			}
		}
	}
	if !said {
		t.Error("no middleware step says it answered itself")
	}
}

// TestBuildEmpty builds no journey and an empty one without a panic.
func TestBuildEmpty(t *testing.T) {
	for name, j := range map[string]*trace.Journey{"nil": nil, "empty": {}, "stages not run": {Stages: []*trace.Stage{{Kind: trace.StageAddress, Status: trace.StatusPending}, {Kind: trace.StageDNS, Status: trace.StatusPending}}}} {
		t.Run(name, func(t *testing.T) {
			s := story.Build(j)
			if len(s.Steps) != 0 {
				t.Errorf("%d steps from %s", len(s.Steps), name)
			}
			if len(s.Parties) != 1 || s.Parties[0].Kind != story.PartyYou {
				t.Errorf("parties %+v, want you alone", s.Parties)
			}
		})
	}
}

// TestWarmVisit: with --warm the story goes on after the first visit's
// last step with the second visit: what it is spared (no DNS question, no
// handshake), the request that asks only for a changed page, the server's
// 304 and where the second visit's time went, on the first visit's clock.
func TestWarmVisit(t *testing.T) {
	j := labRuns(t)["warm"]
	if j == nil || j.Warm == nil || j.Error != "" || j.Warm.Error != "" {
		t.Fatalf("the warm lab run did not make two visits: %+v", j)
	}
	s := story.Build(j)
	checkOrder(t, s)
	visit := -1
	for i, st := range s.Steps {
		if st.Kind == story.KindVisit {
			if visit >= 0 {
				t.Fatalf("two second visits, steps %d and %d", visit+1, i+1)
			}
			visit = i
		}
		if st.Second != (visit >= 0) {
			t.Errorf("step %d (%s %q): Second is %v", i+1, st.Kind, st.Title, st.Second)
		}
		if st.Second && st.ExchangeIndex != -1 {
			t.Errorf("step %d of the second visit points at exchange %d of the first", i+1, st.ExchangeIndex)
		}
	}
	if visit < 1 || s.Steps[visit-1].Kind != story.KindTiming {
		t.Fatalf("the second visit is not told after the first's timing (step %d)", visit+1)
	}
	second := s.Steps[visit:]
	got := withoutMiddleware(kinds(&story.Story{Steps: second}))
	if want := "visit request " + server + " response timing"; got != want {
		t.Errorf("the second visit's kinds\n got %s\nwant %s", got, want)
	}
	for _, want := range []string{"cache", "keep-alive", "If-None-Match"} {
		if !strings.Contains(second[0].Narration, want) {
			t.Errorf("the second visit's first step does not say %q: %s", want, second[0].Narration)
		}
	}
	for _, st := range second {
		switch st.Kind {
		case story.KindRequest:
			if !strings.Contains(string(st.Bytes), "If-None-Match") || st.Lesson == nil || st.Lesson.Name != "If-None-Match" {
				t.Errorf("the second request does not teach its If-None-Match: lesson %+v", st.Lesson)
			}
		case story.KindResponse:
			if !strings.Contains(st.Title, "304") {
				t.Errorf("the second response is %q, not a 304", st.Title)
			}
		case story.KindTiming:
			if !strings.Contains(st.Title, "second visit") {
				t.Errorf("the last step is %q", st.Title)
			}
		}
	}
}
