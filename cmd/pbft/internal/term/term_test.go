package term

import (
	"bytes"
	"os"
	"testing"
)

func TestRegularFilesAndBuffersAreNotTerminals(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) {
		t.Fatal("a regular file or a buffer was taken for a terminal")
	}
}
