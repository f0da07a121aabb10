package smallbank

import (
	"math/rand/v2"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestMoneyConservedByTransfers(t *testing.T) {
	bank := scenarioBank(t)
	rng := rand.New(rand.NewPCG(9, 9))
	for range 2000 {
		op := randomOp(rng)
		if op.Kind != OpSendPayment && op.Kind != OpAmalgamate {
			continue
		}
		if res := bank.Apply(op); res.OK && res.Value != 0 {
			t.Fatalf("%v moved money: %+v", op, res)
		}
		if bank.Total() != 100 {
			t.Fatalf("after %v Total is %d, want 100", op, bank.Total())
		}
	}
}

// TestRandomSequencesKeepInvariants runs random operations, including malformed encodings, and
// checks after each that Total follows the results, equals the sum of the balances, and that
// no savings went negative.
func TestRandomSequencesKeepInvariants(t *testing.T) {
	for seed := range uint64(5) {
		bank := scenarioBank(t)
		rng := rand.New(rand.NewPCG(seed, 100))
		want := bank.Total()
		for step := range 1000 {
			enc := randomEncodedOp(rng)
			client := pbft.ClientID(string(rune('A' + rng.IntN(12))))
			res, err := DecodeResult(bank.Execute(client, enc))
			if err != nil {
				t.Fatalf("seed %d step %d: result does not decode: %v", seed, step, err)
			}
			if op, err := DecodeOp(enc); err == nil {
				want += moneyDelta(op, res)
			} else if res.Reason != ReasonMalformed {
				t.Fatalf("seed %d step %d: malformed op gave %+v", seed, step, res)
			}
			checkInvariants(t, bank, want)
		}
		if bank.Digest() != recomputed(bank) {
			t.Fatalf("seed %d: digest differs from the recomputed one", seed)
		}
	}
}

// randomEncodedOp is a valid encoding most of the time, and otherwise one with a random byte
// changed, cut short or extended.
func randomEncodedOp(rng *rand.Rand) []byte {
	enc, _ := EncodeOp(randomOp(rng))
	switch rng.IntN(10) {
	case 0:
		enc[rng.IntN(len(enc))] = byte(rng.Uint32())
	case 1:
		enc = enc[:rng.IntN(len(enc))]
	case 2:
		enc = append(enc, byte(rng.Uint32()))
	}
	return enc
}

func checkInvariants(t *testing.T, bank *Bank, wantTotal int64) {
	t.Helper()
	var sum int64
	for i := range int32(bank.Len()) {
		a := bank.accts.get(i)
		if !a.valid() {
			t.Fatalf("account %s broke an invariant: %+v", bank.names[i], a)
		}
		sum += a.checking + a.savings
	}
	if bank.Total() != sum || sum != wantTotal {
		t.Fatalf("Total %d, sum of balances %d, implied by results %d", bank.Total(), sum, wantTotal)
	}
}
