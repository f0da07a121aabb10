package scenario

import (
	"fmt"
	"slices"
)

// Access is what the schedule needs to know about a transaction: the client that issues it
// (the first account of its first operation, e.g. A for (A, B, 1) and E for (E)) and every
// account it reads or writes.
type Access struct {
	Client   string
	Accounts []string
}

// Deps returns, for each transaction, the ascending indices of the earlier transactions it must
// wait for so that running the set equals running it one by one in file order (README, "Scenario
// file grammar"): for each account it touches, the latest earlier transaction touching that
// account, and the client's previous transaction (each client is closed-loop).
//
// Waiting for these is waiting for every earlier transaction that shares an account: the latest one
// waited in turn for its predecessor on that account, and so on. Reads are treated like writes,
// since the spec orders any two transactions that touch one account.
func Deps(txns []Access) [][]int {
	lastOnAccount := make(map[string]int)
	lastOfClient := make(map[string]int)
	deps := make([][]int, len(txns))
	for i, t := range txns {
		d := []int{}
		for _, acct := range t.Accounts {
			if j, ok := lastOnAccount[acct]; ok {
				d = append(d, j)
			}
		}
		if j, ok := lastOfClient[t.Client]; ok {
			d = append(d, j)
		}
		slices.Sort(d)
		deps[i] = slices.Compact(d)
		for _, acct := range t.Accounts {
			lastOnAccount[acct] = i
		}
		lastOfClient[t.Client] = i
	}
	return deps
}

// txnState is where a transaction is in the schedule.
type txnState uint8

const (
	waiting  txnState = iota // some dependency has not completed
	released                 // all dependencies completed; not yet handed out by Ready
	issued                   // handed out by Ready, not yet Done
	done
)

// Scheduler hands out transactions as their dependencies complete. It is deterministic and not
// safe for concurrent use.
type Scheduler struct {
	blockers   []int   // unfinished dependencies per transaction
	dependents [][]int // transactions waiting on each transaction
	state      []txnState
	released   []int // released since the last Ready call
	finished   int
}

// NewScheduler builds a scheduler from Deps-shaped input: deps[i] lists earlier transactions
// (indices below i) that transaction i waits for.
func NewScheduler(deps [][]int) (*Scheduler, error) {
	s := &Scheduler{
		blockers:   make([]int, len(deps)),
		dependents: make([][]int, len(deps)),
		state:      make([]txnState, len(deps)),
	}
	for i, d := range deps {
		for _, j := range d {
			if j < 0 || j >= i {
				return nil, fmt.Errorf("transaction %d depends on %d, want an earlier transaction", i, j)
			}
			s.blockers[i]++
			s.dependents[j] = append(s.dependents[j], i)
		}
		if s.blockers[i] == 0 {
			s.release(i)
		}
	}
	return s, nil
}

func (s *Scheduler) release(i int) {
	s.state[i] = released
	s.released = append(s.released, i)
}

// Ready returns, in ascending order, the transactions whose dependencies have all completed
// and that earlier calls have not returned. The caller issues them and reports each with Done.
func (s *Scheduler) Ready() []int {
	ready := s.released
	s.released = nil
	slices.Sort(ready)
	for _, i := range ready {
		s.state[i] = issued
	}
	return ready
}

// Done records that transaction i has ended (committed or not), releasing the transactions
// that waited only for it. i must have been returned by Ready and not reported before.
func (s *Scheduler) Done(i int) error {
	if i < 0 || i >= len(s.state) {
		return fmt.Errorf("transaction %d out of range [0, %d)", i, len(s.state))
	}
	if s.state[i] != issued {
		return fmt.Errorf("transaction %d was not issued or is already done", i)
	}
	s.state[i] = done
	s.finished++
	for _, d := range s.dependents[i] {
		s.blockers[d]--
		if s.blockers[d] == 0 {
			s.release(d)
		}
	}
	return nil
}

// Finished reports whether every transaction is done.
func (s *Scheduler) Finished() bool { return s.finished == len(s.state) }

// Len returns the number of transactions.
func (s *Scheduler) Len() int { return len(s.state) }
