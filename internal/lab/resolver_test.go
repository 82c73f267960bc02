package lab

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/engine"
	"journey/internal/story"
	"journey/internal/trace"
)

// stubJourney runs a journey that asks the lab's resolver (@SERVER).
func stubJourney(t *testing.T, l *Lab, target string) *trace.Journey {
	t.Helper()
	a, err := address.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(), Resolver: l.Resolver(),
		RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: 2 * time.Second,
		ResolverWalk: func(client string, id uint16) (*engine.ResolverWalk, bool) {
			w, ok := l.ResolverWalk(client, id)
			if !ok {
				return nil, false
			}
			return &engine.ResolverWalk{At: w.At, Exchanges: w.Exchanges, Cached: w.Cached, Age: w.Age, Who: w.Who}, true
		}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec := trace.NewRecorder(target, cfg.Mode, "test", nil, nil)
	err = engine.Run(ctx, cfg, rec)
	j := rec.Finish(err)
	if err != nil {
		t.Fatalf("journey failed: %v", err)
	}
	return j
}

// TestResolverWalksThenCaches: the stub asks one question; the first time
// the resolver walks the tree (shown nested under the question), the
// second time it answers from its cache with no walk.
func TestResolverWalksThenCaches(t *testing.T) {
	l := startLab(t, Options{Latency: time.Millisecond})
	cold := stubJourney(t, l, "shop.example.com")
	dns := cold.Stage(trace.StageDNS)
	var stub, nested int
	for _, ex := range dns.Exchanges {
		switch ex.Depth {
		case 0:
			stub++
			if ex.Peer.Addr != "192.0.2.53:53" {
				t.Errorf("the stub asked %s", ex.Peer.Addr)
			}
		default:
			nested++
			if ex.DNS.For == "" || ex.Start < dns.Exchanges[0].Start {
				t.Errorf("nested %q: for %q, start %s before the question's %s", ex.Label, ex.DNS.For, ex.Start, dns.Exchanges[0].Start)
			}
		}
	}
	if stub != 1 || nested < 4 {
		t.Errorf("cold: %d stub questions, %d nested; want 1 and the walk (a CNAME into another zone)", stub, nested)
	}
	if got := dns.DNS.Addresses; len(got) != 1 || got[0] != "203.0.113.10" || len(dns.DNS.Chain) == 0 {
		t.Errorf("cold: addresses %v, chain %v", got, dns.DNS.Chain)
	}

	warm := stubJourney(t, l, "shop.example.com")
	dns = warm.Stage(trace.StageDNS)
	if len(dns.Exchanges) != 1 {
		t.Errorf("warm: %d exchanges, want the stub's one question only", len(dns.Exchanges))
	}
	if !strings.Contains(strings.Join(dns.Notes, " "), "from its cache") {
		t.Errorf("warm: the notes do not say the cache answered: %q", dns.Notes)
	}
	if got := dns.DNS.Addresses; len(got) != 1 || got[0] != "203.0.113.10" {
		t.Errorf("warm: addresses %v", got)
	}
	if cold.Stage(trace.StageDNS).Duration < dns.Duration {
		t.Errorf("the cached answer (%s) took longer than the walk (%s)", dns.Duration, cold.Stage(trace.StageDNS).Duration)
	}
}

// TestResolverNXDomainCached: a name that does not exist is answered
// NXDOMAIN, and kept (negative caching) as well.
func TestResolverNXDomainCached(t *testing.T) {
	l := startLab(t, Options{})
	for i := range 2 {
		a, _ := address.Parse("nope.example.com")
		cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: l.Dialer(), Roots: l.Roots(), Resolver: l.Resolver()}
		rec := trace.NewRecorder("nope.example.com", cfg.Mode, "test", nil, nil)
		err := engine.Run(context.Background(), cfg, rec)
		j := rec.Finish(err)
		if err == nil || j.Stage(trace.StageDNS).DNS.RCode != "NXDOMAIN" {
			t.Fatalf("run %d: err %v, rcode %q", i, err, j.Stage(trace.StageDNS).DNS.RCode)
		}
		c, _, ok := l.resolver.lookup(cacheKey{"nope.example.com.", 1})
		if !ok || c.rcode != 3 || c.ttl == 0 || c.ttl > maxNegativeTTL {
			t.Errorf("run %d: cached %v %+v, want NXDOMAIN kept for at most %ds", i, ok, c, maxNegativeTTL)
		}
	}
}

// TestCachedTTLCountsDown: an answer from the cache carries the TTL that
// is left, as a resolver's does, never below zero.
func TestCachedTTLCountsDown(t *testing.T) {
	rr, err := dns.NewRR("www.example.com. 3600 IN A 203.0.113.10")
	if err != nil {
		t.Fatal(err)
	}
	c := &cached{answer: []dns.RR{rr}}
	tests := []struct {
		name string
		age  time.Duration
		want uint32
	}{
		{"just walked", 300 * time.Millisecond, 3600},
		{"five seconds on", 5 * time.Second, 3595},
		{"an hour on", 2 * time.Hour, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := new(dns.Msg)
			fill(m, c, tc.age)
			if got := m.Answer[0].Header().Ttl; got != tc.want {
				t.Errorf("TTL %d, want %d", got, tc.want)
			}
			if rr.Header().Ttl != 3600 {
				t.Error("filling an answer changed the cached record")
			}
		})
	}
}

// TestResolverStory: the story of a journey through the lab's resolver
// (@SERVER) tells the resolver's own walk as the resolver's questions,
// not ours, and its answer as a recursive resolver's, not as the answer
// of the zone's own server.
func TestResolverStory(t *testing.T) {
	l := startLab(t, Options{Latency: 0})
	s := story.Build(stubJourney(t, l, "www.example.com"))
	var said []string
	for _, st := range s.Steps {
		if st.Stage == trace.StageDNS {
			said = append(said, st.Narration)
		}
	}
	all := strings.Join(said, "\n")
	for _, want := range []string{"the resolver asks a.root-servers.net", "The resolver's walk ends here", "the recursive resolver, answers"} {
		if !strings.Contains(all, want) {
			t.Errorf("the DNS steps do not say %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "lookup inside the lookup is done") {
		t.Errorf("the resolver's answer is told as a nameserver's address:\n%s", all)
	}
	// Its walk goes from the resolver, not from us.
	for _, st := range s.Steps {
		if st.Stage == trace.StageDNS && st.Depth > 0 && (st.Kind == story.KindQuery && st.From == 0 || st.Kind == story.KindReply && st.To == 0) {
			t.Errorf("the resolver's own %s %q is drawn to or from us", st.Kind, st.Title)
		}
	}
}
