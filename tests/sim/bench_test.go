package sim

import (
	"syscall"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSimulatedCore runs seven replicas and 64 clients in one goroutine with the real
// authenticator (every frame verified at every receiver, every request signature, every
// certificate) and reports transactions per CPU-second of the whole cluster.
func BenchmarkSimulatedCore(b *testing.B) {
	for _, scheme := range []string{crypto.SchemeBLS12381, crypto.SchemeBN256} {
		b.Run(scheme, func(b *testing.B) {
			a, err := NewRealAuth(scheme, 2, 64, []byte("bench"))
			if err != nil {
				b.Fatal(err)
			}
			a.NoCache = true
			s, err := New(Options{Seed: 1, Clients: 64, Auth: a, Net: NetFaults{MinDelay: 1, MaxDelay: 2},
				Configure: func(c *pbft.Config) { c.FastPathTicks = 4; c.MaxBatch = 256 }})
			if err != nil {
				b.Fatal(err)
			}
			per := max(1, b.N/64)
			b.ResetTimer()
			cpu0 := cpuTime()
			s.Issue(per)
			if err := s.RunUntil(s.Idle, 10_000_000); err != nil {
				b.Fatal(err)
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(s.Completed())/cpu.Seconds(), "tx/CPU-s")
			b.ReportMetric(float64(s.Replica(1).Executed()), "slots")
		})
	}
}
