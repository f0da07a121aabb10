package scenario

import (
	"fmt"

	"github.com/bftbank/pbft/byzantine"
)

// DefaultReplicas is the number of replicas (n = 3f+1 with f = 2) that replica names are
// checked against when ParseOptions.Replicas is zero.
const DefaultReplicas = 7

// Attack names accepted in the attack column (byzantine owns the grammar of attacks).
const (
	AttackSign         = byzantine.AttackSign
	AttackCrash        = byzantine.AttackCrash
	AttackDark         = byzantine.AttackDark
	AttackTime         = byzantine.AttackTime
	AttackEquivocation = byzantine.AttackEquivocation
	AttackStaleRead    = byzantine.AttackStaleRead
)

// File is a parsed scenario file.
type File struct {
	Name string // the name given to Parse, used in error messages
	Sets []Set  // in file order
	// Warnings are rows that parse but probably do not say what their author meant (see
	// checkSets); they do not stop a run.
	Warnings []*Error
}

// Set is one scenario set: a fresh cluster, its faults, and the transactions to run.
type Set struct {
	Number    string   // the set number as written, e.g. "4"
	Line      int      // line of the row that starts the set
	Live      []int    // replicas up during the set, sorted; empty means none
	Byzantine []int    // replicas that misbehave, sorted
	Attacks   []Attack // in file order, one per attack name
	Txns      []Txn    // in file order
}

// Attack is one attack run by every Byzantine replica of a set, as byzantine.ParseAttack
// reads it.
type Attack = byzantine.Attack

// Txn is one transaction row of a set.
type Txn struct {
	Line int      // line of the row
	Text string   // the cell as written, without CSV quotes, trimmed
	Ops  []string // one text per operation, e.g. "(A, B, 1)" or "DepositChecking(C,25)"
}

// ReplicaNames prints replica ids as "n1", "n2", ...
func ReplicaNames(ids []int) []string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = fmt.Sprintf("n%d", id)
	}
	return names
}

// Attack returns the set's attack with the given name, if the set has it.
func (s *Set) Attack(name string) (Attack, bool) {
	for _, a := range s.Attacks {
		if a.Name == name {
			return a, true
		}
	}
	return Attack{}, false
}

// IsLive reports whether replica id is up during the set.
func (s *Set) IsLive(id int) bool { return contains(s.Live, id) }

// IsByzantine reports whether replica id misbehaves during the set.
func (s *Set) IsByzantine(id int) bool { return contains(s.Byzantine, id) }

func contains(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Error is a problem in a scenario file, at a line (0 when it concerns the whole file).
type Error struct {
	File string
	Line int
	Msg  string
}

// Error prints "file:line: problem".
func (e *Error) Error() string {
	switch {
	case e.File == "" && e.Line == 0:
		return e.Msg
	case e.File == "":
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}
