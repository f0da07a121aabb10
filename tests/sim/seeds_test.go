package sim

import (
	"os"
	"strconv"
	"testing"
)

// Soaks (opt-in; CI leaves both unset): PBFT_SIM_SEEDS overrides the number of seeds of every
// randomized generator (TestAdversary, TestAdversaryRestarts, TestRandomizedSimulation and its
// variants, TestRandomAttacks) and PBFT_SIM_SEED_FROM their first seed (default 1), e.g.
//
//	PBFT_SIM_SEEDS=20000 PBFT_SIM_SEED_FROM=1001 go test ./tests/sim -run TestAdversaryRestarts -timeout 0

// seedRange is the first seed and the number of seeds of a generator whose default count is n
// (short under -short), after the environment's overrides.
func seedRange(n, short int) (int64, int) {
	if testing.Short() {
		n = short
	}
	if v, err := strconv.Atoi(os.Getenv("PBFT_SIM_SEEDS")); err == nil && v > 0 {
		n = v
	}
	first := int64(1)
	if v, err := strconv.ParseInt(os.Getenv("PBFT_SIM_SEED_FROM"), 10, 64); err == nil && v > 0 {
		first = v
	}
	return first, n
}

// progress logs a line every 1000 seeds of a long soak (-v shows it as it goes).
func progress(t *testing.T, seed, first int64, n, failed int) {
	if n > 1000 && (seed-first+1)%1000 == 0 {
		t.Logf("seeds %d..%d done, %d failed", first, seed, failed)
	}
}
