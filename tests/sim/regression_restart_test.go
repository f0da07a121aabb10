package sim

import (
	"strings"
	"testing"

	"github.com/bftbank/pbft/smallbank"
)

// Regressions found by the soaks of TestAdversary (with the conflicting-vote invariant) and of
// the generators with restarts (TestAdversaryRestarts, TestRandomizedSimulationRestarts).

// TestRegressionCommitResentForItsCertificate: a backup holding a PREPARE-CERT of digest d
// without the pre-prepare signed COMMIT for d, then accepted a faulty leader's pre-prepare of
// another digest for the same (view, slot) and, re-sending its COMMIT, signed it for that
// digest: two COMMIT shares for one (view, slot). Seed 274 of TestAdversary (no restarts)
// and seed 644 of TestAdversaryRestarts (the same after a power cut of every honest replica).
func TestRegressionCommitResentForItsCertificate(t *testing.T) {
	for _, c := range []struct {
		seed int64
		mode restartMode
	}{{274, noRestarts}, {644, randomRestarts}} {
		if err := advRunWith(c.seed, nil, c.mode); err != nil {
			t.Errorf("seed %d (restarts %v): %s", c.seed, c.mode, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}
}

// TestRegressionRestartedReplicaKeepsVotesOfExecutedSlots: after a restart a replica had lost
// its PREPARE votes of the slots it had executed (still in the window) and voted for a faulty
// leader's second pre-prepare of one of them. Seed 1900 of TestAdversaryRestarts.
func TestRegressionRestartedReplicaKeepsVotesOfExecutedSlots(t *testing.T) {
	if err := advRunWith(1900, nil, randomRestarts); err != nil {
		t.Fatalf("%s", strings.SplitN(err.Error(), "\n", 2)[0])
	}
}

// TestRegressionNewViewTimerAfterRestarts: with f replicas down for good, restarts left the
// 2f+1 others split between view 3 (its leader down) and view 4; the NEW-VIEW timer of view 3
// counted only VIEW-CHANGE(3)s, four, and never ran. Seed 8 of TestRandomizedSimulationRestarts.
func TestRegressionNewViewTimerAfterRestarts(t *testing.T) {
	if err := randomRunWith(8, nil, nil, true); err != nil {
		t.Fatal(err)
	}
}

// TestRegressionPowerCutBeforeExecutedRecords: every replica lost power after slots 37-39
// committed on the fast path and executed, before their executed records were durable. Each
// came back with its votes (batches included) and the FULL-COMMIT-PROOFs, marked the slots
// committed without their batches and asked its peers for them, who all lacked them too: the
// cluster stalled for good below slots whose replies clients had accepted. Seed 124 of
// TestRandomizedSimulationRestarts (found once Converged waits for every executed slot).
func TestRegressionPowerCutBeforeExecutedRecords(t *testing.T) {
	if err := randomRunWith(124, nil, nil, true); err != nil {
		t.Fatal(err)
	}
}

// TestRegressionReadAfterPowerCutSeesCompletedWrite: a transfer completes (2f+1 replies), every
// replica loses power at once and restarts, then the payee reads its balance. Replies used to
// leave before the executed records were durable (written unsynced): every replica came back
// below the transfer's slot and 2f+1 of them answered the read with the balance from before
// it, a history that is not linearizable. Replies now wait for their Ready's records
// (pbft.RepliesNeedDurability).
func TestRegressionReadAfterPowerCutSeesCompletedWrite(t *testing.T) {
	for seed := int64(1); seed <= 10; seed++ {
		s, err := New(Options{Seed: seed, Clients: 4, Net: NetFaults{MinDelay: 1, MaxDelay: 1}, Durable: true, Configure: vcTimers})
		if err != nil {
			t.Fatal(err)
		}
		pay := smallbank.Op{Kind: smallbank.OpSendPayment, Account: AccountName(0), Dest: AccountName(1), Amount: 7}
		if err := s.Script([]smallbank.Op{pay}); err != nil {
			t.Fatal(err)
		}
		if err := s.RunUntil(s.ScriptDone, 10_000); err != nil {
			t.Fatal(err)
		}
		for _, id := range allIDs(7) {
			s.Crash(id, true)
		}
		for _, id := range allIDs(7) {
			if err := s.Restart(id); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Script([]smallbank.Op{{Kind: smallbank.OpBalance, Account: AccountName(1)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.RunUntil(s.ScriptDone, 10_000); err != nil {
			t.Fatal(err)
		}
		if got := s.ScriptOutcomes()[0].Result.Value; got != InitialBalance+7 {
			t.Errorf("seed %d: the read after the power cut returned %d, want %d (the completed transfer of 7)", seed, got, InitialBalance+7)
		}
		if err := s.CheckHistory(historyDir()); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
}

// TestRegressionRestartedLeaderProposesAfterItsNewView: the leader of view 3 restarted in view
// 3 and proposed fresh batches at the slots of its own NEW-VIEW's O (decided there by commit
// certificates, so it had recorded no vote for them): second pre-prepares for (view 3, slot),
// voted for by backups that had restarted too. Seed 3245 of TestRandomizedSimulationRestarts.
func TestRegressionRestartedLeaderProposesAfterItsNewView(t *testing.T) {
	if err := randomRunWith(3245, nil, nil, true); err != nil {
		t.Fatal(err)
	}
}

// TestRegressionCheckpointSharesAfterRestarts: every replica restarted after executing past
// its last stable checkpoint; the checkpoint shares of the checkpoints replay took again were
// never sent, no checkpoint became stable, the window stayed full and the cluster changed view
// for good without executing anything. Seed 1644 of TestRandomizedSimulationRestarts.
func TestRegressionCheckpointSharesAfterRestarts(t *testing.T) {
	if err := randomRunWith(1644, nil, nil, true); err != nil {
		t.Fatal(err)
	}
}
