package scenario

import (
	"errors"
	"strings"
)

// splitRow splits one line into trimmed cells. A comma separates cells only outside double
// quotes and outside (), [] groups, so `(A, B, 1)` is one cell with or without quotes. In the
// transaction column a comma that follows an operation and precedes another one also stays in
// the cell, so an unquoted `(DepositChecking(C,25)),(Balance(A))` is one cell (no list column
// starts with "(" or "Name("). Quotes are removed wherever they appear; "" inside quotes stands
// for one quote character.
func splitRow(line string) ([]string, error) {
	var cells []string
	var cell strings.Builder
	var closers []byte // closing bracket expected for each open group, outside quotes
	inQuote := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"' && inQuote && i+1 < len(line) && line[i+1] == '"':
			cell.WriteByte('"')
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
			cell.WriteByte(c)
		case c == '(' || c == '[':
			closers = append(closers, closerOf(c))
			cell.WriteByte(c)
		case c == ')' || c == ']':
			if len(closers) == 0 || closers[len(closers)-1] != c {
				return nil, unbalanced(c)
			}
			closers = closers[:len(closers)-1]
			cell.WriteByte(c)
		case c == ',' && len(closers) == 0 && len(cells) == colTxn &&
			strings.HasSuffix(strings.TrimSpace(cell.String()), ")") && startsOp(line[i+1:]):
			cell.WriteByte(c)
		case c == ',' && len(closers) == 0:
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(c)
		}
	}
	if inQuote {
		return nil, errors.New("unterminated quote")
	}
	if len(closers) > 0 {
		return nil, unbalanced(closers[len(closers)-1])
	}
	return append(cells, strings.TrimSpace(cell.String())), nil
}

// startsOp reports whether s, after spaces, begins with "(" or "Name(".
func startsOp(s string) bool {
	s = strings.TrimLeft(s, " \t")
	name := strings.TrimRight(strings.SplitN(s, "(", 2)[0], " \t")
	return strings.Contains(s, "(") && (name == "" || isIdentifier(name))
}

func closerOf(open byte) byte {
	if open == '(' {
		return ')'
	}
	return ']'
}

// unbalanced names the kind of bracket that does not match.
func unbalanced(c byte) error {
	if c == '(' || c == ')' {
		return errors.New("unbalanced parentheses")
	}
	return errors.New("unbalanced brackets")
}

// checkBalanced reports unbalanced or crossed brackets in a cell (quoted cells skip the row
// splitter's check).
func checkBalanced(s string) error {
	var closers []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', '[':
			closers = append(closers, closerOf(c))
		case ')', ']':
			if len(closers) == 0 || closers[len(closers)-1] != c {
				return unbalanced(c)
			}
			closers = closers[:len(closers)-1]
		}
	}
	if len(closers) > 0 {
		return unbalanced(closers[len(closers)-1])
	}
	return nil
}

// splitTopLevel splits a balanced string at any of seps that is outside () and [] groups.
func splitTopLevel(s, seps string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case depth == 0 && strings.IndexByte(seps, c) >= 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// stripBrackets removes one pair of enclosing square brackets, if present.
func stripBrackets(s string) (string, error) {
	s = strings.TrimSpace(s)
	open, close := strings.HasPrefix(s, "["), strings.HasSuffix(s, "]")
	switch {
	case open && close && len(s) >= 2:
		return strings.TrimSpace(s[1 : len(s)-1]), nil
	case open || close:
		return "", errors.New("unbalanced brackets")
	}
	return s, nil
}
