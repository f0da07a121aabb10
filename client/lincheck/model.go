package lincheck

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/bftbank/pbft/smallbank"
)

// Initial gives the opening balances of an account, and false if the bank has no such account.
type Initial func(account string) (checking, savings int64, ok bool)

// Uniform is the Initial of banks whose accounts all open with the same balances.
func Uniform(exists func(string) bool, checking, savings int64) Initial {
	return func(name string) (int64, int64, bool) {
		if !exists(name) {
			return 0, 0, false
		}
		return checking, savings, true
	}
}

// account is one account's balances in the model's state.
type account struct {
	name              string
	checking, savings int64
}

// state lists, sorted by name, the accounts whose balances differ from the opening ones. It is
// never modified: a step returns a new one (porcupine keeps old states for backtracking).
type state []account

// output is what the client saw: the result, or nothing (known false).
type output struct {
	res   smallbank.Result
	known bool
}

// model is porcupine's model of the bank with the given opening balances.
func model(initial Initial) porcupine.Model {
	m := &bankModel{initial: initial}
	return porcupine.Model{
		Partition:         partition,
		Init:              func() interface{} { return state(nil) },
		Step:              m.step,
		Equal:             func(a, b interface{}) bool { return slices.Equal(a.(state), b.(state)) },
		Hash:              hashState,
		DescribeOperation: describeOp,
		DescribeState:     describeState,
	}
}

type bankModel struct{ initial Initial }

// modelTeller runs the model's operations: a teller may run every operation, so the model
// refuses none for authorization (step accepts an observed refusal as a no-op).
const modelTeller = "lincheck-model"

// step applies op to st and reports whether it could have given out.
func (m *bankModel) step(st, in, out interface{}) (bool, interface{}) {
	s, op, o := st.(state), in.(smallbank.Op), out.(output)
	if o.known && !o.res.OK && o.res.Reason == smallbank.ReasonNotAuthorized {
		return true, s
	}
	bank, names := m.bankFor(s, op)
	res := bank.ApplyAs(modelTeller, op)
	// The model keeps balances, not the accounts' versions (which only tell the replicas' read
	// replies apart, docs/protocol.md "Linearizability"): a result is compared without its
	// version.
	seen := o.res
	seen.Version = 0
	if o.known && res != seen {
		return false, s
	}
	if !res.OK || op.ReadOnly() {
		return true, s
	}
	next := s
	for _, name := range names {
		c, sv, _ := bank.Balances(name)
		next = m.with(next, account{name: name, checking: c, savings: sv})
	}
	return true, next
}

// bankFor opens, in a fresh bank, the accounts op names that exist, with their balances in s.
func (m *bankModel) bankFor(s state, op smallbank.Op) (*smallbank.Bank, []string) {
	bank := smallbank.NewBank()
	if err := bank.Grant(smallbank.RoleTeller, modelTeller); err != nil {
		panic(err)
	}
	var names []string
	for _, name := range []string{op.Account, op.Dest} {
		if name == "" || bank.Has(name) {
			continue
		}
		a, ok := m.balances(s, name)
		if !ok {
			continue
		}
		if err := bank.Open(name, a.checking, a.savings); err != nil {
			panic(fmt.Sprintf("lincheck: account %s out of the bank's limits: %v", name, err))
		}
		names = append(names, name)
	}
	return bank, names
}

// balances is the account's current balances in s.
func (m *bankModel) balances(s state, name string) (account, bool) {
	if i, ok := slices.BinarySearchFunc(s, name, byName); ok {
		return s[i], true
	}
	c, sv, ok := m.initial(name)
	return account{name: name, checking: c, savings: sv}, ok
}

// with returns a copy of s in which a has its new balances (absent if they are the opening ones,
// so that equal states compare equal whatever the path).
func (m *bankModel) with(s state, a account) state {
	i, found := slices.BinarySearchFunc(s, a.name, byName)
	c, sv, _ := m.initial(a.name)
	opening := c == a.checking && sv == a.savings
	switch {
	case found && opening:
		return slices.Delete(slices.Clone(s), i, i+1)
	case found:
		next := slices.Clone(s)
		next[i] = a
		return next
	case opening:
		return s
	}
	return slices.Insert(slices.Clip(s), i, a)
}

func byName(a account, name string) int { return strings.Compare(a.name, name) }

func hashState(st interface{}) uint64 {
	h := fnv.New64a()
	for _, a := range st.(state) {
		fmt.Fprintf(h, "%s:%d:%d;", a.name, a.checking, a.savings)
	}
	return h.Sum64()
}

func describeOp(in, out interface{}) string {
	o := out.(output)
	if !o.known {
		return fmt.Sprintf("%s -> ?", in.(smallbank.Op))
	}
	if o.res.OK {
		return fmt.Sprintf("%s -> ok %d", in.(smallbank.Op), o.res.Value)
	}
	return fmt.Sprintf("%s -> %s", in.(smallbank.Op), o.res.Reason)
}

func describeState(st interface{}) string {
	s := st.(state)
	if len(s) == 0 {
		return "opening balances"
	}
	parts := make([]string, len(s))
	for i, a := range s {
		parts[i] = fmt.Sprintf("%s=%d+%d", a.name, a.checking, a.savings)
	}
	return strings.Join(parts, " ")
}
