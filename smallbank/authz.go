package smallbank

import (
	"cmp"
	"fmt"
	"slices"
)

// Authorization (docs/protocol.md, "Application state and authorization"). Every account has an
// owner, a client name: by default the client of the account's own name (account A is owned by
// client A, benchmark account "17" by client "17"), or another client named when the account is
// opened (OpenOwned). The owner is part of the replicated state: it is in the snapshot and the
// digest, and no operation changes it.
//
// An operation that debits an account (Op.Debits) executes only when the client that signed it
// owns that account or holds the teller role, which the cluster configuration grants to
// application servers such as the benchmark's clients (Grant). The tellers are replicated state
// too (snapshot and digest), so that replicas configured differently disagree at the first
// checkpoint instead of silently executing differently. Crediting an account (a deposit, the
// receiving side of a payment) needs no authorization: anyone may pay into any account, within
// the limits below. Reads are not restricted.
//
// A refused operation fails with "not authorized", changes nothing, and is counted (Refused).

// RoleTeller is the role that may debit every account, for application servers that act for
// the account holders (the benchmark's clients).
const RoleTeller = "teller"

// Limits that keep every account, and so the bank's total, far from the int64 range: no
// client can make another client's operation fail with an overflow, whatever it deposits.
// With at most 2^31 accounts each within [-MaxBalance, MaxBalance], the total stays within
// ±8.6e18 < 2^63.
const (
	// MaxBalance bounds every account: checking and savings each within [-MaxBalance,
	// MaxBalance] (savings never negative) and checking + savings at most MaxBalance. An
	// operation that would leave an account outside fails with "over the balance limit": a
	// deposit or payment beyond it is refused, a check that would overdraw beyond it bounces.
	MaxBalance = 4_000_000_000
	// MaxDeposit bounds one DepositChecking or one positive TransactSavings ("over the deposit
	// limit"): money enters the bank in bounded steps.
	MaxDeposit = 100_000_000
)

// owned records an account whose owner is not the client of its own name.
type owned struct {
	account int32
	owner   string
}

// Debits returns the account the operation takes money from, if any: the first account of
// SendPayment, WriteCheck, Amalgamate and of a TransactSavings with a negative amount.
// Only that account's owner or a teller may run such an operation. Amalgamate also debits its
// second account when the first is overdrawn, which only the state tells: execution refuses
// that too (Bank.lowers).
func (op Op) Debits() (string, bool) {
	switch op.Kind {
	case OpSendPayment, OpWriteCheck, OpAmalgamate:
		return op.Account, true
	case OpTransactSavings:
		return op.Account, op.Amount < 0
	}
	return "", false
}

// Grant gives client a role; the only role is RoleTeller. Every replica must grant the same
// roles (the cluster configuration's) before executing operations.
func (b *Bank) Grant(role, client string) error {
	if role != RoleTeller {
		return fmt.Errorf("smallbank: unknown role %q (want %s)", role, RoleTeller)
	}
	if err := ValidateAccount(client); err != nil {
		return fmt.Errorf("smallbank: teller: %w", err)
	}
	pos, found := slices.BinarySearch(b.tellers, client)
	if !found {
		// A frozen state may share the old slice: insert into a copy.
		b.tellers = slices.Insert(slices.Clip(b.tellers), pos, client)
		b.stale = true
	}
	return nil
}

// Tellers returns the clients with the teller role, in name order.
func (b *Bank) Tellers() []string { return slices.Clone(b.tellers) }

// IsTeller reports whether client holds the teller role.
func (b *Bank) IsTeller(client string) bool {
	_, found := slices.BinarySearch(b.tellers, client)
	return found
}

// Owner returns the owner of an account, and false if it does not exist.
func (b *Bank) Owner(name string) (string, bool) {
	i, ok := b.index[name]
	if !ok {
		return "", false
	}
	return b.ownerOf(i), true
}

// ownerOf returns the owner of account i.
func (b *Bank) ownerOf(i int32) string {
	return ownerIn(b.owners, b.names, i)
}

// ownerIn looks account i up in a list of owned records sorted by account.
func ownerIn(owners []owned, names []string, i int32) string {
	k, found := slices.BinarySearchFunc(owners, i, func(o owned, i int32) int { return cmp.Compare(o.account, i) })
	if found {
		return owners[k].owner
	}
	return names[i]
}

// mayDebit reports whether client may take money from account i.
func (b *Bank) mayDebit(client string, i int32) bool {
	return client == b.ownerOf(i) || b.IsTeller(client)
}

// Refused is the number of operations this bank refused as not authorized since it was
// created. It is a local statistic, not replicated state: a restore keeps it.
func (b *Bank) Refused() uint64 { return b.refused }
