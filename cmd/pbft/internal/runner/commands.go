package runner

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// commandKind is one of the inspection commands (README, "Scenario file grammar").
type commandKind int

const (
	cmdContinue commandKind = iota // Enter: next set
	cmdLog                         // 1.<node>
	cmdStatus                      // 2.<seq>
	cmdBalances                    // 3.<node>, or 3 for every replica
	cmdNewViews                    // 4
	cmdMetrics                     // 5.<node>, or 5 for every replica
	cmdHelp                        // help
	cmdQuit                        // q
)

// command is a parsed command line.
type command struct {
	kind commandKind
	node int       // 0: every replica (3 and 5 only)
	seq  uint64    // for 2
	log  logFilter // for 1
}

const helpText = `commands:
  1.<node>   log of a replica: every protocol message it processed (e.g. 1.n3); the last 40
             lines unless followed by all or last <n>; filters: s=<seq>, a message type
             (1.n3 s=17, 1.n3 VIEW-CHANGE, 1.n3 PREPARE-CERT last 100)
  2.<seq>    status of a sequence number at every replica: PP, P, C, E or X (e.g. 2.3)
  3.<node>   balances of a replica (3 alone: every replica)
  4          every NEW-VIEW of the set, with its view changes (V) and pre-prepares (O)
  5.<node>   throughput, latency and refusals of a replica (5 alone: every replica)
  help       this text
  q          stop the run
  Enter      go on to the next set
replicas are written n3, S3 or 3`

// parseCommand reads a command line such as "1.n3", "2.3", "4", "help" or "q".
func parseCommand(line string) (command, error) {
	line = strings.TrimSpace(line)
	switch strings.ToLower(line) {
	case "":
		return command{kind: cmdContinue}, nil
	case "help", "h", "?":
		return command{kind: cmdHelp}, nil
	case "q", "quit", "exit":
		return command{kind: cmdQuit}, nil
	case "4":
		return command{kind: cmdNewViews}, nil
	case "3":
		return command{kind: cmdBalances}, nil
	case "5":
		return command{kind: cmdMetrics}, nil
	}
	num, arg, ok := strings.Cut(line, ".")
	if !ok {
		num, arg, ok = strings.Cut(line, " ")
	}
	arg = strings.TrimSpace(arg)
	if !ok || arg == "" {
		return command{}, fmt.Errorf("unknown command %q (type help)", line)
	}
	switch strings.TrimSpace(num) {
	case "1", "3", "5":
		words := strings.Fields(arg)
		id, err := pbft.ParseNodeID(words[0], scenarioN)
		if err != nil {
			return command{}, err
		}
		num = strings.TrimSpace(num)
		if num != "1" {
			if len(words) > 1 {
				return command{}, fmt.Errorf("%s.<node> takes no more words (got %q)", num, strings.Join(words[1:], " "))
			}
			return command{kind: map[string]commandKind{"3": cmdBalances, "5": cmdMetrics}[num], node: int(id)}, nil
		}
		f, err := parseLogFilter(words[1:])
		if err != nil {
			return command{}, err
		}
		return command{kind: cmdLog, node: int(id), log: f}, nil
	case "2":
		seq, err := strconv.ParseUint(arg, 10, 64)
		if err != nil || seq == 0 {
			return command{}, fmt.Errorf("bad sequence number %q (want 1, 2, ...)", arg)
		}
		return command{kind: cmdStatus, seq: seq}, nil
	}
	return command{}, fmt.Errorf("unknown command %q (type help)", line)
}

// interact prompts for commands until Enter (next set), q (errQuit), EOF or an interrupt.
func (s *setRun) interact(ctx context.Context) error {
	p := s.r.prompt
	for p.active() {
		line, ok := p.next(ctx, fmt.Sprintf("set %s> ", s.set.Number))
		if !ok {
			fmt.Fprintln(s.r.out)
			if p.interrupted {
				return context.Canceled // Ctrl-C at the prompt stops the run like Ctrl-C elsewhere
			}
			return ctx.Err()
		}
		cmd, err := parseCommand(line)
		if err != nil {
			fmt.Fprintln(s.r.out, err)
			continue
		}
		switch cmd.kind {
		case cmdContinue:
			return nil
		case cmdQuit:
			return errQuit
		default:
			s.execute(ctx, cmd)
		}
	}
	return ctx.Err()
}

