package bench

import (
	"fmt"
	"sort"

	"github.com/bftbank/pbft/smallbank"
)

// Accounting is the check that every acknowledged chaos request is in the final state exactly
// once. Client i's accounts A and B are touched by its own requests only, so with a_dep the
// acknowledged successful deposits and a_pay the acknowledged successful payments:
//
//	(A+B)_final − (A+B)_open − Σ a_dep = Σ of the unknown deposits that executed
//	B_final − B_open − Σ a_pay          = Σ of the unknown payments that executed
//
// (a deposit adds to A+B, a payment moves money from A to B). Each right-hand side lies
// between 0 and the sum of the client's unknown requests of that kind; below 0 an
// acknowledged request is missing (lost), above the bound one executed twice (duplicated).
// With no unknown request, both sides must be exactly 0. Beyond the bounds, the check looks
// for the subsets of unknown requests that explain both sides at once: none means the state is
// not the result of executing each request at most once.
type Accounting struct {
	Clients      int `json:"clients"`
	Acknowledged int `json:"acknowledged"` // requests acknowledged by f+1 matching replies (seals included)
	AckedOK      int `json:"acked_ok"`     // of those, succeeded
	Unknown      int `json:"unknown"`      // requests that ended without acknowledgement (--op-timeout)
	// UnknownExecuted is how many unknown requests the (first) explaining subset executed.
	UnknownExecuted int `json:"unknown_executed"`
	Lost            int `json:"lost"`        // clients whose accounts miss an acknowledged request
	Duplicated      int `json:"duplicated"`  // clients whose accounts hold more than their requests allow
	Unexplained     int `json:"unexplained"` // clients whose balances no subset of unknown requests explains
	Ambiguous       int `json:"ambiguous"`   // clients explained by more than one subset (not an error)
	// SlotOrder counts acknowledged requests whose slot is not above the slot of the client's
	// previous acknowledged request: a closed-loop client's requests execute in order.
	SlotOrder int `json:"slot_order_violations"`
	// OthersChanged counts accounts owned by no chaos client whose balance changed.
	OthersChanged int      `json:"other_accounts_changed"`
	MoneyOpening  int64    `json:"money_opening"`
	MoneyExpected int64    `json:"money_expected"` // opening + acknowledged and explained deposits
	MoneyFinal    int64    `json:"money_final"`
	Problems      []string `json:"problems,omitempty"` // the first few, for people
}

// maxProblems bounds Accounting.Problems; maxEnumerated bounds the unknown requests of one
// client whose subsets are enumerated (beyond it only the bounds are checked).
const (
	maxProblems   = 20
	maxEnumerated = 20
)

// ok reports whether the accounting found nothing wrong.
func (a *Accounting) ok() bool {
	return a.Lost == 0 && a.Duplicated == 0 && a.Unexplained == 0 && a.SlotOrder == 0 &&
		a.OthersChanged == 0 && a.MoneyFinal == a.MoneyExpected
}

func (a *Accounting) problem(format string, args ...any) {
	if len(a.Problems) < maxProblems {
		a.Problems = append(a.Problems, fmt.Sprintf(format, args...))
	}
}

// account checks the final balances against the opening balances and the clients' ledgers.
func account(open, final map[string]int64, ledgers []clientLedger) Accounting {
	a := Accounting{Clients: len(ledgers)}
	owned := map[string]bool{}
	for _, l := range ledgers {
		owned[l.A], owned[l.B] = true, true
		a.checkClient(l, open, final)
	}
	for _, name := range sortedKeys(open, final) {
		a.MoneyOpening += open[name]
		a.MoneyFinal += final[name]
		if !owned[name] && final[name] != open[name] {
			a.OthersChanged++
			a.problem("account %s, owned by no client, went from %d to %d", name, open[name], final[name])
		}
	}
	a.MoneyExpected += a.MoneyOpening
	return a
}

