package scenario

import (
	"fmt"
	"slices"
	"strings"
)

// attackTakesTargets tells, for every known attack, whether it needs a replica list.
var attackTakesTargets = map[string]bool{
	AttackSign:         false,
	AttackCrash:        false,
	AttackDark:         true,
	AttackTime:         false,
	AttackEquivocation: true,
	AttackStaleRead:    false,
}

const attackNames = "sign, crash, dark(...), time, equivocation(...), stale-read"

// parseAttacks reads an attack cell (already unquoted): `[time; dark(n6)]`, `sign`, `[]` or "".
// Attacks keep the order of their first mention; a repeated attack merges its targets.
func parseAttacks(text string, n int) ([]Attack, error) {
	if err := checkBalanced(text); err != nil {
		return nil, fmt.Errorf("%v in attacks %q", err, text)
	}
	inner, err := stripBrackets(text)
	if err != nil {
		return nil, fmt.Errorf("%v in attacks %q", err, text)
	}
	attacks := []Attack{}
	for _, item := range splitTopLevel(inner, ";,") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		a, err := parseAttack(item, n)
		if err != nil {
			return nil, err
		}
		attacks = mergeAttack(attacks, a)
	}
	return attacks, nil
}

// parseAttack reads one item such as "time" or "dark(n1, n2)".
func parseAttack(item string, n int) (Attack, error) {
	name, args, hasArgs := strings.Cut(item, "(")
	name = strings.ToLower(strings.TrimSpace(name))
	takesTargets, known := attackTakesTargets[name]
	if !known {
		return Attack{}, fmt.Errorf("unknown attack %q (want %s)", strings.TrimSpace(item), attackNames)
	}
	if hasArgs && !strings.HasSuffix(args, ")") {
		return Attack{}, fmt.Errorf("malformed attack %q: text after ')'", item)
	}
	switch {
	case !takesTargets && hasArgs:
		return Attack{}, fmt.Errorf("attack %q takes no replicas: %q", name, item)
	case !takesTargets:
		return Attack{Name: name, Targets: []int{}}, nil
	case !hasArgs:
		return Attack{}, fmt.Errorf("attack %q needs replicas, e.g. %s(n6)", name, name)
	}
	targets, err := parseReplicaList(strings.TrimSuffix(args, ")"), n, "attack "+name)
	if err != nil {
		return Attack{}, err
	}
	if len(targets) == 0 {
		return Attack{}, fmt.Errorf("attack %q needs replicas, e.g. %s(n6)", name, name)
	}
	return Attack{Name: name, Targets: targets}, nil
}

// mergeAttack adds a to attacks, or merges its targets into an earlier attack of the same name.
func mergeAttack(attacks []Attack, a Attack) []Attack {
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
