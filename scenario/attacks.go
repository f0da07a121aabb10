package scenario

import (
	"fmt"

	"github.com/bftbank/pbft/byzantine"
)

// parseAttacks reads an attack cell (already unquoted): `[time; dark(n6)]`, `sign`, `[]` or "".
// The grammar of attacks is byzantine.ParseAttacks'; this adds the cell's bracket checks.
func parseAttacks(text string, n int) ([]Attack, error) {
	if err := checkBalanced(text); err != nil {
		return nil, fmt.Errorf("%v in attacks %q", err, text)
	}
	if _, err := stripBrackets(text); err != nil {
		return nil, fmt.Errorf("%v in attacks %q", err, text)
	}
	return byzantine.ParseAttacks(text, n)
}
