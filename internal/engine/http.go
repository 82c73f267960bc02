package engine

import (
	"context"
	"errors"

	"journey/internal/trace"
)

// runHTTP connects to one of addrs and makes the request (the connect and
// HTTP stages).
func runHTTP(ctx context.Context, cfg Config, rec *trace.Recorder, addrs []string) (*fetched, error) {
	rec.StartStage(trace.StageConnect)
	err := errors.New("the connect stage is not built yet")
	rec.FinishStage(trace.StageConnect, err, nil)
	return nil, err
}
