package byzantine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// Parse builds the behaviour of replica self, in a cluster of n, from the attack list of a
// scenario set (SPEC 6), one attack per string as the scenario grammar yields them: "sign",
// "crash", "time", "stale-read", "dark(n6)", "dark(n1, n2)", "equivocation(n6, n7)". Names are
// case-insensitive and replicas are written n3, S3 or 3. viewChangeTicks is the cluster's
// view-change timeout, which sizes the `time` delay (NewTime). The attacks are composed in list
// order; an empty list is Honest. An unknown attack, a missing or unexpected replica list, or a
// replica outside 1..n is an error.
func Parse(attacks []string, self pbft.NodeID, n int, viewChangeTicks int) (Behavior, error) {
	if n < 1 || self < 1 || int(self) > n {
		return nil, fmt.Errorf("byzantine: replica %d outside n1..n%d", self, n)
	}
	var parts []Behavior
	for _, text := range attacks {
		if strings.TrimSpace(text) == "" {
			continue
		}
		b, err := parseAttack(text, n, viewChangeTicks)
		if err != nil {
			return nil, fmt.Errorf("byzantine: %s: %w", self, err)
		}
		parts = append(parts, b)
	}
	return Compose(parts...), nil
}

// parseAttack reads one attack such as "time" or "dark(n1, n2)".
func parseAttack(text string, n, viewChangeTicks int) (Behavior, error) {
	name, args, hasArgs := strings.Cut(strings.TrimSpace(text), "(")
	name = strings.ToLower(strings.TrimSpace(name))
	if hasArgs && !strings.HasSuffix(args, ")") {
		return nil, fmt.Errorf("attack %q: missing ')'", text)
	}
	var targets []pbft.NodeID
	if hasArgs {
		var err error
		if targets, err = parseTargets(strings.TrimSuffix(args, ")"), n); err != nil {
			return nil, fmt.Errorf("attack %q: %w", text, err)
		}
	}
	switch name {
	case "sign", "crash", "time", "stale-read":
		if hasArgs {
			return nil, fmt.Errorf("attack %q takes no replicas", text)
		}
	case "dark", "equivocation":
		if len(targets) == 0 {
			return nil, fmt.Errorf("attack %q needs replicas, e.g. %s(n6)", text, name)
		}
	}
	switch name {
	case "sign":
		return Sign{}, nil
	case "crash":
		return Crash{}, nil
	case "stale-read":
		return NewStaleRead(), nil
	case "time":
		if viewChangeTicks < 1 {
			return nil, fmt.Errorf("attack time: view-change timeout %d ticks must be positive", viewChangeTicks)
		}
		return NewTime(viewChangeTicks), nil
	case "dark":
		return Dark{To: targets}, nil
	case "equivocation":
		return Equivocation{Listed: targets}, nil
	}
	return nil, fmt.Errorf("unknown attack %q (want sign, crash, time, stale-read, dark(...), equivocation(...))", text)
}

// parseTargets reads "n1, n2" (separated by commas, semicolons or spaces).
func parseTargets(list string, n int) ([]pbft.NodeID, error) {
	var ids []pbft.NodeID
	fields := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
	for _, f := range fields {
		id, err := ParseReplica(f, n)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// ParseReplica reads a replica name, n3, S3 or 3 (any case), within 1..n.
func ParseReplica(name string, n int) (pbft.NodeID, error) {
	digits := strings.TrimSpace(name)
	if digits != "" && strings.ContainsRune("nNsS", rune(digits[0])) {
		digits = digits[1:]
	}
	id, err := strconv.Atoi(digits)
	if err != nil || digits == "" || digits[0] == '+' || digits[0] == '-' || id < 1 || id > n {
		return 0, fmt.Errorf("unknown replica %q (want n1..n%d)", strings.TrimSpace(name), n)
	}
	return pbft.NodeID(id), nil
}

// withTargets prints an attack with its replica list, e.g. "dark(n1, n2)".
func withTargets(name string, ids []pbft.NodeID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id.String()
	}
	return name + "(" + strings.Join(names, ", ") + ")"
}