// execute runs an inspection command against the set's replicas.
func (s *setRun) execute(ctx context.Context, cmd command) {
	w := s.r.out
	ctx, cancel := context.WithTimeout(ctx, 4*s.timing.Call)
	defer cancel()
	switch cmd.kind {
	case cmdHelp:
		fmt.Fprintln(w, helpText)
	case cmdLog:
		s.printLog(ctx, w, cmd.node, cmd.log)
	case cmdStatus:
		fmt.Fprintln(w, s.statusLine(ctx, cmd.seq))
		if note := s.pastExecutedNote(cmd.seq); note != "" {
			fmt.Fprintln(w, note)
		}
	case cmdBalances:
		for _, id := range s.nodes(cmd.node) {
			fmt.Fprintln(w, s.balancesText(ctx, id))
		}
	case cmdNewViews:
		s.printNewViews(ctx)
	case cmdMetrics:
		for _, id := range s.nodes(cmd.node) {
			fmt.Fprintln(w, s.metricsLine(ctx, id))
		}
	}
}

// nodes is [id], or every replica when id is 0.
func (s *setRun) nodes(id int) []int {
	if id != 0 {
		return []int{id}
	}
	all := make([]int, scenarioN)
	for i := range all {
		all[i] = i + 1
	}
	return all
}

func (s *setRun) statusLine(ctx context.Context, seq uint64) string {
	parts := make([]string, 0, scenarioN)
	for id := 1; id <= scenarioN; id++ {
		st := "X"
		if rep, ok := s.replicas[id]; ok {
			var err error
			if st, err = rep.Control().Status(ctx, seq); err != nil {
				st = "?"
			}
		}
		parts = append(parts, fmt.Sprintf("%s=%s", nodeName(id), st))
	}
	return fmt.Sprintf("seq %d: %s", seq, strings.Join(parts, " "))
}

func (s *setRun) balancesText(ctx context.Context, id int) string {
	rep, ok := s.replicas[id]
	if !ok {
		return fmt.Sprintf("%s: %s (down)", nodeName(id), s.r.balancesLine(s.r.initialBalances()))
	}
	b, err := rep.Control().Balances(ctx)
	if err != nil {
		return fmt.Sprintf("%s: balances unavailable: %v", nodeName(id), err)
	}
	return fmt.Sprintf("%s: %s", nodeName(id), s.r.balancesLine(b))
}

func (s *setRun) metricsLine(ctx context.Context, id int) string {
	rep, ok := s.replicas[id]
	if !ok {
		return fmt.Sprintf("%s: down in this set (no throughput, no latency)", nodeName(id))
	}
	m, err := rep.Control().Metrics(ctx)
	if err != nil {
		return fmt.Sprintf("%s: metrics unavailable: %v", nodeName(id), err)
	}
	line := metricsText(id, m)
	if e := s.viewExplanation(id, m); e != "" {
		line += "\n  " + e
	}
	return line
}

func (s *setRun) printNewViews(ctx context.Context) {
	var f setFacts
	nvs := s.readNewViews(ctx, &f)
	fmt.Fprintf(s.r.out, "set %s: %s\n", s.set.Number, viewSummary(s.facts.view, s.facts.viewActive, newViewNumbers(nvs)))
	if len(nvs) == 0 {
		fmt.Fprintf(s.r.out, "no NEW-VIEW in set %s\n", s.set.Number)
	}
	for _, nv := range nvs {
		fmt.Fprint(s.r.out, newViewText(nv))
	}
	for _, p := range f.problems {
		fmt.Fprintf(s.r.out, "  problem: %s\n", p)
	}
	for _, e := range s.viewExplanations() {
		fmt.Fprintf(s.r.out, "  %s\n", e)
	}
}

// pastExecutedNote explains a 2.<seq> beyond the highest slot any live replica executed.
func (s *setRun) pastExecutedNote(seq uint64) string {
	if seq <= s.facts.maxSeq {
		return ""
	}
	if s.facts.maxSeq == 0 {
		return fmt.Sprintf("  seq %d is past the last executed slot: no slot executed in set %s", seq, s.set.Number)
	}
	return fmt.Sprintf("  seq %d is past the last executed slot of set %s (%d): X means no replica holds it; 2.1 to 2.%d have statuses",
		seq, s.set.Number, s.facts.maxSeq, s.facts.maxSeq)
}
