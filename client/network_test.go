package client

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

func TestSharedNetworkCarriesManyClients(t *testing.T) {
	fc := newFakeCluster(t)
	net := fc.network()
	a := fc.newClient("A", Options{Network: net})
	b := fc.newClient("B", Options{Network: net})
	var wg sync.WaitGroup
	var transfer, read Outcome
	var errA, errB error
	wg.Go(func() { transfer, errA = a.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 4)")) })
	wg.Go(func() { read, errB = b.Read(ctxTimeout(t, testTimeout), encode(t, "Balance(A)")) })
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("errors: %v, %v", errA, errB)
	}
	if r := result(t, transfer); !r.OK || transfer.Seq != 1 {
		t.Fatalf("transfer %+v %v, want ok at seq 1", transfer, r)
	}
	if r := result(t, read); !r.OK || (r.Value != 10 && r.Value != 6) {
		t.Fatalf("read %v, want the balance before or after the transfer", r)
	}
	if fc.balance("A") != 6 || fc.balance("B") != 14 {
		t.Fatalf("balances A=%d B=%d, want 6 and 14", fc.balance("A"), fc.balance("B"))
	}
}

func TestSharedNetworkFollowsViewChange(t *testing.T) {
	fc := newFakeCluster(t, silent) // n1, the leader of view 1, is down
	c := fc.newClient("A", Options{Network: fc.network(), Retransmit: 2 * time.Second})
	if _, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	if c.View() != 2 {
		t.Fatalf("client view %d after the view change, want 2", c.View())
	}
	if _, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	if got := fc.received(fc.lastTimestamp("A")); !slices.Equal(got, []pbft.NodeID{2}) {
		t.Fatalf("second request reached %v, want only the new leader n2", got)
	}
}

func TestClosedNetworkEndsCalls(t *testing.T) {
	fc := newFakeCluster(t, silent, silent, silent, silent, silent, silent, silent)
	net := fc.network()
	c := fc.newClient("A", Options{Network: net})
	net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.Submit(ctx, encode(t, "(A, B, 1)")); err == nil {
		t.Fatal("a request over a closed network succeeded")
	}
}
