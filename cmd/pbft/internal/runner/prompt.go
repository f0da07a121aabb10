package runner

import (
	"bufio"
	"context"
	"io"
	"strings"
)

// prompt reads the user's command lines. It works the same on a terminal and on a pipe: at EOF
// the run goes on to the end without prompting, as with --non-interactive.
type prompt struct {
	lines chan string // closed at EOF
	eof   bool
}

func newPrompt(in io.Reader) *prompt {
	p := &prompt{lines: make(chan string)}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			p.lines <- strings.TrimSpace(sc.Text())
		}
	}()
	return p
}

// next returns the next line; false at EOF or when ctx ends.
func (p *prompt) next(ctx context.Context) (string, bool) {
	if p == nil || p.eof {
		return "", false
	}
	select {
	case line, ok := <-p.lines:
		if !ok {
			p.eof = true
		}
		return line, ok
	case <-ctx.Done():
		return "", false
	}
}

// active reports whether the run should still prompt.
func (p *prompt) active() bool { return p != nil && !p.eof }
