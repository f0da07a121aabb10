package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// parseReplicaList reads `[n1, n2]`, `[S1;S2]`, `[1 2]`, `[]` or "" (already unquoted) into
// sorted replica ids in 1..n. what names the list in errors ("live list", ...).
func parseReplicaList(text string, n int, what string) ([]int, error) {
	if err := checkBalanced(text); err != nil {
		return nil, fmt.Errorf("%v in %s %q", err, what, text)
	}
	inner, err := stripBrackets(text)
	if err != nil {
		return nil, fmt.Errorf("%v in %s %q", err, what, text)
	}
	ids := []int{}
	for _, name := range strings.FieldsFunc(inner, isListSeparator) {
		id, err := parseReplica(name, n)
		if err != nil {
			return nil, fmt.Errorf("%v in %s", err, what)
		}
		if slices.Contains(ids, id) {
			return nil, fmt.Errorf("replica n%d named twice in %s", id, what)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

func isListSeparator(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\t'
}

// parseReplica reads a replica name: n3, S3 or 3, in any case, within 1..n.
func parseReplica(name string, n int) (int, error) {
	digits := strings.TrimSpace(name)
	if len(digits) > 0 && strings.ContainsRune("nNsS", rune(digits[0])) {
		digits = digits[1:]
	}
	id, err := strconv.Atoi(digits)
	if err != nil || digits == "" || digits[0] == '+' || digits[0] == '-' || id < 1 || id > n {
		return 0, fmt.Errorf("unknown replica %q (want n1..n%d)", strings.TrimSpace(name), n)
	}
	return id, nil
}
