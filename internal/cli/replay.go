package cli

import (
	"context"
)

// runReplay shows a recorded journey: journey replay [--plain|--json] FILE.
func runReplay(ctx context.Context, args []string, std IO) error {
	return usagef("replay is not built yet")
}
