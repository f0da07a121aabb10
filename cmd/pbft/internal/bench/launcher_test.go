package bench

import (
	"slices"
	"testing"
)

// TestLauncherAllowsFaultsOnlyWhenAsked: the local replicas take --allow-faults with
// --allow-faults or --chaos faults, and not otherwise (fault injection stays off by default).
func TestLauncherAllowsFaultsOnlyWhenAsked(t *testing.T) {
	t.Setenv("GOMAXPROCS", "2") // the launcher then leaves the replicas' CPU settings alone
	for _, tc := range []struct {
		o    Options
		want bool
	}{
		{Options{}, false},
		{Options{AllowFaults: true}, true},
		{Options{Chaos: ChaosOptions{Mode: ChaosFaults}}, true},
	} {
		c := &benchCluster{workDir: t.TempDir()}
		l, err := c.newLauncher(&tc.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(l.NodeArgs, "--allow-faults"); got != tc.want {
			t.Errorf("%+v: --allow-faults %v, want %v", tc.o, got, tc.want)
		}
	}
}
