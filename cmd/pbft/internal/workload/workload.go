// Package workload generates SmallBank transactions for the benchmark (pbft bench) and for
// generated scenario files (pbft smallbank gen): the standard mix of the six transactions
// (Cahill et al.; docs/design.md, "SmallBank benchmark") over uniformly chosen accounts or a hotspot.
package workload

import (
	"fmt"
	"math/rand/v2"

	"github.com/bftbank/pbft/smallbank"
)

// Weight is one transaction kind's share of the mix, in percent.
type Weight struct {
	Kind    smallbank.OpKind
	Percent int
}

// StandardMix is the benchmark's mix (docs/design.md, "SmallBank benchmark"): Amalgamate 15,
// Balance 15, DepositChecking 15, SendPayment 25, TransactSavings 15, WriteCheck 15.
var StandardMix = []Weight{
	{smallbank.OpAmalgamate, 15},
	{smallbank.OpBalance, 15},
	{smallbank.OpDepositChecking, 15},
	{smallbank.OpSendPayment, 25},
	{smallbank.OpTransactSavings, 15},
	{smallbank.OpWriteCheck, 15},
}

// Accounts chooses accounts: uniformly among Count, or, when Hotspot > 0, among the first
// Hotspot accounts with probability HotProb and among the others otherwise.
type Accounts struct {
	Count   int
	Hotspot int
	HotProb float64
	// Name turns an index into an account name (smallbank.AccountName when nil).
	Name func(int) string
}

// Validate checks the account choice.
func (a Accounts) Validate() error {
	switch {
	case a.Count < 2:
		return fmt.Errorf("need at least 2 accounts, got %d", a.Count)
	case a.Hotspot < 0 || a.Hotspot > a.Count:
		return fmt.Errorf("hotspot of %d accounts out of 0..%d", a.Hotspot, a.Count)
	case a.Hotspot > 0 && (a.HotProb < 0 || a.HotProb > 1):
		return fmt.Errorf("hotspot probability %v outside [0, 1]", a.HotProb)
	case a.Hotspot == 1 && a.HotProb == 1:
		return fmt.Errorf("a hotspot of one account cannot serve two-account transactions")
	}
	return nil
}

// Amounts bounds the amounts of generated transactions: each is drawn from [Min, Max].
type Amounts struct{ Min, Max int64 }

// Generator draws transactions. It is not safe for concurrent use: give each client its own
// (seeded differently).
type Generator struct {
	rng      *rand.Rand
	accounts Accounts
	amounts  Amounts
	mix      []Weight
	total    int
}

// New returns a generator with the standard mix, seeded with seed.
func New(seed uint64, accounts Accounts, amounts Amounts) (*Generator, error) {
	if err := accounts.Validate(); err != nil {
		return nil, err
	}
	if amounts.Min < 0 || amounts.Max < amounts.Min {
		return nil, fmt.Errorf("bad amount range [%d, %d]", amounts.Min, amounts.Max)
	}
	if accounts.Name == nil {
		accounts.Name = smallbank.AccountName
	}
	g := &Generator{rng: rand.New(rand.NewPCG(seed, 0x5eed_ba4c)), accounts: accounts, amounts: amounts, mix: StandardMix}
	for _, w := range g.mix {
		g.total += w.Percent
	}
	return g, nil
}

// Next draws one transaction.
func (g *Generator) Next() smallbank.Op {
	kind := g.kind()
	op := smallbank.Op{Kind: kind, Account: g.accounts.Name(g.account())}
	switch kind {
	case smallbank.OpAmalgamate, smallbank.OpSendPayment:
		op.Dest = g.other(op.Account)
	}
	switch kind {
	case smallbank.OpDepositChecking, smallbank.OpTransactSavings, smallbank.OpWriteCheck, smallbank.OpSendPayment:
		op.Amount = g.amounts.Min + g.rng.Int64N(g.amounts.Max-g.amounts.Min+1)
	}
	return op
}

func (g *Generator) kind() smallbank.OpKind {
	x := g.rng.IntN(g.total)
	for _, w := range g.mix {
		if x < w.Percent {
			return w.Kind
		}
		x -= w.Percent
	}
	return g.mix[len(g.mix)-1].Kind
}

// account draws an account index.
func (g *Generator) account() int {
	a := g.accounts
	if a.Hotspot == 0 || a.Hotspot == a.Count {
		return g.rng.IntN(a.Count)
	}
	if g.rng.Float64() < a.HotProb {
		return g.rng.IntN(a.Hotspot)
	}
	return a.Hotspot + g.rng.IntN(a.Count-a.Hotspot)
}

// other draws a second account different from the first.
func (g *Generator) other(first string) string {
	for {
		if name := g.accounts.Name(g.account()); name != first {
			return name
		}
	}
}
