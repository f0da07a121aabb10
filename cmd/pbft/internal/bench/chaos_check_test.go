package bench

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/smallbank"
)

func dep(v int64, out opOutcome, seq pbft.Seq) chaosOp {
	return chaosOp{Kind: smallbank.OpDepositChecking, Amount: v, Outcome: out, Seq: seq}
}

func pay(v int64, out opOutcome, seq pbft.Seq) chaosOp {
	return chaosOp{Kind: smallbank.OpSendPayment, Amount: v, Outcome: out, Seq: seq}
}

// TestAccounting checks the exactly-once accounting of the chaos run on one client (accounts
// 0 and 1, opening 1000 and 500) and an account nobody owns (2, opening 7).
func TestAccounting(t *testing.T) {
	open := map[string]int64{"0": 1000, "1": 500, "2": 7}
	history := []chaosOp{dep(10, opAckedOK, 3), pay(20, opAckedOK, 5), pay(900, opAckedFailed, 6), dep(4, opUnknown, 0), pay(7, opUnknown, 0), dep(0, opAckedOK, 9)}
	tests := []struct {
		name   string
		ops    []chaosOp
		a, b   int64 // final balances of 0 and 1
		other  int64 // final balance of 2
		want   Accounting
		passes bool
	}{
		{"acknowledged only", history[:3], 1000 + 10 - 20, 500 + 20, 7,
			Accounting{Acknowledged: 3, AckedOK: 2}, true},
		{"unknown not executed", history, 990, 520, 7,
			Accounting{Acknowledged: 4, AckedOK: 3, Unknown: 2}, true},
		{"unknown deposit executed", history, 994, 520, 7,
			Accounting{Acknowledged: 4, AckedOK: 3, Unknown: 2, UnknownExecuted: 1}, true},
		{"both unknown executed", history, 987, 527, 7,
			Accounting{Acknowledged: 4, AckedOK: 3, Unknown: 2, UnknownExecuted: 2}, true},
		{"acknowledged deposit lost", history[:3], 980, 520, 7,
			Accounting{Acknowledged: 3, AckedOK: 2, Lost: 1}, false},
		{"acknowledged payment lost", history[:3], 1010, 500, 7,
			Accounting{Acknowledged: 3, AckedOK: 2, Lost: 1}, false},
		{"deposit executed twice", history[:3], 1000, 520, 7,
			Accounting{Acknowledged: 3, AckedOK: 2, Duplicated: 1}, false},
		{"unknown deposit executed twice", history, 998, 520, 7,
			Accounting{Acknowledged: 4, AckedOK: 3, Unknown: 2, Duplicated: 1}, false},
		{"no subset explains", history, 991, 520, 7,
			Accounting{Acknowledged: 4, AckedOK: 3, Unknown: 2, Unexplained: 1}, false},
		{"slot reused", []chaosOp{dep(10, opAckedOK, 3), dep(5, opAckedOK, 3)}, 1015, 500, 7,
			Accounting{Acknowledged: 2, AckedOK: 2, SlotOrder: 1}, false},
		{"another account changed", history[:3], 990, 520, 8,
			Accounting{Acknowledged: 3, AckedOK: 2, OthersChanged: 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			final := map[string]int64{"0": tc.a, "1": tc.b, "2": tc.other}
			got := account(open, final, []clientLedger{{Client: "c0", A: "0", B: "1", Ops: tc.ops}})
			if got.ok() != tc.passes {
				t.Errorf("ok() = %v, want %v: %+v", got.ok(), tc.passes, got)
			}
			g := got
			g.Problems, g.Clients, g.MoneyOpening, g.MoneyExpected, g.MoneyFinal = nil, 0, 0, 0, 0
			if !reflect.DeepEqual(g, tc.want) {
				t.Errorf("got %+v\nwant %+v", g, tc.want)
			}
			if tc.passes && got.MoneyFinal != got.MoneyExpected {
				t.Errorf("money %d, expected %d", got.MoneyFinal, got.MoneyExpected)
			}
		})
	}
}

// TestPickAllEvery: every AllEvery-th random round kills all replicas, the others 1..MaxDown
// distinct replicas.
func TestPickAllEvery(t *testing.T) {
	c := &benchCluster{cfg: cluster.Default(benchF, DefaultBasePort)}
	k := newKiller(c, &Options{Chaos: ChaosOptions{Mode: ChaosRandom, MaxDown: 7, AllEvery: 3}, Seed: 1})
	for round := range 30 {
		ids := k.pick(round)
		if round%3 == 2 && len(ids) != 7 {
			t.Fatalf("round %d killed %v, want all seven", round, ids)
		}
		seen := map[pbft.NodeID]bool{}
		for _, id := range ids {
			if seen[id] || id < 1 || id > 7 {
				t.Fatalf("round %d: %v", round, ids)
			}
			seen[id] = true
		}
	}
}

// TestChaosVerdictNeedsValidLedgers: a run whose replicas agree and lost nothing still fails
// when a replica's ledger does not verify, and says which.
func TestChaosVerdictNeedsValidLedgers(t *testing.T) {
	r := &ChaosResults{DigestsAgree: true, Sealed: 2, clients: 2,
		Ledgers: []LedgerCheck{{Replica: "n1", Valid: true}, {Replica: "n2", Problem: "BREAK at slot 2817: slots before it are missing"}}}
	r.verdict()
	if r.Passed || !strings.Contains(r.Verdict, "ledger of n2: BREAK at slot 2817") {
		t.Fatalf("passed %v, verdict %q", r.Passed, r.Verdict)
	}
	r.Ledgers[1] = LedgerCheck{Replica: "n2", Valid: true}
	if r.verdict(); !r.Passed {
		t.Fatalf("valid ledgers: %q", r.Verdict)
	}
}
