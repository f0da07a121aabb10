package scenario

import (
	"fmt"
	"slices"
	"strings"
)

// checkSets lists what is legal but likely a mistake in a file's sets: a set number used
// before, a set with no live replica (nothing can commit), a Byzantine replica that is not
// live (it never runs, so its attacks do nothing), and attacks without any Byzantine replica
// (nobody runs them). Each is reported at the line of the row that starts the set.
func checkSets(file string, sets []Set) []*Error {
	var out []*Error
	warn := func(s Set, format string, args ...any) {
		out = append(out, &Error{File: file, Line: s.Line, Msg: fmt.Sprintf("set %s: ", s.Number) + fmt.Sprintf(format, args...)})
	}
	firstLine := map[string]int{}
	for _, s := range sets {
		if prev, ok := firstLine[s.Number]; ok {
			warn(s, "set number used before (line %d); both sets run, in file order", prev)
		} else {
			firstLine[s.Number] = s.Line
		}
		if len(s.Live) == 0 {
			warn(s, "empty live list: every replica is down, so no transaction can commit")
		}
		var idle []string
		for _, b := range s.Byzantine {
			if !slices.Contains(s.Live, b) {
				idle = append(idle, fmt.Sprintf("n%d", b))
			}
		}
		if len(idle) > 0 {
			warn(s, "Byzantine %s not in the live list: a replica that is down runs no attack", strings.Join(idle, ", "))
		}
		if len(s.Attacks) > 0 && len(s.Byzantine) == 0 {
			warn(s, "attacks %s but no Byzantine replica: nobody runs them", attacksText(s.Attacks))
		}
	}
	return out
}

func attacksText(as []Attack) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
