package smallbank

// Execute applies one encoded operation and returns its encoded Result. A malformed encoding
// gives a failed result ("malformed operation") and changes nothing.
func (b *Bank) Execute(op []byte) []byte {
	o, err := DecodeOp(op)
	if err != nil {
		return EncodeResult(fail(ReasonMalformed))
	}
	return EncodeResult(b.Apply(o))
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

// Apply executes op and returns its result; see the package doc for the semantics and the
// order of the checks. A failed operation changes nothing.
func (b *Bank) Apply(op Op) Result {
	if op.Validate() != nil {
		return fail(ReasonMalformed)
	}
	switch op.Kind {
	case OpBalance:
		return b.balance(op.Account)
	case OpDepositChecking:
		return b.depositChecking(op.Account, op.Amount)
	case OpTransactSavings:
		return b.transactSavings(op.Account, op.Amount)
	case OpAmalgamate:
		return b.amalgamate(op.Account, op.Dest)
	case OpWriteCheck:
		return b.writeCheck(op.Account, op.Amount)
	case OpSendPayment:
		return b.sendPayment(op.Account, op.Dest, op.Amount)
	}
	panic("smallbank: Validate accepted unknown operation kind " + op.Kind.String())
}

func (b *Bank) balance(n string) Result {
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	a := b.accts.get(i)
	return succeed(a.checking + a.savings)
}

func (b *Bank) depositChecking(n string, v int64) Result {
	if v < 0 {
		return fail(ReasonNegativeAmount)
	}
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	a := b.accts.get(i)
	a.checking, ok = addInt(a.checking, v)
	if !ok {
		return fail(ReasonOverflow)
	}
	return b.commitOne(i, a, v)
}

func (b *Bank) transactSavings(n string, v int64) Result {
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	a := b.accts.get(i)
	// savings >= 0, so a negative v cannot overflow: only a positive one can.
	a.savings, ok = addInt(a.savings, v)
	if !ok {
		return fail(ReasonOverflow)
	}
	if a.savings < 0 {
		return fail(ReasonInsufficientFunds)
	}
	return b.commitOne(i, a, v)
}

func (b *Bank) writeCheck(n string, v int64) Result {
	if v < 0 {
		return fail(ReasonNegativeAmount)
	}
	i, ok := b.index[n]
	if !ok {
		return unknownAccount(n)
	}
	a := b.accts.get(i)
	debit := v
	if a.checking+a.savings < v {
		if debit, ok = addInt(v, 1); !ok { // the overdraft penalty
			return fail(ReasonOverflow)
		}
	}
	if a.checking, ok = addInt(a.checking, -debit); !ok {
		return fail(ReasonOverflow)
	}
	return b.commitOne(i, a, -debit)
}

func (b *Bank) amalgamate(n1, n2 string) Result {
	i, j, res, ok := b.pair(n1, n2)
	if !ok {
		return res
	}
	from, to := b.accts.get(i), b.accts.get(j)
	moved := from.checking + from.savings
	if i == j {
		return b.commitOne(i, account{checking: moved}, 0)
	}
	if to.checking, ok = addInt(to.checking, moved); !ok {
		return fail(ReasonOverflow)
	}
	return b.commitTwo(i, account{}, j, to)
}

func (b *Bank) sendPayment(n1, n2 string, v int64) Result {
	if v < 0 {
		return fail(ReasonNegativeAmount)
	}
	i, j, res, ok := b.pair(n1, n2)
	if !ok {
		return res
	}
	from, to := b.accts.get(i), b.accts.get(j)
	if from.checking < v {
		return fail(ReasonInsufficientFunds)
	}
	if i == j {
		return succeed(0) // debit then credit the same account
	}
	from.checking -= v // no overflow: from.checking >= v >= 0
	if to.checking, ok = addInt(to.checking, v); !ok {
		return fail(ReasonOverflow)
	}
	return b.commitTwo(i, from, j, to)
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

// commitOne stores a's new value if it keeps the invariants and the total (changed by delta)
// fits; delta is the result's value.
func (b *Bank) commitOne(i int32, a account, delta int64) Result {
	total, ok := addInt(b.total, delta)
	if !ok || !a.valid() {
		return fail(ReasonOverflow)
	}
	b.touch(i)
	b.accts.set(i, a)
	b.total = total
	return succeed(delta)
}

// commitTwo stores two accounts of a transfer, which leaves the total unchanged.
func (b *Bank) commitTwo(i int32, a account, j int32, c account) Result {
	if !a.valid() || !c.valid() {
		return fail(ReasonOverflow)
	}
	b.touch(i)
	b.touch(j)
	b.accts.set(i, a)
	b.accts.set(j, c)
	return succeed(0)
}
