package bench

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/bftbank/pbft/client/lincheck"
	"github.com/bftbank/pbft/smallbank"
)

// DefaultLincheckOps is the window of the linearizability check: the first operations of the
// run (warm-up included), about 12 s at 8,000 tx/s. Its accounts graph stays below the giant
// component of 100,000 uniformly chosen accounts (40% of operations join two accounts), so
// porcupine checks thousands of small components instead of one that grows with the run.
const DefaultLincheckOps = 100_000

// lincheckTimeout bounds the check; a check that runs out reports "Unknown".
const lincheckTimeout = 60 * time.Second

// Linearizability is the porcupine check of the clients' history (issue 17) in results.json.
type Linearizability struct {
	Result     string  `json:"result"`                 // Ok, Illegal, Unknown, "off" or "skipped"
	Skipped    string  `json:"skipped,omitempty"`      // why the check was skipped
	Ops        int     `json:"ops"`                    // operations checked: the first --lincheck-ops of the run
	Pending    int     `json:"pending"`                // of which without a response inside the window
	Components int     `json:"components"`             // connected components of accounts
	Largest    int     `json:"largest"`                // operations of the largest component
	WindowS    float64 `json:"window_s"`               // time from the first invocation to the last one checked
	CheckMS    float64 `json:"check_ms"`               // time the check took, after the run
	History    string  `json:"history_html,omitempty"` // visualization of a history that failed
}

// historyLog records the terminals' operations in a lincheck.Log; nil records nothing. Times
// are the terminals' own clock readings, since base.
type historyLog struct {
	log  *lincheck.Log
	base time.Time
}

func newHistoryLog(limit int) *historyLog {
	if limit <= 0 {
		return nil
	}
	return &historyLog{log: lincheck.NewLog(limit), base: time.Now()}
}

// begin records terminal i's invocation of op at start; -1 when nothing is recorded.
func (h *historyLog) begin(i int, op smallbank.Op, start time.Time) int {
	if h == nil {
		return -1
	}
	return h.log.Begin(i, op, start.Sub(h.base).Nanoseconds())
}

// end records the result accepted at end for the operation of slot.
func (h *historyLog) end(slot int, end time.Time, res smallbank.Result) {
	if h != nil {
		h.log.End(slot, end.Sub(h.base).Nanoseconds(), res)
	}
}

// check checks the recorded window against the accounts the cluster loaded, and writes a
// failing history to OUT/history.html.
func (h *historyLog) check(c *benchCluster, out string) (Linearizability, error) {
	if h == nil {
		return Linearizability{Result: "off"}, nil
	}
	if c.existing && c.startSlot != 0 {
		// The check replays the history from the balances the configuration loads, which a
		// cluster that executed requests before the run no longer holds.
		why := "the replicas' state before the run could not be read from their status"
		if c.startSlot > 0 {
			why = fmt.Sprintf("the cluster had executed %d slots before the run, so the accounts' balances at its start are unknown", c.startSlot)
		}
		return Linearizability{Result: "skipped", Skipped: why}, nil
	}
	l := c.cfg.LoadAccounts
	bank := smallbank.NewBank()
	if err := bank.LoadAccounts(l.Count, l.Min, l.Max, l.Seed); err != nil {
		return Linearizability{}, fmt.Errorf("linearizability check: %w", err)
	}
	ops := h.log.Ops()
	res := lincheck.Check(ops, func(n string) (int64, int64, bool) { return bank.Balances(n) }, lincheckTimeout)
	lin := Linearizability{Result: string(res.Outcome), Ops: res.Ops, Pending: res.Pending, Components: res.Partitions,
		Largest: res.Largest, CheckMS: float64(res.Elapsed.Microseconds()) / 1000}
	if len(ops) > 0 {
		lin.WindowS = time.Duration(ops[len(ops)-1].Call - ops[0].Call).Seconds()
	}
	if len(res.Failing) > 0 {
		lin.History = filepath.Join(out, "history.html")
		if err := res.Visualize(lin.History); err != nil {
			return lin, fmt.Errorf("history visualization: %w", err)
		}
	}
	return lin, nil
}
