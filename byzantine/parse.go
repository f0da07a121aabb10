package byzantine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// The attacks of the scenario grammar (docs/adversary.md lists what each does).
const (
	AttackSign         = "sign"
	AttackCrash        = "crash"
	AttackDark         = "dark"
	AttackTime         = "time"
	AttackEquivocation = "equivocation"
	// AttackStaleRead answers reads with balances captured before later writes.
	AttackStaleRead = "stale-read"
)

// takesTargets tells, for every known attack, whether it needs a replica list.
var takesTargets = map[string]bool{
	AttackSign: false, AttackCrash: false, AttackDark: true, AttackTime: false,
	AttackEquivocation: true, AttackStaleRead: false,
}

const attackNames = "sign, crash, dark(...), time, equivocation(...), stale-read"

// Attack is one attack as scenario files, configuration files and flags write it: a name
// and, for dark and equivocation, the replicas it targets. This file is the one grammar of
// attacks; the scenario parser, `pbft node` and `pbft bench` all read attacks through it.
type Attack struct {
	Name    string        // one of the Attack* constants
	Targets []pbft.NodeID // sorted, for dark and equivocation; empty otherwise
}

// String prints the attack as ParseAttack reads it, e.g. "dark(n1, n2)".
func (a Attack) String() string {
	if len(a.Targets) == 0 {
		return a.Name
	}
	return withTargets(a.Name, a.Targets)
}

// ParseAttack reads one attack such as "time" or "dark(n1, n2)" for a cluster of n replicas.
// Names are case-insensitive; replicas are read by pbft.ParseNodeList. An unknown attack, a
// missing or unexpected replica list, or a replica outside 1..n is an error.
func ParseAttack(text string, n int) (Attack, error) {
	text = strings.TrimSpace(text)
	name, args, hasArgs := strings.Cut(text, "(")
	name = strings.ToLower(strings.TrimSpace(name))
	needs, known := takesTargets[name]
	switch {
	case !known:
		return Attack{}, fmt.Errorf("unknown attack %q (want %s)", text, attackNames)
	case hasArgs && !strings.HasSuffix(args, ")") && strings.Contains(args, ")"):
		return Attack{}, fmt.Errorf("malformed attack %q: text after ')'", text)
	case hasArgs && !strings.HasSuffix(args, ")"):
		return Attack{}, fmt.Errorf("malformed attack %q: missing ')'", text)
	case !needs && hasArgs:
		return Attack{}, fmt.Errorf("attack %q takes no replicas: %q", name, text)
	case !needs:
		return Attack{Name: name, Targets: []pbft.NodeID{}}, nil
	}
	targets, err := pbft.ParseNodeList(strings.TrimSuffix(args, ")"), n)
	if err != nil {
		return Attack{}, fmt.Errorf("%v in attack %s", err, name)
	}
	if len(targets) == 0 {
		return Attack{}, fmt.Errorf("attack %q needs replicas, e.g. %s(n6)", name, name)
	}
	return Attack{Name: name, Targets: targets}, nil
}

// ParseAttacks reads a list of attacks: `[time; dark(n6)]`, `sign`, `time;dark(n2)`, `[]` or
// "". Items are separated by ';' or by ',' outside parentheses; one pair of enclosing square
// brackets is dropped. Attacks keep the order of their first mention, and an attack named
// twice is merged into one with the union of its replicas.
func ParseAttacks(list string, n int) ([]Attack, error) {
	inner := strings.TrimSpace(list)
	if strings.HasPrefix(inner, "[") && strings.HasSuffix(inner, "]") {
		inner = inner[1 : len(inner)-1]
	}
	attacks := []Attack{}
	for _, item := range splitOutsideParens(inner) {
		if strings.TrimSpace(item) == "" {
			continue
		}
		a, err := ParseAttack(item, n)
		if err != nil {
			return nil, err
		}
		attacks = merge(attacks, a)
	}
	return attacks, nil
}

// splitOutsideParens splits s at every ';' or ',' outside parentheses.
func splitOutsideParens(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && (c == ';' || c == ','):
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// merge adds a to attacks, or merges its targets into an earlier attack of the same name.
func merge(attacks []Attack, a Attack) []Attack {
	for i := range attacks {
		if attacks[i].Name != a.Name {
			continue
		}
		for _, t := range a.Targets {
			if !slices.Contains(attacks[i].Targets, t) {
				attacks[i].Targets = append(attacks[i].Targets, t)
			}
		}
		slices.Sort(attacks[i].Targets)
		return attacks
	}
	return append(attacks, a)
}

// Parse builds the behaviour of replica self, in a cluster of n, from a list of attacks, one
// per string as configuration files hold them: "sign", "crash", "time", "stale-read",
// "dark(n6)", "dark(n1, n2)", "equivocation(n6, n7)" (ParseAttack). viewChangeTicks is the
// cluster's view-change timeout, which sizes the `time` delay (NewTime). The attacks are
// composed in list order; an empty list is Honest.
func Parse(attacks []string, self pbft.NodeID, n int, viewChangeTicks int) (Behavior, error) {
	if n < 1 || self < 1 || int(self) > n {
		return nil, fmt.Errorf("byzantine: replica %d outside n1..n%d", self, n)
	}
	var parts []Behavior
	for _, text := range attacks {
		if strings.TrimSpace(text) == "" {
			continue
		}
		a, err := ParseAttack(text, n)
		if err == nil {
			var b Behavior
			if b, err = a.Behavior(viewChangeTicks); err == nil {
				parts = append(parts, b)
				continue
			}
		}
		return nil, fmt.Errorf("byzantine: %s: %w", self, err)
	}
	return Compose(parts...), nil
}

// Behavior is the attack's behaviour in a cluster whose view-change timeout is
// viewChangeTicks (it sizes the `time` delay).
func (a Attack) Behavior(viewChangeTicks int) (Behavior, error) {
	switch a.Name {
	case AttackSign:
		return Sign{}, nil
	case AttackCrash:
		return Crash{}, nil
	case AttackStaleRead:
		return NewStaleRead(), nil
	case AttackTime:
		if viewChangeTicks < 1 {
			return nil, fmt.Errorf("attack time: view-change timeout %d ticks must be positive", viewChangeTicks)
		}
		return NewTime(viewChangeTicks), nil
	case AttackDark:
		return Dark{To: a.Targets}, nil
	case AttackEquivocation:
		return Equivocation{Listed: a.Targets}, nil
	}
	return nil, fmt.Errorf("unknown attack %q (want %s)", a.Name, attackNames)
}

// withTargets prints an attack with its replica list, e.g. "dark(n1, n2)".
func withTargets(name string, ids []pbft.NodeID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id.String()
	}
	return name + "(" + strings.Join(names, ", ") + ")"
}
