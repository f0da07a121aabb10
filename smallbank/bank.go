package smallbank

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

var _ pbft.Application = (*Bank)(nil)

// account is one account's balances and version; its name is Bank.names at the same index.
type account struct {
	checking int64
	savings  int64
	// version counts the successful operations that changed the account since it was opened.
	// A Balance reports it with the balance, so that 2f+1 matching read replies name one state
	// of the account and not two equal balances of different ones (docs/protocol.md,
	// "Linearizability", the ABA case).
	version uint64
}

// valid reports the invariants of every stored account (see MaxBalance): savings within
// [0, MaxBalance], checking within [-MaxBalance, MaxBalance], and checking + savings at most
// MaxBalance.
func (a account) valid() bool {
	return a.savings >= 0 && a.savings <= MaxBalance && a.checking >= -MaxBalance &&
		a.checking <= MaxBalance && a.checking+a.savings <= MaxBalance
}

// Bank is the SmallBank state machine. Accounts live in a slice, in the order they were opened,
// indexed by a map from name; the digest state sits beside them (see digest.go).
type Bank struct {
	index map[string]int32
	names []string
	accts accountStore // account i is accts.get(i)
	total int64        // the sum of checking + savings over all accounts

	owners  []owned  // the accounts not owned by the client of their name, by index
	tellers []string // clients with the teller role, sorted
	refused uint64   // operations refused as not authorized (a statistic, not state)

	digestState
	sorted []int32 // indices of accts in name order; nil when an account was opened since
}

// NewBank returns an empty bank.
func NewBank() *Bank {
	return &Bank{index: make(map[string]int32), digestState: newDigestState()}
}

// Open creates an account owned by the client of the same name with the given initial
// balances, for loading the initial state (the scenario accounts A..J start with checking 10,
// savings 0). Every replica must open the same accounts with the same balances before
// executing operations. Savings must not be negative; checking may be, as after an overdraft;
// both must be within the limits of MaxBalance.
//
// Accounts are opened only this way, by the bank's configuration: no client operation opens
// one, and an operation on an account that was not opened fails with "unknown account".
func (b *Bank) Open(name string, checking, savings int64) error {
	return b.OpenOwned(name, name, checking, savings)
}

// OpenOwned is Open for an account owned by client owner.
func (b *Bank) OpenOwned(name, owner string, checking, savings int64) error {
	if err := ValidateAccount(name); err != nil {
		return err
	}
	if err := ValidateAccount(owner); err != nil {
		return fmt.Errorf("smallbank: account %s: owner: %w", name, err)
	}
	if _, dup := b.index[name]; dup {
		return fmt.Errorf("smallbank: account %s already exists", name)
	}
	if savings < 0 {
		return fmt.Errorf("smallbank: account %s: negative savings", name)
	}
	a := account{checking: checking, savings: savings}
	total, ok := addInt(b.total, checking)
	total, ok2 := addInt(total, savings)
	if !a.valid() || !ok || !ok2 {
		return fmt.Errorf("smallbank: account %s: %s", name, ReasonBalanceLimit)
	}
	if b.accts.len() >= math.MaxInt32 {
		return errors.New("smallbank: too many accounts")
	}
	if owner != name {
		b.owners = append(b.owners, owned{account: int32(b.accts.len()), owner: owner})
	}
	b.add(name, a)
	b.total = total
	return nil
}

// add appends a new account; the caller has validated it.
func (b *Bank) add(name string, a account) {
	b.index[name] = int32(b.accts.len())
	b.names = append(b.names, name)
	b.accts.push(a)
	b.sorted = nil
	b.stale = true
}

// Has reports whether the account exists.
func (b *Bank) Has(name string) bool {
	_, ok := b.index[name]
	return ok
}

// Balance returns checking + savings of the account, and false if it does not exist.
func (b *Bank) Balance(name string) (int64, bool) {
	i, ok := b.index[name]
	if !ok {
		return 0, false
	}
	a := b.accts.get(i)
	return a.checking + a.savings, true
}

// Balances returns the checking and savings of the account, and false if it does not exist.
func (b *Bank) Balances(name string) (checking, savings int64, exists bool) {
	i, ok := b.index[name]
	if !ok {
		return 0, 0, false
	}
	a := b.accts.get(i)
	return a.checking, a.savings, true
}

// Len is the number of accounts.
func (b *Bank) Len() int { return b.accts.len() }

// Total is the bank's money: the sum of checking + savings over all accounts.
func (b *Bank) Total() int64 { return b.total }

// Accounts returns the account names in sorted (byte-wise) order.
func (b *Bank) Accounts() []string {
	order := b.sortedOrder()
	names := make([]string, len(order))
	for k, i := range order {
		names[k] = b.names[i]
	}
	return names
}

// sortedOrder returns the account indices in name order, sorting only after new accounts.
func (b *Bank) sortedOrder() []int32 {
	if b.sorted == nil || len(b.sorted) != b.accts.len() {
		order := make([]int32, b.accts.len())
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(x, y int32) int { return strings.Compare(b.names[x], b.names[y]) })
		b.sorted = order
	}
	return b.sorted
}

// addInt returns a + b and whether it did not overflow.
func addInt(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}
