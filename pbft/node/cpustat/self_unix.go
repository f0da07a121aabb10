//go:build unix

package cpustat

import (
	"syscall"
	"time"
)

// Self is the processor time (user and system) this process has used since it started; 0
// where the system does not say.
func Self() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
