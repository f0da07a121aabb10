package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
)

// TestEntryPointsRunTheCoreDefaults: `pbft bench` without tuning flags, `pbft --test` and a
// node started from a cluster file that sets nothing all run pbft.DefaultConfig, the one
// source of the defaults.
func TestEntryPointsRunTheCoreDefaults(t *testing.T) {
	want := pbft.DefaultConfig(3, benchF, nil)
	if want.FetchTicks != 2*want.ResendTicks {
		t.Errorf("default fetch %d ticks, want 2 × resend %d", want.FetchTicks, want.ResendTicks)
	}
	benched := cluster.Default(benchF, DefaultBasePort)
	(&Options{}).override(benched)
	file := t.TempDir() + "/cluster.yaml"
	if err := cluster.Default(benchF, DefaultBasePort).Save(file); err != nil {
		t.Fatal(err)
	}
	loaded, err := cluster.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	minimal := t.TempDir() + "/minimal.yaml"
	writeFile(t, minimal, "f: 2\nreplicas:\n"+replicaLines(7))
	bare, err := cluster.Load(minimal)
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]*cluster.Config{"pbft bench": benched, "pbft --test": cluster.Default(2, 7000),
		"saved default file": loaded, "file without tuning": bare} {
		if got := cfg.Core(3, nil); got != want {
			t.Errorf("%s runs\n%+v\nwant pbft.DefaultConfig\n%+v", name, got, want)
		}
	}
	tuned := cluster.Default(benchF, DefaultBasePort)
	(&Options{MaxBatch: 64, FastPath: 2 * cluster.DefaultTick}).override(tuned)
	if got := tuned.Core(3, nil); got.MaxBatch != 64 || got.FastPathTicks != 2 {
		t.Errorf("--batch 64 --fast-path 2ms: batch %d, fast path %d ticks", got.MaxBatch, got.FastPathTicks)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replicaLines lists n replicas on loopback in the cluster file's YAML.
func replicaLines(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {id: %d, addr: \"127.0.0.1:%d\"}\n", i, 7100+i)
	}
	return b.String()
}
