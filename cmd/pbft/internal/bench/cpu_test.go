package bench

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/pbft/node/cpustat"
)

// TestCPUPerTransaction: the window's CPU is the growth of every replica that reported at
// both ends plus this process's, divided by the transactions committed in the window; the
// host's busy share not ours goes to other processes.
func TestCPUPerTransaction(t *testing.T) {
	p := pointForCharts(8, 5*time.Millisecond)
	done, failed, _ := p.rec.committed()
	tx := float64(done + failed)
	if tx == 0 {
		t.Fatal("fixture committed nothing")
	}
	at := func(s float64) controlapi.Metrics { return controlapi.Metrics{CPUSeconds: s} }
	p.before = map[pbft.NodeID]controlapi.Metrics{1: at(10), 2: at(20), 3: at(5)}
	p.after = map[pbft.NodeID]controlapi.Metrics{1: at(13), 2: at(21), 3: at(7), 4: at(50)} // n4: no start, left out
	p.selfBefore, p.selfAfter = time.Second, 3*time.Second
	p.hostBefore = cpustat.Host{Busy: 100 * time.Second, Total: 200 * time.Second}
	p.hostAfter = cpustat.Host{Busy: 109 * time.Second, Total: 210 * time.Second}
	p.hostOK = true
	u := p.cpu()
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-6*math.Max(1, want) }
	if u == nil || !near(u.ReplicasPerTxUS, 6/tx*1e6) || !near(u.ClientsPerTxUS, 2/tx*1e6) || !near(u.PerTxUS, 8/tx*1e6) {
		t.Fatalf("cpu %+v, want replicas %.0f clients %.0f µs/tx", u, 6/tx*1e6, 2/tx*1e6)
	}
	if !near(u.HostBusy, 0.9) || !near(u.Others, 0.1) || u.Cores < 1 {
		t.Fatalf("host %+v, want busy 0.9, others 0.1", u)
	}
	if s := u.String(); !strings.Contains(s, "per tx") || !strings.Contains(s, "90% busy") {
		t.Fatalf("line %q", s)
	}
	p.hostOK = false
	if u := p.cpu(); u.Cores != 0 || strings.Contains(u.String(), "host") {
		t.Fatalf("a remote cluster's host share: %+v", u)
	}
	p.after = map[pbft.NodeID]controlapi.Metrics{1: at(0)}
	if u := p.cpu(); u != nil {
		t.Fatalf("no replica reported CPU, got %+v", u)
	}
}
