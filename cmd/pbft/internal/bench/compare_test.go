package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadCompare reads a good --compare file and refuses bad ones with the line named.
func TestReadCompare(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "label,load,tps,latency_ms\nrelab/hotstuff,4x200,9110,86.8\nrelab/hotstuff,4x50, 6000.5, 31\n")
	pts, err := readCompare(good)
	if err != nil || len(pts) != 2 || pts[1].tps != 6000.5 || pts[0].load != "4x200" {
		t.Fatalf("good file: %+v, %v", pts, err)
	}
	for name, c := range map[string]struct{ body, want string }{
		"header":   {"a,b,c,d\nx,1,2,3\n", "header must be"},
		"negative": {"label,load,tps,latency_ms\nx,1,-2,3\n", "line 2"},
		"nan":      {"label,load,tps,latency_ms\nx,1,2,NaN\n", "line 2"},
		"fields":   {"label,load,tps,latency_ms\nx,1,2\n", "wrong number of fields"},
		"empty":    {"label,load,tps,latency_ms\n", "no points"},
		"nolabel":  {"label,load,tps,latency_ms\nx,1,2,3\n,1,2,3\n", "line 3"},
	} {
		if _, err := readCompare(write(name+".csv", c.body)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
	if _, err := readCompare(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("a missing file was read")
	}
}
