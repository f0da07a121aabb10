package pbft_test

import "testing"

// PBFT's view-change timer is the backups' suspicion of the leader: a leader with requests
// it cannot get executed does not leave its own view (it joins a later one when f+1 replicas
// ask for it), while a backup waiting on a request does.
func TestLeaderDoesNotTimeItselfOut(t *testing.T) {
	h := newHarness(t, nil)
	h.down[3], h.down[4] = true, true // no quorum: nothing can execute
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.propose(2, "B", 1, transfer("B", "A", 1)) // the backup waits on it too
	h.deliverAll()
	h.tick(25) // past ViewChangeTicks (20)
	if r := h.reps[0]; r.View() != 1 || !r.ViewActive() {
		t.Fatalf("the leader left its view: view %d, active %v", r.View(), r.ViewActive())
	}
	if r := h.reps[1]; r.View() != 2 {
		t.Fatalf("the waiting backup is in view %d, want a view change to 2", r.View())
	}
}
