package lincheck

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// Result is the verdict of a check.
type Result struct {
	// Outcome is porcupine.Ok (linearizable), porcupine.Illegal (not), or porcupine.Unknown
	// (the check ran out of time).
	Outcome    porcupine.CheckResult
	Ops        int           // operations checked
	Pending    int           // of which without a response (unknown result)
	Partitions int           // connected components of accounts
	Largest    int           // operations in the largest component
	Elapsed    time.Duration // time the check took
	// Failing holds the components that are not linearizable (only when Outcome is Illegal),
	// for Visualize.
	Failing []porcupine.Operation
	initial Initial
}

// Linearizable reports whether the check proved the history linearizable.
func (r Result) Linearizable() bool { return r.Outcome == porcupine.Ok }

// String summarises the verdict, e.g. "linearizable (1200 operations, 340 components, largest 12,
// 15 ms)".
func (r Result) String() string {
	verdict := map[porcupine.CheckResult]string{porcupine.Ok: "linearizable", porcupine.Illegal: "NOT linearizable",
		porcupine.Unknown: "linearizability unknown (check timed out)"}[r.Outcome]
	return fmt.Sprintf("%s (%d operations, %d without response, %d components, largest %d, %.0f ms)",
		verdict, r.Ops, r.Pending, r.Partitions, r.Largest, float64(r.Elapsed.Microseconds())/1000)
}

// Check checks a history against the bank whose accounts open with initial; timeout bounds
// the check (0: none).
func Check(ops []Op, initial Initial, timeout time.Duration) Result {
	start := time.Now()
	m := model(initial)
	history := operations(ops)
	parts := partition(history)
	res := Result{Ops: len(ops), Partitions: len(parts), initial: initial}
	for _, op := range ops {
		if !op.Done {
			res.Pending++
		}
	}
	for _, p := range parts {
		res.Largest = max(res.Largest, len(p))
	}
	res.Outcome = porcupine.CheckOperationsTimeout(m, history, timeout)
	if res.Outcome == porcupine.Illegal {
		res.Failing = failing(m, parts, timeout)
	}
	res.Elapsed = time.Since(start)
	return res
}

// failing returns the operations of the components that are not linearizable.
func failing(m porcupine.Model, parts [][]porcupine.Operation, timeout time.Duration) []porcupine.Operation {
	var out []porcupine.Operation
	for _, p := range parts {
		if porcupine.CheckOperationsTimeout(m, p, timeout) == porcupine.Illegal {
			out = append(out, p...)
		}
	}
	return out
}

// Visualize writes porcupine's HTML visualization of the failing components to path: the
// operations per client on a time line, and the longest linearizable prefixes found.
func (r Result) Visualize(path string) error {
	if len(r.Failing) == 0 {
		return fmt.Errorf("lincheck: nothing to visualize: the history is %s", r.Outcome)
	}
	m := model(r.initial)
	_, info := porcupine.CheckOperationsVerbose(m, r.Failing, 0)
	return porcupine.VisualizePath(m, info, path)
}
