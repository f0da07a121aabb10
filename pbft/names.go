package pbft

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParseNodeID reads a replica name as users write it in flags, configuration files and
// scenario files: n3, S3 or 3, in any case, with surrounding spaces ignored and leading
// zeros allowed (n03 is n3). A name that is not a replica of 1..n is an error that quotes it.
// It is the one parser of replica names; every command and grammar calls it.
func ParseNodeID(name string, n int) (NodeID, error) {
	text := strings.TrimSpace(name)
	digits := text
	if digits != "" && strings.ContainsRune("nNsS", rune(digits[0])) {
		digits = digits[1:]
	}
	id, err := strconv.Atoi(digits)
	if err != nil || digits == "" || digits[0] == '+' || digits[0] == '-' || id < 1 || id > n {
		return 0, fmt.Errorf("unknown replica %q (want n1..n%d)", text, n)
	}
	return NodeID(id), nil
}

// ParseNodeList reads replica names separated by commas, semicolons or white space, such as
// "n1, n2" or "S1;S2" (ParseNodeID reads each), and returns them sorted. An empty list is
// empty, not nil; a replica named twice is an error.
func ParseNodeList(list string, n int) ([]NodeID, error) {
	ids := []NodeID{}
	for _, name := range strings.FieldsFunc(list, isNameSeparator) {
		id, err := ParseNodeID(name, n)
		if err != nil {
			return nil, err
		}
		if slices.Contains(ids, id) {
			return nil, fmt.Errorf("replica %s named twice", id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

func isNameSeparator(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
}
