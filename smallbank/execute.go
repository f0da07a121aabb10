package smallbank

import "github.com/bftbank/pbft/pbft"

// Execute applies one encoded operation signed by client and returns its encoded Result
// (pbft.Application). A malformed encoding gives a failed result ("malformed operation") and
// changes nothing.
func (b *Bank) Execute(client pbft.ClientID, op []byte) []byte {
	o, err := DecodeOp(op)
	if err != nil {
		return EncodeResult(fail(ReasonMalformed))
	}
	return EncodeResult(b.ApplyAs(string(client), o))
}

// Query answers a read-only encoded operation (Balance) from the current state. Any other
// operation is refused with "not a read-only operation" and changes nothing.
func (b *Bank) Query(op []byte) []byte {
	o, err := DecodeOp(op)
	if err != nil {
		return EncodeResult(fail(ReasonMalformed))
	}
	if !o.ReadOnly() {
		return EncodeResult(fail(ReasonNotReadOnly))
	}
	return EncodeResult(b.Apply(o))
}

// Apply executes op on behalf of the owner of its first account, who may run every
// operation on it; see ApplyAs.
func (b *Bank) Apply(op Op) Result {
	client := op.Account
	if owner, ok := b.Owner(op.Account); ok {
		client = owner
	}
	return b.ApplyAs(client, op)
}

// ApplyAs executes op as signed by client and returns its result; see the package doc for the
// semantics and the order of the checks. A failed operation changes nothing; one that client
// may not run fails with "not authorized" and is counted (Refused).
func (b *Bank) ApplyAs(client string, op Op) Result {
	res := b.apply(client, op)
	if !res.OK && res.Reason == ReasonNotAuthorized {
		b.refused++
	}
	return res
}

func (b *Bank) apply(client string, op Op) Result {
	if op.Validate() != nil {
		return fail(ReasonMalformed)
	}
	switch op.Kind {
	case OpBalance:
		return b.balance(op.Account)
	case OpDepositChecking:
		return b.depositChecking(client, op.Account, op.Amount)
	case OpTransactSavings:
		return b.transactSavings(client, op.Account, op.Amount)
	case OpAmalgamate:
		return b.amalgamate(client, op.Account, op.Dest)
	case OpWriteCheck:
		return b.writeCheck(client, op.Account, op.Amount)
	case OpSendPayment:
		return b.sendPayment(client, op.Account, op.Dest, op.Amount)
	}
	panic("smallbank: Validate accepted unknown operation kind " + op.Kind.String())
}

func (b *Bank) balance(n string) Result {
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	a := b.accts.get(i)
	return Result{OK: true, Value: a.checking + a.savings, Version: a.version}
}

func (b *Bank) depositChecking(client, n string, v int64) Result {
	switch {
	case v < 0:
		return fail(ReasonNegativeAmount)
	case v > MaxDeposit:
		return fail(ReasonDepositLimit)
	}
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	a := b.accts.get(i)
	a.checking += v // no overflow: |checking| <= MaxBalance, v <= MaxDeposit
	return b.commitOne(client, i, a, v)
}

func (b *Bank) transactSavings(client, n string, v int64) Result {
	if v > MaxDeposit {
		return fail(ReasonDepositLimit)
	}
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	if v < 0 && !b.mayDebit(client, i) {
		return fail(ReasonNotAuthorized)
	}
	a := b.accts.get(i)
	// 0 <= savings <= MaxBalance and v <= MaxDeposit: no overflow either way.
	a.savings += v
	if a.savings < 0 {
		return fail(ReasonInsufficientFunds)
	}
	return b.commitOne(client, i, a, v)
}

func (b *Bank) writeCheck(client, n string, v int64) Result {
	if v < 0 {
		return fail(ReasonNegativeAmount)
	}
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	if !b.mayDebit(client, i) {
		return fail(ReasonNotAuthorized)
	}
	if v > 2*MaxBalance { // more than any account can pay or overdraw: it bounces
		return fail(ReasonBalanceLimit)
	}
	a := b.accts.get(i)
	debit := v
	if a.checking+a.savings < v {
		debit = v + 1 // the overdraft penalty
	}
	a.checking -= debit // no overflow: |checking| <= MaxBalance, debit <= 2*MaxBalance+1
	return b.commitOne(client, i, a, -debit)
}

