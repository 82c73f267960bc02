package dns

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"journey/internal/dial"
	"journey/internal/trace"
)

// benchServer is an authoritative server on loopback answering every A
// question with one address, as a zone's server does.
func benchServer(b *testing.B) string {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(r)
		m.Authoritative = true
		rr, _ := mdns.NewRR(r.Question[0].Name + " 60 IN A 192.0.2.80")
		m.Answer = []mdns.RR{rr}
		if opt := r.IsEdns0(); opt != nil {
			m.SetEdns0(opt.UDPSize(), false)
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	b.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// cpuTime is the CPU this process has used, user and system: on a shared
// machine wall time swings with the load of others, CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per operation (cpu-ns/op), server included,
// to a benchmark's figures.
func reportCPU(b *testing.B, loop func()) {
	start := cpuTime()
	n := 0
	for b.Loop() {
		loop()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}

// BenchmarkExchange is the pair of item 6: one question and its reply
// through the resolver (packing, capture of both messages, annotation of
// their fields, classification and recording) against the same question
// by a bare miekg/dns client, both to the same loopback server. Compare
// with benchstat; the goal is at most 1.3 times the bare exchange.
func BenchmarkExchange(b *testing.B) {
	addr := benchServer(b)
	b.Run("journey", func(b *testing.B) {
		r := &Resolver{Dialer: &dial.Router{LoopbackOnly: true}}
		b.ReportAllocs()
		reportCPU(b, func() {
			r.Recorder = trace.NewRecorder("www.test", trace.ModeLab, "bench", nil, nil)
			st := newState(FamilyIPv4)
			q := question{name: "www.test.", qtype: mdns.TypeA, server: Server{Name: "ns.test", Addr: addr}, zone: "test.", attempt: 1}
			if _, err := r.ask(context.Background(), st, q); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("miekg", func(b *testing.B) {
		c := new(mdns.Client)
		b.ReportAllocs()
		reportCPU(b, func() {
			m := new(mdns.Msg)
			m.SetQuestion("www.test.", mdns.TypeA)
			m.RecursionDesired = false
			m.SetEdns0(EDNSBufferSize, false)
			if _, _, err := c.Exchange(m, addr); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkAnnotateAnswer annotates a query and its one-address answer, as
// every exchange does.
func BenchmarkAnnotateAnswer(b *testing.B) {
	q := new(mdns.Msg)
	q.SetQuestion("www.test.", mdns.TypeA)
	q.SetEdns0(EDNSBufferSize, false)
	qb, _ := q.Pack()
	m := new(mdns.Msg)
	m.SetReply(q)
	rr, _ := mdns.NewRR("www.test. 60 IN A 192.0.2.80")
	m.Answer = []mdns.RR{rr}
	m.SetEdns0(EDNSBufferSize, false)
	rb, _ := m.Pack()
	b.ReportAllocs()
	for b.Loop() {
		Annotate(qb)
		Annotate(rb)
	}
}
