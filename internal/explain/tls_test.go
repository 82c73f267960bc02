package explain

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	addr "journey/internal/address"
	"journey/internal/dial/dialtest"
	"journey/internal/engine"
	"journey/internal/lab"
	"journey/internal/tlswire"
	"journey/internal/trace"
)

// TestTLSInside runs an https journey through the lab and checks the
// explanation says what each encrypted record carried, why it is hidden,
// and what the client checked with each message.
func TestTLSInside(t *testing.T) {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := addr.Parse("https://www.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
		RootCAs: l.RootCAs(), ServerStages: l.ServerStages, Timeout: time.Second}
	rec := trace.NewRecorder(a.Input, trace.ModeLab, "test", nil, nil)
	if err := engine.Run(context.Background(), cfg, rec); err != nil {
		t.Fatal(err)
	}
	j := rec.Finish(nil)
	var handshake, request *trace.Exchange
	for _, e := range j.Stage(trace.StageConnect).Exchanges {
		if e.Kind == "tls" {
			handshake = e
		}
	}
	request = j.Stage(trace.StageHTTP).Exchanges[0]
	if got := Stage(j.Stage(trace.StageConnect)); !strings.Contains(got, "a key exchange with X25519MLKEM768") || !strings.Contains(got, "ML-KEM-768") {
		t.Errorf("the connect stage's explanation does not say the key exchange:\n%s", got)
	}
	for _, tt := range []struct {
		name string
		e    *trace.Exchange
		want []string
	}{
		{"handshake", handshake, []string{
			"an onlooker sees records labelled Application Data",
			"The server sent EncryptedExtensions:",
			"The server sent Certificate: the server's certificate chain, 2 certificates",
			"that the leaf names www.example.com, the host asked for",
			"The server sent CertificateVerify: the server's signature over the whole handshake",
			"The server sent Finished: a MAC over the whole handshake",
			"We sent Finished: the client's MAC",
		}},
		{"request", request, []string{
			"the request travelled in 1 encrypted record of",
			"not the method, the path or the headers",
			"The response came back in",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Exchange(tt.e)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("explanation lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestTLSInsideRefused: a handshake the client ends because the certificate
// does not verify says so, from the alert the client sent encrypted.
func TestTLSInsideRefused(t *testing.T) {
	l, err := lab.Start(context.Background(), lab.Options{Latency: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err := addr.Parse("https://www.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	d := l.Dialer()
	d.Refuse = dialtest.Loopback(t).Refuse
	// No RootCAs: the system's roots do not know the lab's CA.
	cfg := engine.Config{Target: a, Mode: trace.ModeLab, Version: "test", Dialer: d, Roots: l.Roots(),
		ServerStages: l.ServerStages, Timeout: time.Second}
	rec := trace.NewRecorder(a.Input, trace.ModeLab, "test", nil, nil)
	if err := engine.Run(context.Background(), cfg, rec); err == nil {
		t.Fatal("the journey went on with an unknown certificate authority")
	}
	j := rec.Finish(nil)
	var hs *trace.Exchange
	for _, e := range j.Stage(trace.StageConnect).Exchanges {
		if e.Kind == "tls" {
			hs = e
		}
	}
	got := Exchange(hs)
	for _, w := range []string{"The server sent Certificate:", "We sent an alert, encrypted too: fatal: bad_certificate: the certificate did not pass the client's checks"} {
		if !strings.Contains(got, w) {
			t.Errorf("explanation lacks %q:\n%s", w, got)
		}
	}
}

// TestTLS12Inside: in TLS 1.2 the certificate crosses in the clear; the
// explanation must not say it was hidden. The exchange is the recorded lab
// session of package tlswire, read with its key log.
func TestTLS12Inside(t *testing.T) {
	read := func(ext string) []byte {
		b, err := os.ReadFile("../tlswire/testdata/sessions/tls12." + ext)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	keys := &tlswire.KeyLog{}
	keys.Write(read("keylog"))
	c := &tlswire.Conn{Keys: keys}
	srv, cli := c.Read(tlswire.Server, read("server")), c.Read(tlswire.Client, read("client"))
	e := &trace.Exchange{Kind: "tls", Peer: trace.Peer{Name: "www.example.com"},
		Sent:     trace.Message{Bytes: read("client"), Fields: cli.Fields, Decrypted: cli.Decrypted},
		Received: trace.Message{Bytes: read("server"), Fields: srv.Fields, Decrypted: srv.Decrypted}}
	got := Exchange(e)
	for _, w := range []string{"the certificate crossed in the clear", "The server sent Finished:", "We sent Finished:"} {
		if !strings.Contains(got, w) {
			t.Errorf("explanation lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "not the certificate") {
		t.Errorf("a TLS 1.2 handshake is said to hide its certificate:\n%s", got)
	}
}
