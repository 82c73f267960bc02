package lab

import (
	"context"

	"journey/internal/gateway"
	"journey/internal/trace"
)

// newSite builds the web site the lab's web server serves.
func newSite(opts Options) (*gateway.Server, error) {
	return gateway.NewServer(), nil
}

// ServerStages returns the gateway and router stages the lab's web server
// recorded for the connection from clientAddr.
func (l *Lab) ServerStages(ctx context.Context, clientAddr string) ([]*trace.Stage, error) {
	return l.site.Stages(ctx, clientAddr)
}
