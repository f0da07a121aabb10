package main

import (
	"path/filepath"
	"testing"
	"time"
)

// TestStaleReadFile runs tests/stale-read.csv through real replica processes: f = 2 replicas
// answer reads with balances captured before later writes (with a leader keeping two honest
// replicas in the dark in set 2; in set 3 one replica is down and one answers stale reads, so
// reads get exactly 2f+1 fresh answers). Every read still returns the balance of sequential
// execution, and every set's history is linearizable.
func TestStaleReadFile(t *testing.T) {
	bin := pbftBinary(t)
	rep := runScenarioFile(t, bin, filepath.Join("..", "..", "tests", "stale-read.csv"), 120*time.Second)
	if len(rep.Sets) != 3 {
		t.Fatalf("%d sets, want 3", len(rep.Sets))
	}
	for _, s := range rep.Sets {
		checkOfficialSet(t, s)
	}
}
