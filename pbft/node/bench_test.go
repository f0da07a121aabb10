package node

import (
	"fmt"
	"sync"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// BenchmarkClusterTransfers measures end-to-end ordered transfers on seven in-process
// replicas over loopback TCP with real signatures: four closed-loop clients, b.N transfers
// in total. All replicas share the machine's cores, so this is a lower bound for a real
// deployment.
func BenchmarkClusterTransfers(b *testing.B) {
	for _, live := range []int{7, 6} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			c := startCluster(b, allReplicas[:live], nil)
			clients := []*testClient{}
			for _, name := range []string{"A", "B", "C", "D"} {
				clients = append(clients, newTestClient(b, c, name))
			}
			b.ResetTimer()
			var wg sync.WaitGroup
			for i, tc := range clients {
				n := b.N / len(clients)
				if i < b.N%len(clients) {
					n++
				}
				to := testAccounts[(i+1)%len(clients)]
				wg.Go(func() {
					for range n {
						tc.submit(b, transfer(string(tc.id), to, 0))
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			var m controlapi.Metrics
			c.nodes[pbft.NodeID(1)].ctl.get(b, "metrics", 0, &m)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
			b.ReportMetric(m.LatencyMS.P50, "p50-ms")
			b.ReportMetric(float64(m.FastCommits), "fast-slots")
			b.ReportMetric(float64(m.SlowCommits), "slow-slots")
		})
	}
}
