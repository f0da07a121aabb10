package scenario

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// parseReplicaList reads `[n1, n2]`, `[S1;S2]`, `[1 2]`, `[]` or "" (already unquoted) into
// sorted replica ids in 1..n (pbft.ParseNodeList reads the names). what names the list in
// errors ("live list", ...).
func parseReplicaList(text string, n int, what string) ([]int, error) {
	if err := checkBalanced(text); err != nil {
		return nil, fmt.Errorf("%v in %s %q", err, what, text)
	}
	inner, err := stripBrackets(text)
	if err != nil {
		return nil, fmt.Errorf("%v in %s %q", err, what, text)
	}
	nodes, err := pbft.ParseNodeList(inner, n)
	if err != nil {
		return nil, fmt.Errorf("%v in %s", err, what)
	}
	ids := make([]int, len(nodes))
	for i, id := range nodes {
		ids[i] = int(id)
	}
	return ids, nil
}
