package pbft

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCoreIsDeterministic fails if the core imports what would make it nondeterministic or
// give it I/O: clocks, sockets, files, locks and global randomness belong in the runtime.
func TestCoreIsDeterministic(t *testing.T) {
	forbidden := map[string]bool{"time": true, "net": true, "os": true, "sync": true, "math/rand": true,
		"math/rand/v2": true, "sync/atomic": true, "os/exec": true, "net/http": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[path] {
				t.Errorf("%s imports %q: the core must stay deterministic (docs/design.md, 'Processes, transport, configuration')", f, path)
			}
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d core files checked", checked)
	}
}
