package bench

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/bftbank/pbft/cmd/pbft/internal/ledger"
	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
	"github.com/bftbank/pbft/pbft"
)

// LedgerCheck is `pbft ledger verify` on one replica's data directory after a chaos run.
type LedgerCheck struct {
	Replica string `json:"replica"`
	Entries int    `json:"entries"`
	Valid   bool   `json:"valid"`
	Problem string `json:"problem,omitempty"` // the first break, or why it could not be read
}

// checkLedgers stops the replicas and verifies every data directory's ledger against the
// cluster's keys, as an auditor would: a crash must never leave a ledger with a break (a
// snapshot durable before the records of its slots once did). It is skipped for replicas
// without a data directory (--ephemeral).
func (r *ChaosResults) checkLedgers(c *benchCluster, o *Options) {
	if o.Ephemeral || c.existing || c.launcher == nil {
		return
	}
	c.stopReplicas()
	r.Ledgers = make([]LedgerCheck, c.cfg.N())
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.NumCPU()) // one replay per core at a time
	for i := range r.Ledgers {
		id := pbft.NodeID(i + 1)
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			r.Ledgers[i] = verifyLedgerOf(c, id)
		})
	}
	wg.Wait()
}

// verifyLedgerOf verifies replica id's data directory.
func verifyLedgerOf(c *benchCluster, id pbft.NodeID) LedgerCheck {
	dir := c.launcher.DataDirOf(runner.ReplicaSpec{ID: int(id)})
	rep, _, err := ledger.VerifyDir(c.cfg, c.pub, dir)
	lc := LedgerCheck{Replica: id.String(), Entries: rep.Entries, Valid: err == nil && rep.Valid()}
	switch {
	case err != nil:
		lc.Problem = err.Error()
	case rep.Break != nil:
		lc.Problem = fmt.Sprintf("BREAK at slot %d: %s", rep.Break.Seq, rep.Break.Reason)
	}
	return lc
}

// ledgerProblems lists the ledgers that did not verify.
func (r *ChaosResults) ledgerProblems() []string {
	var out []string
	for _, l := range r.Ledgers {
		if !l.Valid {
			out = append(out, fmt.Sprintf("ledger of %s: %s", l.Replica, l.Problem))
		}
	}
	return out
}
