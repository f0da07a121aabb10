package node

import (
	"fmt"
	"sync"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/pbft/transport"
	"github.com/bftbank/pbft/smallbank"
)

func TestClientSharesBoundEachClient(t *testing.T) {
	s := newClientShares()
	for range maxClientInflight {
		if !s.take("A") {
			t.Fatal("a client's share refused early")
		}
	}
	if s.take("A") || !s.take("B") {
		t.Fatal("A went past its share, or B was held by A's")
	}
	s.give("A")
	if !s.take("A") {
		t.Fatal("a share given back was not taken again")
	}
	for range maxClientInflight {
		s.give("A")
	}
	s.give("B")
	if len(s.n) != 0 || s.dropped.Load() != 1 {
		t.Fatalf("left %v, dropped %d", s.n, s.dropped.Load())
	}
}

// TestFloodingClientDoesNotCrowdOutOthers: one client key floods the leader with signed
// requests (20,000, as fast as its connection takes them) while another client transfers.
// The flood's frames beyond its share are dropped before they are checked, the other
// client's transfers commit, and no replica suspects the leader: a probe with one client key
// had forced a view change every few seconds.
func TestFloodingClientDoesNotCrowdOutOthers(t *testing.T) {
	c := startCluster(t, allReplicas, nil)
	flooder := newTestClient(t, c, "A")
	frames := make([][]byte, 20000)
	op, _ := smallbank.EncodeOp(smallbank.Op{Kind: smallbank.OpDepositChecking, Account: "A", Amount: 1})
	for i := range frames {
		req := &pbft.Request{Client: "A", Timestamp: uint64(i + 1), Op: op}
		auth.SignRequest(flooder.key, req)
		frames[i], _ = clientFrame(req)
	}
	var wg sync.WaitGroup
	wg.Go(func() { floodLeader(flooder.conn, frames) })
	honest := newTestClient(t, c, "B")
	for range 5 {
		if out := honest.submit(t, transfer("B", "C", 1)); !out.result.OK {
			t.Fatalf("transfer during the flood: %+v", out)
		}
	}
	wg.Wait()
	var m controlapi.Metrics
	c.nodes[1].ctl.get(t, controlapi.CmdMetrics, 0, &m)
	if m.Dropped.ClientShare == 0 {
		t.Fatalf("the leader dropped none of the flood beyond the client's share: %+v", m.Dropped)
	}
	for id, m := range metricsOf(t, c) {
		if m.View != 1 || m.ViewChanges != 0 {
			t.Fatalf("%s is in view %d after %d view changes: the flood made the leader suspect", id, m.View, m.ViewChanges)
		}
	}
}

// floodLeader sends every frame to n1.
func floodLeader(conn *transport.ClientConn, frames [][]byte) {
	for _, f := range frames {
		conn.Send(1, f)
	}
}

// C2: a request signed by client A and sent on client B's connection was verified against A's
// key and executed: B's connection spoke for A (a connection speaks only for the client it
// proved: docs/protocol.md, "Clients"), replayed whatever of A's it had seen, and had it
// charged to B's share. Every replica refuses it; A's account is unchanged.
func TestRequestOfAnotherClientRefused(t *testing.T) {
	c := startCluster(t, allReplicas, nil)
	relay := newTestClient(t, c, "B")
	op, _ := smallbank.EncodeOp(smallbank.Op{Kind: smallbank.OpDepositChecking, Account: "A", Amount: 5})
	req := &pbft.Request{Client: "A", Timestamp: 1, Op: op}
	auth.SignRequest(c.keys.Clients["A"], req)
	frame, _ := clientFrame(req)
	relay.conn.Broadcast(frame)
	eventually(t, "every replica refuses A's request on B's connection", func() (bool, string) {
		ms := metricsOf(t, c)
		for id, m := range ms {
			if m.Rejected.Other == 0 {
				return false, fmt.Sprintf("%s rejected %+v", id, m.Rejected)
			}
		}
		return true, ""
	})
	if out := relay.submit(t, transfer("B", "C", 1)); !out.result.OK {
		t.Fatalf("B's own transfer: %+v", out)
	}
	if out := relay.submit(t, balanceOf("A")); out.result.Value != 10 {
		t.Fatalf("A holds %d after its deposit came on B's connection, want 10", out.result.Value)
	}
}
