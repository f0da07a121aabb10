package main

import (
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// negativeNumber is an argument such as -5 or -2.5: an amount, never a flag (no flag of
// `pbft client` is a digit).
var negativeNumber = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?$`)

// protectNegativeAmounts lets `pbft client ... transfer A B -5` reach the operation parser
// (which answers "negative amount") instead of failing as the unknown flag -5. When the
// client's arguments hold a negative number outside a flag's value, it moves the flags first
// and the operation's words after "--", in their order; anything else is left as it was.
func protectNegativeAmounts(root *cobra.Command, args []string) []string {
	if len(args) < 2 || args[0] != "client" {
		return args
	}
	cmd, _, err := root.Find(args[:1])
	if err != nil || cmd == root {
		return args
	}
	var flags, words []string
	negative := false
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			words = append(words, rest[i+1:]...)
			i = len(rest)
		case negativeNumber.MatchString(a):
			words, negative = append(words, a), true
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			if takesValue(cmd, a) && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		default:
			words = append(words, a)
		}
	}
	if !negative {
		return args
	}
	out := append([]string{args[0]}, flags...)
	return append(append(out, "--"), words...)
}

// takesValue reports whether the flag argument a (--name or -x, without "=value") is followed
// by its value as the next argument.
func takesValue(cmd *cobra.Command, a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	name := strings.TrimLeft(a, "-")
	f := cmd.Flags().Lookup(name)
	if f == nil && len(name) == 1 {
		f = cmd.Flags().ShorthandLookup(name)
	}
	return f != nil && f.NoOptDefVal == ""
}
