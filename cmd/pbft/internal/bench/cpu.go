package bench

import (
	"fmt"
	"runtime"
	"time"

	"github.com/bftbank/pbft/pbft/node/cpustat"
)

// CPUUse is the processor time the measured window cost, per committed transaction
// (docs/benchmarks.md, "CPU per transaction"). On a machine shared with other work the
// throughput moves with what else runs; the CPU a transaction costs moves much less, so paired
// runs of two builds compare it too. HostBusy and Others are for a local cluster only: the
// share of all the host's core time that was busy, and the share that went to processes other
// than the replicas and this one.
type CPUUse struct {
	PerTxUS         float64 `json:"per_tx_us"`          // replicas and clients together
	ReplicasPerTxUS float64 `json:"replicas_per_tx_us"` // replicas that answered both metrics calls
	ClientsPerTxUS  float64 `json:"clients_per_tx_us"`  // this process: the clients and the recorder
	HostBusy        float64 `json:"host_busy,omitempty"`
	Others          float64 `json:"others,omitempty"`
	Cores           int     `json:"cores,omitempty"`
}

// cpu is the point's CPUUse, or nil when no replica reported CPU time or nothing committed.
func (p *point) cpu() *CPUUse {
	done, failed, _ := p.rec.committed()
	var replicas float64
	reported := false
	for id, a := range p.after {
		b, ok := p.before[id]
		if !ok || a.CPUSeconds <= 0 {
			continue
		}
		replicas += a.CPUSeconds - b.CPUSeconds
		reported = true
	}
	tx := float64(done + failed)
	if !reported || tx == 0 {
		return nil
	}
	clients := (p.selfAfter - p.selfBefore).Seconds()
	u := &CPUUse{PerTxUS: (replicas + clients) / tx * 1e6, ReplicasPerTxUS: replicas / tx * 1e6,
		ClientsPerTxUS: clients / tx * 1e6}
	if p.hostOK {
		ours := time.Duration((replicas + clients) * float64(time.Second))
		if busy, mine, ok := cpustat.Share(p.hostBefore, p.hostAfter, ours); ok {
			u.HostBusy, u.Others, u.Cores = busy, max(0, busy-mine), runtime.NumCPU()
		}
	}
	return u
}

// String is the summary's cpu line.
func (u *CPUUse) String() string {
	s := fmt.Sprintf("%.0f µs per tx (replicas %.0f, clients %.0f)", u.PerTxUS, u.ReplicasPerTxUS, u.ClientsPerTxUS)
	if u.Cores > 0 {
		s += fmt.Sprintf("; host %.0f%% busy over %d cores, %.0f%% by other processes", 100*u.HostBusy, u.Cores, 100*u.Others)
	}
	return s
}
