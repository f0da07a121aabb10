package term

import (
	"bytes"
	"sync"
)

// Capture collects output that one goroutine (or process pipe) writes while another reads
// it: a bytes.Buffer behind a mutex. Tests use it to watch a command's output as it runs.
type Capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Capture) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Capture) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