func (b *Bank) amalgamate(client, n1, n2 string) Result {
	i, j, res, ok := b.pair(n1, n2)
	if !ok {
		return res
	}
	if !b.mayDebit(client, i) {
		return fail(ReasonNotAuthorized)
	}
	from, to := b.accts.get(i), b.accts.get(j)
	moved := from.checking + from.savings
	if i == j {
		return b.commitOne(client, i, account{checking: moved}, 0)
	}
	// moved is negative when n1 is overdrawn: n2 then takes n1's debt, a debit of n2 that
	// commitTwo allows only to n2's owner or a teller.
	to.checking += moved // no overflow: both within [-MaxBalance, MaxBalance]
	return b.commitTwo(client, i, account{}, j, to)
}

func (b *Bank) sendPayment(client, n1, n2 string, v int64) Result {
	if v < 0 {
		return fail(ReasonNegativeAmount)
	}
	i, j, res, ok := b.pair(n1, n2)
	if !ok {
		return res
	}
	if !b.mayDebit(client, i) {
		return fail(ReasonNotAuthorized)
	}
	from, to := b.accts.get(i), b.accts.get(j)
	if from.checking < v {
		return fail(ReasonInsufficientFunds)
	}
	if i == j {
		return succeed(0) // debit then credit the same account
	}
	from.checking -= v // no overflow: from.checking >= v >= 0
	to.checking += v   // no overflow: v <= from.checking <= MaxBalance
	return b.commitTwo(client, i, from, j, to)
}

// pair looks up two accounts, failing on the first unknown one.
func (b *Bank) pair(n1, n2 string) (i, j int32, res Result, ok bool) {
	if i, ok = b.index[n1]; !ok {
		return 0, 0, unknownAccount(n1), false
	}
	if j, ok = b.index[n2]; !ok {
		return 0, 0, unknownAccount(n2), false
	}
	return i, j, Result{}, true
}

// commitOne stores a's new value if client may make that change (lowers) and it stays within
// the limits; delta, the change of the bank's total, is the result's value.
func (b *Bank) commitOne(client string, i int32, a account, delta int64) Result {
	if b.lowers(client, i, a) {
		return fail(ReasonNotAuthorized)
	}
	if !a.valid() {
		return fail(ReasonBalanceLimit)
	}
	total, ok := addInt(b.total, delta)
	if !ok {
		panic("smallbank: the total overflowed although every account is within MaxBalance")
	}
	b.touch(i)
	b.accts.set(i, b.nextVersion(i, a))
	b.total = total
	return succeed(delta)
}

// commitTwo stores two accounts of a transfer, which leaves the total unchanged, if client
// may make both changes (lowers) and they stay within the limits.
func (b *Bank) commitTwo(client string, i int32, a account, j int32, c account) Result {
	if b.lowers(client, i, a) || b.lowers(client, j, c) {
		return fail(ReasonNotAuthorized)
	}
	if !a.valid() || !c.valid() {
		return fail(ReasonBalanceLimit)
	}
	b.touch(i)
	b.touch(j)
	b.accts.set(i, b.nextVersion(i, a))
	b.accts.set(j, b.nextVersion(j, c))
	return succeed(0)
}

// nextVersion is a, about to replace account i, with i's version, plus one if a's balances
// differ from i's (an operation that moves nothing, a deposit of 0, leaves the version).
func (b *Bank) nextVersion(i int32, a account) account {
	old := b.accts.get(i)
	a.version = old.version
	if a.checking != old.checking || a.savings != old.savings {
		a.version++
	}
	return a
}

// lowers reports whether storing a as account i would take money from it (lower its checking,
// its savings or their sum) although client may not debit it. Every change of an account goes
// through commitOne or commitTwo, so this holds for every operation whatever its named debit
// (Op.Debits): the guard that keeps Amalgamate from moving an overdrawn account's debt into an
// account its signer does not own (docs/protocol.md, "Application state and authorization").
func (b *Bank) lowers(client string, i int32, a account) bool {
	old := b.accts.get(i)
	if a.checking >= old.checking && a.savings >= old.savings {
		return false
	}
	return !b.mayDebit(client, i)
}
