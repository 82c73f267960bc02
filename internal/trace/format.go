package trace

import (
	"fmt"
	"time"
)

// Dur formats a duration the way every renderer shows timings: in
// milliseconds with one decimal below ten seconds ("12.3 ms"), as httpstat does.
func Dur(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + Dur(-d)
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}
