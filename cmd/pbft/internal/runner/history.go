package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bftbank/pbft/client/lincheck"
	"github.com/bftbank/pbft/smallbank"
)

// historyCheckTimeout bounds the linearizability check of one set (a set has a few dozen
// operations; the check takes well under a millisecond).
const historyCheckTimeout = 10 * time.Second

// setHistory is every operation of a set as its client saw it: invoked just before the client
// call, answered just after it returns a result (not-committed operations have no response:
// they may still execute later). Times are monotonic nanoseconds since the set began.
type setHistory struct {
	mu      sync.Mutex
	ops     []lincheck.Op
	clients map[string]int // porcupine's client numbers, in order of first operation
}

// begin records the invocation of op by client and returns its index.
func (h *setHistory) begin(client string, op smallbank.Op, now time.Duration) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.clients == nil {
		h.clients = map[string]int{}
	}
	id, ok := h.clients[client]
	if !ok {
		id = len(h.clients)
		h.clients[client] = id
	}
	h.ops = append(h.ops, lincheck.Op{Client: id, Input: op, Call: now.Nanoseconds()})
	return len(h.ops) - 1
}

// end records the result the client accepted for operation i.
func (h *setHistory) end(i int, now time.Duration, res smallbank.Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops[i].Return, h.ops[i].Result, h.ops[i].Done = now.Nanoseconds(), res, true
}

// snapshot returns the operations recorded so far.
func (h *setHistory) snapshot() []lincheck.Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]lincheck.Op(nil), h.ops...)
}

// historyVerdict is the linearizability check of a set.
type historyVerdict struct {
	result lincheck.Result
	html   string // the visualization of a history that failed, or why it could not be written
}

// checkHistory checks the set's history against sequential execution from the opening
// balances, and writes a failing one as HTML.
func (s *setRun) checkHistory() historyVerdict {
	bank := s.r.initialBank()
	initial := func(name string) (int64, int64, bool) { return bank.Balances(name) }
	v := historyVerdict{result: lincheck.Check(s.hist.snapshot(), initial, historyCheckTimeout)}
	if v.result.Linearizable() || len(v.result.Failing) == 0 {
		return v
	}
	path := s.historyPath()
	if err := v.result.Visualize(path); err != nil {
		v.html = "cannot write the visualization: " + err.Error()
		return v
	}
	v.html = path
	return v
}

// historyPath is where a failing history of the set goes: beside the report, or in the
// temporary directory.
func (s *setRun) historyPath() string {
	dir, stem := os.TempDir(), fmt.Sprintf("pbft-%d", os.Getpid())
	if p := s.r.opts.ReportPath; p != "" {
		dir, stem = filepath.Dir(p), strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	}
	return filepath.Join(dir, fmt.Sprintf("%s-set%s-history.html", stem, s.set.Number))
}

// summary is the verdict as the set's summary line ends.
func (v historyVerdict) summary() string {
	if v.result.Linearizable() {
		return "history linearizable"
	}
	if v.html != "" {
		return fmt.Sprintf("history %s: %s", v.result, v.html)
	}
	return "history " + v.result.String()
}
