package runner

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// logPage is how many lines command 1 prints unless told otherwise: the log of a busy replica
// runs to thousands of lines, more than a terminal shows.
const logPage = 40

// logFilter selects the lines command 1 prints: `1.n3 s=17` (one sequence number),
// `1.n3 VIEW-CHANGE` (lines naming a message type, any case), `1.n3 last 100` or `1.n3 all`
// (how many of the last lines). Filters combine.
type logFilter struct {
	seq   uint64 // 0: any
	typ   string // upper case; "": any
	limit int    // last lines to print; 0: logPage; -1: all
}

// parseLogFilter reads the words after `1.<node>`.
func parseLogFilter(words []string) (logFilter, error) {
	var f logFilter
	for i := 0; i < len(words); i++ {
		w := words[i]
		lw := strings.ToLower(w)
		switch {
		case lw == "all":
			f.limit = -1
		case lw == "last" || lw == "tail":
			if i+1 >= len(words) {
				return f, fmt.Errorf("%s needs a number of lines, e.g. last 100", w)
			}
			n, err := strconv.Atoi(words[i+1])
			if err != nil || n < 1 {
				return f, fmt.Errorf("bad number of lines %q (want 1, 2, ...)", words[i+1])
			}
			f.limit, i = n, i+1
		case strings.HasPrefix(lw, "s=") || strings.HasPrefix(lw, "seq="):
			_, num, _ := strings.Cut(lw, "=")
			seq, err := strconv.ParseUint(num, 10, 64)
			if err != nil || seq == 0 {
				return f, fmt.Errorf("bad sequence number %q (want s=1, s=2, ...)", w)
			}
			f.seq = seq
		case isMessageWord(w):
			f.typ = strings.ToUpper(w)
		default:
			return f, fmt.Errorf("bad log filter %q (want s=<seq>, a message type such as PREPARE-CERT, last <n> or all)", w)
		}
	}
	return f, nil
}

// isMessageWord accepts message types and other log words: letters and '-'.
func isMessageWord(w string) bool {
	for _, r := range w {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '-') {
			return false
		}
	}
	return w != ""
}

// match reports whether a log line passes the sequence-number and type filters.
func (f logFilter) match(line string) bool {
	if f.seq != 0 && !strings.Contains(" "+line+" ", fmt.Sprintf(" s=%d ", f.seq)) {
		return false
	}
	return f.typ == "" || strings.Contains(strings.ToUpper(line), f.typ)
}

// described names the filter for the log's header, e.g. "s=17, VIEW-CHANGE".
func (f logFilter) described() string {
	var parts []string
	if f.seq != 0 {
		parts = append(parts, fmt.Sprintf("s=%d", f.seq))
	}
	if f.typ != "" {
		parts = append(parts, f.typ)
	}
	return strings.Join(parts, ", ")
}

// printLines prints the lines of a replica's log that pass the filter, the last page of them
// unless the filter says otherwise, under a header that says what was left out and how to
// see it.
func (f logFilter) printLines(w io.Writer, node string, lines []string) {
	var kept []string
	for _, l := range lines {
		if f.match(l) {
			kept = append(kept, l)
		}
	}
	limit := f.limit
	if limit == 0 {
		limit = logPage
	}
	header := fmt.Sprintf("--- log of %s (%d lines", node, len(lines))
	if d := f.described(); d != "" {
		header += fmt.Sprintf(", %d match %s", len(kept), d)
	}
	shown := kept
	if limit > 0 && len(kept) > limit {
		shown = kept[len(kept)-limit:]
		header += fmt.Sprintf("; the last %d shown: `1.%s all` shows all, `1.%s last N` more, `1.%s s=<seq>` or `1.%s <TYPE>` filters", limit, node, node, node, node)
	}
	fmt.Fprintln(w, header+") ---")
	for _, l := range shown {
		fmt.Fprintln(w, l)
	}
}
