package scenario

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// maxOpNesting bounds how many pairs of parentheses may wrap an operation list.
const maxOpNesting = 8

// splitOps splits a transaction cell (already unquoted) into operation texts and checks that
// each has the shape Name(args) or (args).
func splitOps(cell string) ([]string, error) {
	if err := checkBalanced(cell); err != nil {
		return nil, fmt.Errorf("%v in transaction %q", err, cell)
	}
	return appendOps(nil, cell, 0)
}

// appendOps appends the operations of a list separated by commas or semicolons (files of
// earlier course years write "(A, C, 1); (C, E, 2)"). A piece wholly wrapped in parentheses
// that itself contains parentheses, such as "(Balance(A))", is a wrapped list.
func appendOps(ops []string, list string, depth int) ([]string, error) {
	if depth > maxOpNesting {
		return nil, fmt.Errorf("operations nested too deeply in %q", list)
	}
	for _, piece := range splitTopLevel(list, ",;") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			return nil, fmt.Errorf("empty operation in %q", list)
		}
		if inner, ok := unwrapParens(piece); ok && strings.ContainsAny(inner, "()") {
			var err error
			if ops, err = appendOps(ops, inner, depth+1); err != nil {
				return nil, err
			}
			continue
		}
		if err := checkOpShape(piece); err != nil {
			return nil, fmt.Errorf("malformed operation %q: %v", piece, err)
		}
		ops = append(ops, piece)
	}
	return ops, nil
}

// unwrapParens returns the inside of s when s is one parenthesised group "( ... )".
func unwrapParens(s string) (string, bool) {
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return "", false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth == 0 && i != len(s)-1 {
				return "", false // "(a)(b)": the first group closes early
			}
		}
	}
	return strings.TrimSpace(s[1 : len(s)-1]), true
}

// checkOpShape accepts Name(arg, ...) and the legacy (sender, receiver, amount) and (account).
func checkOpShape(op string) error {
	open := strings.IndexByte(op, '(')
	if open < 0 || !strings.HasSuffix(op, ")") {
		return errors.New("want Name(args), (sender, receiver, amount) or (account)")
	}
	name := strings.TrimSpace(op[:open])
	if name != "" && !isIdentifier(name) {
		return fmt.Errorf("bad operation name %q", name)
	}
	body := op[open+1 : len(op)-1]
	if strings.ContainsAny(body, "()[]") {
		return errors.New("nested brackets in arguments")
	}
	args := strings.Split(body, ",")
	for _, arg := range args {
		if err := checkArg(strings.TrimSpace(arg)); err != nil {
			return err
		}
	}
	if name == "" && len(args) != 1 && len(args) != 3 {
		return fmt.Errorf("legacy operation has %d arguments, want (sender, receiver, amount) or (account)", len(args))
	}
	return nil
}

func isIdentifier(s string) bool {
	for i, r := range s {
		letter := unicode.IsLetter(r) || r == '_'
		if !letter && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// checkArg accepts an account or amount token: letters, digits, '_', '.', '+', '-', and
// spaces after a leading sign ("- 3"), which the operation parser reads as an amount
// (smallbank.ParseOp).
func checkArg(arg string) error {
	if arg == "" {
		return errors.New("empty argument")
	}
	token := arg
	if token[0] == '+' || token[0] == '-' {
		token = token[:1] + strings.TrimLeft(token[1:], " ")
	}
	for _, r := range token {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_.+-", r) {
			return fmt.Errorf("bad character %q in argument %q", r, arg)
		}
	}
	return nil
}
