package transport

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// With the pending pool full of stalled connections that are re-opened as soon as they are
// closed, a replica's link and a client's handshake still complete well within
// HelloTimeout: a newcomer sheds the oldest pending connection instead of being refused.
func TestHandshakeCompletesWithPendingPoolFull(t *testing.T) {
	const pool = 64
	for name, caps := range map[string]func(*Config){
		"total":      func(c *Config) { c.Limits.MaxPending = pool },
		"per source": func(c *Config) { c.Limits.MaxPendingPerSource = pool },
	} {
		t.Run(name, func(t *testing.T) {
			tuning := fastTuning
			tuning.HelloTimeout = time.Hour // no stalled connection expires during the test
			lns, addrs := listenAll(t, 2)
			n2 := startNode(t, 2, addrs, lns[1], tuning, caps)
			echo(t, n2)
			stop := stallHandshakes(addrs[2], pool)
			defer stop()
			waitFor(t, "the pool full", func() bool { return pendingCount(n2) == pool })
			n1 := startNode(t, 1, addrs, lns[0], tuning, caps)
			waitFor(t, "n1 linked to n2", func() bool {
				return n1.Stats().Peers[2].Connected && n2.Stats().Peers[1].Connected
			})
			cc, replies := newClient(t, "A", map[pbft.NodeID]string{2: addrs[2]})
			sendUntilReply(t, cc, replies, 2, "through")
			if n2.Stats().Refused.Pending == 0 {
				t.Fatal("no pending connection shed")
			}
		})
	}
}

// stallHandshakes keeps n connections to addr that send the start of a hello and stall,
// opening a new one whenever one is closed, until stop is called.
func stallHandshakes(addr string, n int) (stop func()) {
	var (
		mu   sync.Mutex
		open = make(map[net.Conn]bool)
		done bool
		wg   sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := net.Dial("tcp", addr)
				mu.Lock()
				if err != nil || done {
					mu.Unlock()
					if c != nil {
						c.Close()
					}
					return
				}
				open[c] = true
				mu.Unlock()
				c.Write([]byte("PBFT\x02"))
				io.Copy(io.Discard, c) // until the replica closes it
				mu.Lock()
				delete(open, c)
				mu.Unlock()
				c.Close()
			}
		}()
	}
	return func() {
		mu.Lock()
		done = true
		for c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}
