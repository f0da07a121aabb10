// Package cpustat reads how much processor time a process and its host have used, for the
// replicas' metrics and the benchmark's CPU cost per transaction (docs/benchmarks.md, "CPU per
// transaction"). On a shared machine throughput moves with whatever else runs; the CPU a
// transaction costs moves much less, and the host's own busy time tells how much of the
// machine other processes took.
package cpustat

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// Host is the processor time of every core of the host since boot, from /proc/stat.
type Host struct {
	Busy  time.Duration // user, nice, system, irq, softirq and steal, summed over the cores
	Total time.Duration // Busy plus idle and iowait
}

// ReadHost reads /proc/stat; ok is false where it is missing or unreadable (not Linux).
func ReadHost() (h Host, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return Host{}, false
	}
	return parseHost(b)
}

// userHZ is the unit of /proc/stat's counters: USER_HZ, 100 on every Linux architecture Go
// supports.
const userHZ = 100

// parseHost reads the aggregate "cpu" line of a /proc/stat: user nice system idle iowait irq
// softirq steal, then guest time that user already counts.
func parseHost(b []byte) (Host, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "cpu" {
			continue
		}
		var v [8]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[1+i], 10, 64)
			if err != nil {
				return Host{}, false
			}
			v[i] = n
		}
		tick := time.Second / userHZ
		busy := v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
		return Host{Busy: time.Duration(busy) * tick, Total: time.Duration(busy+v[3]+v[4]) * tick}, true
	}
	return Host{}, false
}

// Share is what a window between two readings of the host was: the fraction of all its
// cores' time that was busy, and the fraction that went to the processes the caller
// measured itself (ours, their summed CPU time over the window).
func Share(before, after Host, ours time.Duration) (busy, mine float64, ok bool) {
	total := after.Total - before.Total
	if total <= 0 {
		return 0, 0, false
	}
	return float64(after.Busy-before.Busy) / float64(total), float64(ours) / float64(total), true
}