// clientSums are a client's acknowledged effects and its unknown requests.
type clientSums struct {
	ackedDep, ackedPay int64
	unknown            []chaosOp // unknown requests that would move money
}

// sums walks one client's history, counting into a and checking the slot order.
func (a *Accounting) sums(l clientLedger) clientSums {
	var s clientSums
	var lastSeq uint64
	for _, op := range l.Ops {
		switch op.Outcome {
		case opUnknown:
			a.Unknown++
			if op.Amount != 0 {
				s.unknown = append(s.unknown, op)
			}
			continue
		case opAckedOK:
			a.AckedOK++
			if op.Kind == smallbank.OpDepositChecking {
				s.ackedDep += op.Amount
			} else {
				s.ackedPay += op.Amount
			}
		}
		a.Acknowledged++
		if uint64(op.Seq) <= lastSeq {
			a.SlotOrder++
			a.problem("%s: acknowledged at slot %d after an acknowledgement at slot %d", l.Client, op.Seq, lastSeq)
		}
		lastSeq = uint64(op.Seq)
	}
	return s
}

// checkClient checks the two accounts of one client.
func (a *Accounting) checkClient(l clientLedger, open, final map[string]int64) {
	s := a.sums(l)
	fa, okA := final[l.A]
	fb, okB := final[l.B]
	if !okA || !okB {
		a.Unexplained++
		a.problem("%s: account %s or %s missing from the final state", l.Client, l.A, l.B)
		return
	}
	dT := fa + fb - open[l.A] - open[l.B] - s.ackedDep // executed unknown deposits
	dB := fb - open[l.B] - s.ackedPay                  // executed unknown payments
	maxT, maxB := unknownBounds(s.unknown)
	a.MoneyExpected += s.ackedDep + max(0, min(dT, maxT))
	switch {
	case dT < 0 || dB < 0:
		a.Lost++
		a.problem("%s: %+d deposited and %+d paid beyond the acknowledged requests: an acknowledged request is missing", l.Client, dT, dB)
		return
	case dT > maxT || dB > maxB:
		a.Duplicated++
		a.problem("%s: %+d deposited and %+d paid beyond the acknowledged requests, more than its %d unknown requests allow", l.Client, dT, dB, len(s.unknown))
		return
	}
	if len(s.unknown) > maxEnumerated {
		return // bounds only
	}
	count, executed := explanations(s.unknown, dT, dB)
	switch {
	case count == 0:
		a.Unexplained++
		a.problem("%s: %+d deposited and %+d paid beyond the acknowledged requests: no subset of its %d unknown requests adds up to that", l.Client, dT, dB, len(s.unknown))
	case count > 1:
		a.Ambiguous++
	}
	a.UnknownExecuted += executed
}

// unknownBounds sums the amounts of the unknown deposits and of the unknown payments.
func unknownBounds(unknown []chaosOp) (dep, pay int64) {
	for _, op := range unknown {
		if op.Kind == smallbank.OpDepositChecking {
			dep += op.Amount
		} else {
			pay += op.Amount
		}
	}
	return dep, pay
}

// explanations counts the subsets of unknown whose deposits add up to dT and payments to dB,
// and returns the size of the first one found.
func explanations(unknown []chaosOp, dT, dB int64) (count, executed int) {
	executed = -1
	for mask := 0; mask < 1<<len(unknown); mask++ {
		var dep, pay int64
		size := 0
		for i, op := range unknown {
			if mask&(1<<i) == 0 {
				continue
			}
			size++
			if op.Kind == smallbank.OpDepositChecking {
				dep += op.Amount
			} else {
				pay += op.Amount
			}
		}
		if dep == dT && pay == dB {
			count++
			if executed < 0 {
				executed = size
			}
		}
	}
	return count, max(0, executed)
}

// sortedKeys is the union of the maps' keys, sorted.
func sortedKeys(maps ...map[string]int64) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
