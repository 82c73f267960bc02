package tui

import (
	"testing"

	"journey/internal/trace"
)

// TestResultVerdict: the result tree says what the trace says of the
// certificate, -k or not (under -k a certificate that verified once read
// "no: -k skipped the check").
func TestResultVerdict(t *testing.T) {
	tests := []struct {
		name   string
		tls    *trace.TLS
		tlsErr string
		want   string
	}{
		{"verified", &trace.TLS{Verified: true}, "", "yes"},
		{"verified under -k", &trace.TLS{Verified: true, Insecure: true}, "", "yes (-k was not needed)"},
		{"not verified, -k went on", &trace.TLS{Insecure: true, VerifyError: "x509: bad"}, "", "NO: x509: bad (-k went on anyway)"},
		{"not verified", &trace.TLS{VerifyError: "x509: bad"}, "certificate did not verify", "no: x509: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &trace.Stage{Kind: trace.StageConnect, Status: trace.StatusDone, Connect: &trace.Connect{TLS: tt.tls},
				Exchanges: []*trace.Exchange{{Kind: "tls", Error: tt.tlsErr}}}
			got := ""
			for _, f := range resultFields(s) {
				for _, c := range f.Children {
					if c.Name == "verified" {
						got = c.Value
					}
				}
			}
			if got != tt.want {
				t.Errorf("verified: %q, want %q", got, tt.want)
			}
		})
	}
}
