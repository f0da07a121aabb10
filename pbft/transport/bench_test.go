package transport

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// BenchmarkPeerThroughput measures one-way frames per second between two replicas on loopback,
// for a PREPARE-sized and a PRE-PREPARE-sized (100 requests) frame.
func BenchmarkPeerThroughput(b *testing.B) {
	for _, size := range []int{200, 16 << 10} {
		b.Run(byteSize(size), func(b *testing.B) { benchThroughput(b, size) })
	}
}

func benchThroughput(b *testing.B, size int) {
	lns, addrs := listenAll(b, 2)
	got := make(chan struct{}, 1<<16)
	var trs []*Transport
	for i, ln := range lns {
		tr, err := New(Config{Self: pbft.NodeID(i + 1), Addrs: addrs, Listener: ln, Keys: testKeys(pbft.NodeID(i + 1))})
		if err != nil {
			b.Fatal(err)
		}
		tr.Start(func(pbft.NodeID, []byte) { got <- struct{}{} }, nil)
		trs = append(trs, tr)
	}
	defer func() {
		for _, tr := range trs {
			tr.Close()
		}
	}()
	frame := make([]byte, size)
	b.SetBytes(int64(size))
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			for !trs[0].Send(2, frame) {
				runtime.Gosched() // queue full: the benchmark wants every frame delivered
			}
		}
	}()
	for i := 0; i < b.N; i++ {
		<-got
	}
}

func byteSize(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
