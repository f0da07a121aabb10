//go:build !unix

package cpustat

import "time"

// Self is the processor time this process has used since it started; 0 where the system does
// not say (here).
func Self() time.Duration { return 0 }
