package pbft_test

import (
	"fmt"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
)

// durableScript is the scripted run of the durability tests: transfers in view 1, the leader
// cut off and a view change to view 2 while a request waits, the old leader back (it must
// learn view 2 from its peers), more transfers, then clients resend until every request is
// acknowledged. Every transfer succeeds whatever the order, so the final balances are known;
// each request has its own client, so a lost one may be resent in any order.
func durableScript(n *durableNet) {
	n.request(1, "c1", 1, transfer("A", "B", 3))
	n.request(1, "c2", 1, transfer("B", "C", 5))
	n.tick(4)
	n.request(2, "c3", 1, transfer("C", "A", 7))
	n.request(1, "c4", 1, transfer("A", "C", 1))
	n.tick(4)
	n.down[1] = true
	n.request(2, "c5", 1, transfer("B", "A", 2))
	n.propose(3, n.requests[len(n.requests)-1])
	n.tick(45)
	n.down[1] = false
	n.request(2, "c6", 1, transfer("C", "B", 4))
	n.tick(4)
	n.settle()
}

var durableFinal = [3]int64{105, 100, 95}

func (n *durableNet) checkFinal() {
	for id := pbft.NodeID(1); id <= 4; id++ {
		if got := n.balances(id); got != durableFinal {
			n.t.Fatalf("%s ends with balances %v, want %v (a lost or repeated transaction): %s", id, got, durableFinal, n.summary())
		}
	}
}

// TestDurableScriptWithoutCrash is the reference run of the crash tests.
func TestDurableScriptWithoutCrash(t *testing.T) {
	n := newDurableNet(t)
	durableScript(n)
	n.checkFinal()
	if v := n.reps[2].View(); v != 2 {
		t.Fatalf("the script should reach view 2, got %d", v)
	}
}

// TestCrashAtEveryWrite crashes one replica (each in turn), or all four at once, at every
// write of the scripted run, before the write (nothing of that Ready durable) and after it
// (durable, nothing sent), and restarts it at once from its store (CometBFT's
// crash-at-every-WAL-write test). No replica ever signs two digests for one (kind, view,
// slot), never comes back in a lower view, replicas never diverge, and every acknowledged
// transaction is in the final state exactly once.
func TestCrashAtEveryWrite(t *testing.T) {
	for _, lag := range []int{0, 3} {
		t.Run(fmt.Sprintf("group-commit-%d", lag), func(t *testing.T) { crashAtEveryWrite(t, lag) })
	}
}

// crashAtEveryWrite is TestCrashAtEveryWrite with writes grouped lag Readies at a time (0:
// every Ready written before its binding messages leave, as one synced write each).
func crashAtEveryWrite(t *testing.T, lag int) {
	ref := newDurableNet(t)
	ref.lag = lag
	durableScript(ref)
	runs := 0
	for target := pbft.NodeID(1); target <= 4; target++ {
		for k := 1; k <= ref.writes[target]; k++ {
			if testing.Short() && k%7 != 0 {
				continue
			}
			for _, mode := range []struct{ after, all bool }{{false, false}, {true, false}, {false, true}} {
				n := newDurableNet(t)
				n.lag = lag
				n.name = fmt.Sprintf("crash %s at write %d (after=%v, all=%v, lag=%d)", target, k, mode.after, mode.all, lag)
				n.crash, n.crashAt, n.afterWrite, n.crashAll = target, k, mode.after, mode.all
				durableScript(n)
				n.checkFinal()
				runs++
			}
		}
	}
	t.Logf("%d crash runs over %v writes", runs, ref.writes[1:])
}

// TestFullRestartKeepsTheBank: all four replicas restart from their stores; the bank is
// intact, and a captured client request replayed to every replica does not execute again
// (A 10 -> 7 must not happen: the exactly-once table is durable).
func TestFullRestartKeepsTheBank(t *testing.T) {
	n := newDurableNet(t)
	durableScript(n)
	before := n.balances(1)
	for id := pbft.NodeID(1); id <= 4; id++ {
		n.crashed = false
		n.restart(id)
	}
	for id := pbft.NodeID(1); id <= 4; id++ {
		if got := n.balances(id); got != before {
			t.Fatalf("%s restarted with balances %v, want %v", id, got, before)
		}
	}
	replayed := n.requests[0]
	for id := pbft.NodeID(1); id <= 4; id++ {
		n.propose(id, replayed)
	}
	n.tick(50)
	n.checkFinal()
	if !n.agree() {
		t.Fatalf("no agreement after a full restart: %s", n.summary())
	}
}

