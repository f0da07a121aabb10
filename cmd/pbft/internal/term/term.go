// Package term tells whether output goes to a terminal, for the commands that draw progress
// bars only there, and reads prompt lines: with line editing and history on a terminal
// (github.com/chzyer/readline), plainly from pipes and files.
package term

import (
	"os"
)

// IsTerminal reports whether v, a reader or writer, is a character device (a terminal).
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
