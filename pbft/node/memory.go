package node

import (
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// readMemory reports the process's memory for the metrics command: the resident set size from
// /proc (Linux), and the Go runtime's own accounting.
func readMemory() controlapi.Memory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return controlapi.Memory{RSSBytes: residentBytes(), HeapBytes: ms.HeapInuse, SysBytes: ms.Sys}
}

// residentBytes reads the resident set size from /proc/self/statm; 0 where it cannot.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