// TestRestartedReplicaRejoinsCurrentView: a replica restarted in view 2 comes back in view 2,
// active; the old leader, cut off during the view change, learns view 2 from its peers (the
// NEW-VIEW that proves it) and votes in it.
func TestRestartedReplicaRejoinsCurrentView(t *testing.T) {
	n := newDurableNet(t)
	durableScript(n)
	n.crashed = false
	n.restart(3)
	if r := n.reps[3]; r.View() != 2 || !r.ViewActive() {
		t.Fatalf("n3 restarted in view %d (active %v), want view 2 active", r.View(), r.ViewActive())
	}
	// Replica 1 was cut off during the view change; restart it from an empty store too: it
	// is in view 1 either way.
	n.request(2, "c7", 1, transfer("A", "B", 1))
	n.request(2, "c8", 1, transfer("B", "A", 1))
	s := n.reps[2].Executed()
	for id := pbft.NodeID(1); id <= 4; id++ {
		if n.reps[id].View() != 2 || !n.reps[id].ViewActive() {
			t.Fatalf("%s is in view %d (active %v), want view 2: %s", id, n.reps[id].View(), n.reps[id].ViewActive(), n.summary())
		}
	}
	for _, id := range []pbft.NodeID{1, 3} {
		if _, ok := n.votes[voteKey{id, "PREPARE", 2, s}]; !ok {
			t.Fatalf("%s did not vote for s=%d in view 2", id, s)
		}
	}
}

// TestRestartedLeaderResumes: after a power cut every replica comes back in view 2; its
// leader (n2) knows every PRE-PREPARE it sent (each was durable before it left) and goes on
// proposing after them: the next request commits in view 2, well before a view-change timeout.
func TestRestartedLeaderResumes(t *testing.T) {
	n := newDurableNet(t)
	n.lag = 3
	durableScript(n)
	for id := pbft.NodeID(1); id <= 4; id++ {
		n.crashed = false
		n.restart(id)
	}
	n.deliverAll()
	n.request(2, "c7", 1, transfer("A", "B", 1))
	n.tick(3) // a tenth of the view-change timeout (30 ticks)
	for id := pbft.NodeID(1); id <= 4; id++ {
		if r := n.reps[id]; r.View() != 2 || !r.ViewActive() {
			t.Fatalf("%s is in view %d (active %v), want view 2: %s", id, r.View(), r.ViewActive(), n.summary())
		}
	}
	if !n.acked(n.requests[len(n.requests)-1]) {
		t.Fatalf("the request after the restart is not acknowledged: %s", n.summary())
	}
}

// TestDamagedSlotIsFetchedAgain: a replica whose stored batch of an executed slot was changed
// behind its checksum (a bad disk, or someone with write access) restarts all the same:
// replay stops before that slot, catch-up brings it back from its peers, and the replica
// ends with the others' state, its ledger whole again. It refused to start before.
func TestDamagedSlotIsFetchedAgain(t *testing.T) {
	n := newDurableNet(t)
	durableScript(n)
	n.request(2, "c8", 1, transfer("A", "C", 2)) // one slot past the last checkpoint
	n.tick(4)
	loaded, err := n.disks[3].Load()
	if err != nil {
		t.Fatal(err)
	}
	from := pbft.Seq(1)
	if loaded.Snapshot != nil {
		from = loaded.Snapshot.Cert.Seq + 1
	}
	damaged := n.reps[3].Executed()
	if damaged < from {
		t.Fatalf("n3 executed s=%d, nothing to replay after its snapshot s=%d", damaged, from-1)
	}
	if err := n.disks[3].TamperLedger(damaged); err != nil {
		t.Fatal(err)
	}
	n.crashed = false
	n.restart(3)
	if got := n.reps[3].Executed(); got >= damaged {
		t.Fatalf("n3 replayed the damaged slot %d (executed %d)", damaged, got)
	}
	n.request(2, "c7", 1, transfer("A", "B", 1))
	n.request(2, "c7", 2, transfer("B", "A", 1))
	n.tick(60)
	if n.reps[3].Executed() != n.reps[2].Executed() || n.balances(3) != n.balances(2) {
		t.Fatalf("n3 did not catch up: %s", n.summary())
	}
	var last storage.LedgerEntry
	_ = n.disks[3].Ledger(func(le storage.LedgerEntry, err error) bool {
		if err != nil || pbft.BatchDigest(le.Batch) != le.Cert.Digest {
			t.Fatalf("n3's ledger at s=%d: %v (batch digest %x, certificate %x)", le.Seq, err, pbft.BatchDigest(le.Batch), le.Cert.Digest)
		}
		if last.Seq > 0 && le.Seq == last.Seq+1 && le.Prev != last.Hash {
			t.Fatalf("n3's ledger is cut between s=%d and s=%d", last.Seq, le.Seq)
		}
		last = le
		return true
	})
	if last.Seq < damaged {
		t.Fatalf("n3's ledger ends at s=%d, before the damaged slot %d", last.Seq, damaged)
	}
}
