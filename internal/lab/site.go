package lab

import (
	"context"
	"fmt"

	"journey/internal/gateway"
	"journey/internal/router"
	"journey/internal/trace"
)

// newSite builds the web site the lab's web server serves: the URL file
// of opts.URLs, or the demo site.
func newSite(opts Options) (*gateway.Server, error) {
	conf, err := router.Load(opts.URLs)
	if err != nil {
		return nil, fmt.Errorf("the lab's web site: %w", err)
	}
	return gateway.NewServer(conf), nil
}

// ServerStages returns the gateway and router stages the lab's web server
// recorded for the connection from clientAddr, waiting until the response
// has been written or ctx ends. Their offsets count from the moment the
// server began reading (Gateway.Origin); the engine rebases them.
func (l *Lab) ServerStages(ctx context.Context, clientAddr string) ([]*trace.Stage, error) {
	return l.site.Stages(ctx, clientAddr)
}
