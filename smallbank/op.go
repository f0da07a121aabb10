package smallbank

import (
	"errors"
	"fmt"
	"strconv"
)

// OpKind names a SmallBank transaction.
type OpKind uint8

// The SmallBank transactions. The legacy transfer and balance forms map to SendPayment and
// Balance. The values are the first byte of an encoded Op and must not change.
const (
	OpBalance         OpKind = 1
	OpDepositChecking OpKind = 2
	OpTransactSavings OpKind = 3
	OpAmalgamate      OpKind = 4
	OpWriteCheck      OpKind = 5
	OpSendPayment     OpKind = 6
)

// MaxAccountLen is the longest account name, in bytes.
const MaxAccountLen = 64

// opShape says which operands a kind takes besides the first account.
type opShape struct {
	name      string
	dest      bool // a second account
	amount    bool
	readOnly  bool
	arguments int
}

var opShapes = [...]opShape{
	OpBalance:         {name: "Balance", readOnly: true, arguments: 1},
	OpDepositChecking: {name: "DepositChecking", amount: true, arguments: 2},
	OpTransactSavings: {name: "TransactSavings", amount: true, arguments: 2},
	OpAmalgamate:      {name: "Amalgamate", dest: true, arguments: 2},
	OpWriteCheck:      {name: "WriteCheck", amount: true, arguments: 2},
	OpSendPayment:     {name: "SendPayment", dest: true, amount: true, arguments: 3},
}

// shape returns the operands of kind k; ok is false for an unknown kind.
func (k OpKind) shape() (s opShape, ok bool) {
	if k == 0 || int(k) >= len(opShapes) {
		return opShape{}, false
	}
	return opShapes[k], true
}

// String is the canonical name of the transaction, e.g. "SendPayment".
func (k OpKind) String() string {
	if s, ok := k.shape(); ok {
		return s.name
	}
	return "Op(" + strconv.Itoa(int(k)) + ")"
}

// Op is one SmallBank operation. Account is N (or N1), Dest is N2 of Amalgamate and SendPayment
// and empty otherwise, Amount is V and zero for the kinds that take none. A negative Amount is a
// valid Op: executing it fails with the reason "negative amount" where the kind forbids it.
type Op struct {
	Kind    OpKind
	Account string
	Dest    string
	Amount  int64
}

// ReadOnly reports whether the operation never changes state (Balance), so that a client may
// send it as a read to every replica instead of ordering it.
func (op Op) ReadOnly() bool {
	s, _ := op.Kind.shape()
	return s.readOnly
}

// String prints the canonical text form, e.g. "SendPayment(A, B, 3)", which ParseOp reads back.
func (op Op) String() string {
	shape, _ := op.Kind.shape()
	s := op.Kind.String() + "(" + op.Account
	if shape.dest {
		s += ", " + op.Dest
	}
	if shape.amount {
		s += ", " + strconv.FormatInt(op.Amount, 10)
	}
	return s + ")"
}

// Validate checks that the operation is well formed: a known kind, valid account names, and no
// operand that the kind does not take. It does not look at the sign of the amount.
func (op Op) Validate() error {
	shape, ok := op.Kind.shape()
	if !ok {
		return fmt.Errorf("smallbank: unknown operation kind %d", op.Kind)
	}
	if err := ValidateAccount(op.Account); err != nil {
		return err
	}
	if shape.dest {
		if err := ValidateAccount(op.Dest); err != nil {
			return err
		}
	} else if op.Dest != "" {
		return fmt.Errorf("smallbank: %s takes one account", shape.name)
	}
	if !shape.amount && op.Amount != 0 {
		return fmt.Errorf("smallbank: %s takes no amount", shape.name)
	}
	return nil
}

// ValidateAccount checks an account name: 1 to MaxAccountLen letters, digits, '_' or '-'.
// Names are case-sensitive.
func ValidateAccount(name string) error {
	if name == "" {
		return errors.New("smallbank: empty account name")
	}
	if len(name) > MaxAccountLen {
		return fmt.Errorf("smallbank: account name longer than %d bytes", MaxAccountLen)
	}
	if !validAccount(name) {
		return fmt.Errorf("smallbank: account name %q: only letters, digits, '_' and '-'", name)
	}
	return nil
}

// validAccount is ValidateAccount as a predicate, for strings and byte slices alike.
func validAccount[T string | []byte](name T) bool {
	if len(name) == 0 || len(name) > MaxAccountLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !accountByte(name[i]) {
			return false
		}
	}
	return true
}

func accountByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
