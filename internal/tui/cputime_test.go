//go:build unix

package tui

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system time so far. The machine the
// benchmarks run on is shared: wall time per frame then measures the
// neighbours' load as much as the code, CPU time only the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per operation since start to b's results.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
