package smallbank

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// opNames maps a lower-case operation name of the text form to its kind. "transfer" is the
// legacy name of SendPayment.
var opNames = map[string]OpKind{
	"balance":         OpBalance,
	"depositchecking": OpDepositChecking,
	"transactsavings": OpTransactSavings,
	"amalgamate":      OpAmalgamate,
	"writecheck":      OpWriteCheck,
	"sendpayment":     OpSendPayment,
	"transfer":        OpSendPayment,
}

// maxWrapping bounds the extra parentheses around an operation, "((Balance(A)))".
const maxWrapping = 4

// ParseOp reads the text form of one operation, as scenario files write it:
//
//	SendPayment(A, B, 3)   DepositChecking(C,25)   Balance(A)   Amalgamate(A,B)
//	WriteCheck(A, 5)       TransactSavings(A,-3)   (A, B, 1)    (E)
//
// Operation names are case-insensitive and spacing is free. "(s, r, amt)" is the legacy
// transfer (SendPayment) and "(s)" the legacy balance read; surrounding double quotes and a few
// extra pairs of parentheses, as in "(DepositChecking(C,25))", are accepted. Account names are
// case-sensitive. The error says what is wrong.
func ParseOp(text string) (Op, error) {
	op, err := parseOp(text, 0)
	if err != nil {
		return Op{}, fmt.Errorf("smallbank: parse %q: %w", text, err)
	}
	return op, nil
}

func parseOp(text string, depth int) (Op, error) {
	t := strings.TrimSpace(text)
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	open := strings.IndexByte(t, '(')
	if open < 0 || !strings.HasSuffix(t, ")") {
		return Op{}, fmt.Errorf("want Name(arguments) or (arguments)")
	}
	name, inner := strings.TrimSpace(t[:open]), t[open+1:len(t)-1]
	if name == "" && strings.ContainsRune(inner, '(') {
		if depth >= maxWrapping {
			return Op{}, fmt.Errorf("too many parentheses")
		}
		return parseOp(inner, depth+1)
	}
	if strings.ContainsAny(inner, "()") {
		return Op{}, fmt.Errorf("unbalanced parentheses")
	}
	args := strings.Split(inner, ",")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	if name == "" {
		return legacyOp(args)
	}
	kind, ok := opNames[strings.ToLower(name)]
	if !ok {
		return Op{}, fmt.Errorf("unknown operation %q", name)
	}
	return namedOp(kind, args)
}

// legacyOp reads "(s, r, amt)" and "(s)".
func legacyOp(args []string) (Op, error) {
	switch len(args) {
	case 1:
		return namedOp(OpBalance, args)
	case 3:
		return namedOp(OpSendPayment, args)
	}
	return Op{}, fmt.Errorf("want (account) or (from, to, amount), got %d arguments", len(args))
}

// namedOp builds an operation of kind from its text arguments, in the order of Op.String.
func namedOp(kind OpKind, args []string) (Op, error) {
	shape, _ := kind.shape()
	if len(args) != shape.arguments {
		return Op{}, fmt.Errorf("%s takes %d arguments, got %d", shape.name, shape.arguments, len(args))
	}
	op := Op{Kind: kind, Account: args[0]}
	if shape.dest {
		op.Dest = args[1]
	}
	if shape.amount {
		v, err := parseAmount(args[len(args)-1])
		if err != nil {
			return Op{}, err
		}
		op.Amount = v
	}
	return op, op.Validate()
}

// parseAmount reads a decimal integer, allowing spaces after its sign ("- 3"). An integer
// outside the int64 range reads as the nearest int64: every limit of the bank (MaxBalance,
// MaxDeposit) is far inside that range, so the operation gets the same result as with the
// exact amount ("insufficient funds", "over the deposit limit", "negative amount", ...)
// instead of making the whole scenario file unreadable.
func parseAmount(s string) (int64, error) {
	t := strings.ReplaceAll(s, " ", "")
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, fmt.Errorf("amount %q is not an integer", s)
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("amount %q is not an integer", s)
	}
	return v, nil // on ErrRange, ParseInt returns math.MaxInt64 or math.MinInt64
}

// ParseOps reads a cell that holds one or more operations separated by commas outside any
// parentheses, e.g. "(DepositChecking(C,25)),(Balance(A))" or "(A, B, 1)".
func ParseOps(text string) ([]Op, error) {
	parts, err := splitTopLevel(text)
	if err != nil {
		return nil, fmt.Errorf("smallbank: parse %q: %w", text, err)
	}
	ops := make([]Op, 0, len(parts))
	for _, p := range parts {
		op, err := ParseOp(p)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// splitTopLevel splits text at the commas that are outside parentheses.
func splitTopLevel(text string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("unbalanced parentheses")
			}
		case ',':
			if depth == 0 {
				parts, start = append(parts, text[start:i]), i+1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parentheses")
	}
	return append(parts, text[start:]), nil
}
