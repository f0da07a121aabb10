package term

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chzyer/readline"
)

// ErrInterrupt is returned by LineReader.ReadLine when the user pressed Ctrl-C at the prompt
// (a terminal in raw mode sends no SIGINT then).
var ErrInterrupt = errors.New("interrupted")

// LineReader reads command lines after a prompt. ReadLine returns the line without its end,
// io.EOF at the end of input, or ErrInterrupt.
type LineReader interface {
	ReadLine(prompt string) (string, error)
	Close() error
}

// HistoryLimit is how many lines the prompt's history keeps.
const HistoryLimit = 500

// NewLineReader returns a reader with line editing, history (up and down arrows, Ctrl-R) and
// completion of words when in and out are both a terminal, through github.com/chzyer/readline;
// otherwise a plain reader that prints the prompt and reads lines, for pipes and files.
// completions are the words the Tab key completes.
func NewLineReader(in io.Reader, out io.Writer, completions []string) LineReader {
	inFile, ok := in.(*os.File)
	if !ok || !IsTerminal(in) || !IsTerminal(out) {
		return NewPlainReader(in, out)
	}
	rl, err := NewEditingReader(&readline.Config{Stdin: inFile, Stdout: out}, completions)
	if err != nil {
		return NewPlainReader(in, out)
	}
	return rl
}

// NewEditingReader is the terminal reader over a readline configuration; tests pass one with
// fake terminal functions.
func NewEditingReader(cfg *readline.Config, completions []string) (LineReader, error) {
	items := make([]readline.PrefixCompleterInterface, len(completions))
	for i, c := range completions {
		items[i] = readline.PcItem(c)
	}
	cfg.AutoComplete = readline.NewPrefixCompleter(items...)
	cfg.HistoryLimit = HistoryLimit
	cfg.InterruptPrompt = "^C"
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, err
	}
	return &editingReader{rl: rl}, nil
}

// editingReader is a terminal prompt with line editing and history.
type editingReader struct {
	rl *readline.Instance
}

func (e *editingReader) ReadLine(prompt string) (string, error) {
	e.rl.SetPrompt(prompt)
	line, err := e.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return line, err
}

func (e *editingReader) Close() error { return e.rl.Close() }

// plainReader prints the prompt and reads one line; used off a terminal.
type plainReader struct {
	sc  *bufio.Scanner
	out io.Writer
}

// NewPlainReader reads lines from in, writing each prompt to out.
func NewPlainReader(in io.Reader, out io.Writer) LineReader {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	return &plainReader{sc: sc, out: out}
}

func (p *plainReader) ReadLine(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	if !p.sc.Scan() {
		if err := p.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	return strings.TrimRight(p.sc.Text(), "\r"), nil
}

func (p *plainReader) Close() error { return nil }
