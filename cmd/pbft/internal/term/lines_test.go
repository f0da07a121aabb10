package term

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chzyer/readline"
)

// fakeTerminal is a readline configuration over a pipe that claims to be a terminal, so that
// keystrokes (arrows, Ctrl-A, Ctrl-C) can be typed by the test.
func fakeTerminal(t *testing.T) (LineReader, *io.PipeWriter) {
	t.Helper()
	inR, inW := io.Pipe()
	cfg := &readline.Config{
		Stdin: inR, Stdout: io.Discard, Stderr: io.Discard,
		FuncIsTerminal:     func() bool { return true },
		FuncMakeRaw:        func() error { return nil },
		FuncExitRaw:        func() error { return nil },
		FuncGetWidth:       func() int { return 80 },
		FuncOnWidthChanged: func(func()) {},
	}
	lr, err := NewEditingReader(cfg, []string{"help"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inW.Close(); lr.Close() })
	return lr, inW
}

// readWithin reads one line, failing the test if none comes within a deadline.
func readWithin(t *testing.T, lr LineReader, typed string, w io.Writer) (string, error) {
	t.Helper()
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := lr.ReadLine("set 1> ")
		done <- result{line, err}
	}()
	go io.WriteString(w, typed)
	select {
	case r := <-done:
		return r.line, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("no line read after typing %q", typed)
		return "", nil
	}
}

func TestEditingReaderHasHistoryAndEditing(t *testing.T) {
	lr, in := fakeTerminal(t)
	for _, tc := range []struct{ typed, want string }{
		{"2.17\r", "2.17"},
		{"\x1b[A\r", "2.17"},        // up arrow: the previous line
		{"n3\x01" + "1.\r", "1.n3"}, // Ctrl-A moves to the start of the line
		{"5.n2\x7f1\r", "5.n1"},     // backspace
		{"he\t\r", "help "},         // Tab completes a command (the prompt trims the space)
	} {
		line, err := readWithin(t, lr, tc.typed, in)
		if err != nil || line != tc.want {
			t.Errorf("typed %q: got %q, %v; want %q", tc.typed, line, err, tc.want)
		}
	}
	if _, err := readWithin(t, lr, "\x03", in); !errors.Is(err, ErrInterrupt) {
		t.Errorf("Ctrl-C: err %v, want ErrInterrupt", err)
	}
}

func TestPlainReaderPrintsPromptsAndReadsLines(t *testing.T) {
	var out strings.Builder
	lr := NewLineReader(strings.NewReader("1.n3\r\n\n"), &out, nil)
	if _, ok := lr.(*plainReader); !ok {
		t.Fatalf("a strings.Reader got %T, want the plain reader", lr)
	}
	var lines []string
	for {
		line, err := lr.ReadLine("> ")
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if strings.Join(lines, "|") != "1.n3|" || out.String() != "> > > " {
		t.Errorf("lines %q, output %q", lines, out.String())
	}
}
