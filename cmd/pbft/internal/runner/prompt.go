package runner

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/bftbank/pbft/cmd/pbft/internal/term"
)

// prompt reads the user's command lines: with line editing and history on a terminal, plainly
// on a pipe. At EOF the run goes on to the end without prompting, as with --non-interactive.
type prompt struct {
	lr          term.LineReader
	lines       chan lineRead // one answer per request
	eof         bool
	interrupted bool
	pending     bool // a ReadLine is under way (its answer was not taken: ctx ended)
}

// lineRead is what one ReadLine returned.
type lineRead struct {
	line string
	err  error
}

// completions are the words Tab completes at the prompt.
var completions = []string{"1.n", "2.", "3.n", "4", "5.n", "help", "q"}

func newPrompt(in io.Reader, out io.Writer) *prompt {
	return &prompt{lr: term.NewLineReader(in, out, completions), lines: make(chan lineRead, 1)}
}

// next shows text as the prompt and returns the next line; false at EOF, at Ctrl-C on the
// prompt (interrupted), or when ctx ends. The read runs in a goroutine so that an interrupt
// elsewhere (ctx) does not wait for a line.
func (p *prompt) next(ctx context.Context, text string) (string, bool) {
	if p == nil || p.eof || p.interrupted {
		return "", false
	}
	if !p.pending {
		p.pending = true
		go func() {
			line, err := p.lr.ReadLine(text)
			p.lines <- lineRead{line, err}
		}()
	}
	select {
	case r := <-p.lines:
		p.pending = false
		switch {
		case errors.Is(r.err, term.ErrInterrupt):
			p.interrupted = true
			return "", false
		case r.err != nil:
			p.eof = true
			return "", false
		}
		return strings.TrimSpace(r.line), true
	case <-ctx.Done():
		return "", false
	}
}

// active reports whether the run should still prompt.
func (p *prompt) active() bool { return p != nil && !p.eof && !p.interrupted }

// close restores the terminal.
func (p *prompt) close() {
	if p != nil {
		p.lr.Close()
	}
}
