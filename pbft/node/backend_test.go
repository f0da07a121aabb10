package node

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// onCirclBackend returns a configure function that sets crypto_backend: circl for the
// listed replicas (the others keep the default, gnark).
func onCirclBackend(ids ...pbft.NodeID) func(*cluster.Config) {
	return func(cfg *cluster.Config) {
		for i, r := range cfg.Replicas {
			if slices.Contains(ids, pbft.NodeID(r.ID)) {
				cfg.Replicas[i].CryptoBackend = crypto.BackendCircl
			}
		}
	}
}

// checkBackends checks that every running replica reports the backend the configuration
// gave it, so the cluster really was mixed.
func checkBackends(t *testing.T, ms map[pbft.NodeID]controlapi.Metrics, circl []pbft.NodeID) {
	t.Helper()
	for id, m := range ms {
		want := crypto.BackendGnark
		if slices.Contains(circl, id) {
			want = crypto.BackendCircl
		}
		if m.CryptoBackend != want {
			t.Errorf("%s runs crypto backend %q, want %q", id, m.CryptoBackend, want)
		}
	}
}

// TestMixedBackendsFastPath runs a cluster whose replicas split between the gnark and the
// circl backend, once with a circl leader and once with a gnark leader: the collector
// combines σ-shares signed by both libraries into FULL-COMMIT-PROOFs that backups on both
// verify. The fast-path wait is long (200 ms) so that a busy machine does not send a slot to
// the slow path; every replica must commit at least one slot on the fast path and agree.
func TestMixedBackendsFastPath(t *testing.T) {
	for _, tc := range []struct {
		name  string
		circl []pbft.NodeID
	}{
		{"circl leader", []pbft.NodeID{1, 3, 5, 7}},
		{"gnark leader", []pbft.NodeID{2, 4, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			configure := func(cfg *cluster.Config) {
				onCirclBackend(tc.circl...)(cfg)
				cfg.Timers.FastPath = 200 * time.Millisecond
			}
			c := startClusterConfigured(t, allReplicas, nil, configure, nil)
			runWorkload(t, c)
			awaitBalances(t, c)
			ms := checkAgreement(t, c)
			checkBackends(t, ms, tc.circl)
			for id, m := range ms {
				if m.FastCommits == 0 {
					t.Errorf("%s: %d fast and %d slow commits, want the fast path", id, m.FastCommits, m.SlowCommits)
				}
			}
		})
	}
}

// TestMixedBackendsSlowPath runs mixed clusters where the fast path is impossible: n7 is down
// (a crash) under a circl leader, or n7 runs the sign attack under a gnark leader. Prepare
// and commit certificates combined on one backend are verified on the other, and every
// running replica commits on the slow path only and agrees.
func TestMixedBackendsSlowPath(t *testing.T) {
	for _, tc := range []struct {
		name      string
		live      []pbft.NodeID
		behaviors map[pbft.NodeID]byzantine.Behavior
		circl     []pbft.NodeID
	}{
		{"n7 down, circl leader", allReplicas[:6], nil, []pbft.NodeID{1, 3, 5}},
		{"n7 byzantine, gnark leader", allReplicas, map[pbft.NodeID]byzantine.Behavior{7: byzantine.Sign{}}, []pbft.NodeID{2, 4, 6, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startClusterConfigured(t, tc.live, tc.behaviors, onCirclBackend(tc.circl...), nil)
			runWorkload(t, c)
			awaitBalances(t, c)
			ms := checkAgreement(t, c)
			checkBackends(t, ms, tc.circl)
			for id, m := range ms {
				if m.FastCommits != 0 || m.SlowCommits == 0 {
					t.Errorf("%s: %d fast and %d slow commits, want slow only", id, m.FastCommits, m.SlowCommits)
				}
			}
			if tc.behaviors != nil && ms[1].Rejected.BadSignature == 0 {
				t.Errorf("n1 rejected nothing from the byzantine n7: %+v", ms[1].Rejected)
			}
		})
	}
}

// TestBackendOverride checks that Options.CryptoBackend (pbft node --crypto-backend) wins
// over the configuration, and that a backend the scheme lacks stops the replica at start.
func TestBackendOverride(t *testing.T) {
	c := startClusterConfigured(t, allReplicas[:1], nil, onCirclBackend(1), func(o *Options) {
		o.CryptoBackend = crypto.BackendGnark
	})
	checkBackends(t, metricsOf(t, c), nil)

	k := testKeys(t)
	cfg := cluster.Default(2, 5001)
	opts := Options{Config: cfg, ID: 2, Public: k.Public, Secret: k.Replicas[1], CryptoBackend: "openssl"}
	if _, err := newNode(&opts); err == nil || !strings.Contains(err.Error(), `"openssl"`) {
		t.Fatalf("a replica on an unknown crypto backend: %v", err)
	}
}

// TestBackendKeepsTheDataDirIdentity: the identity a data directory records does not depend
// on the backend, so a replica may switch backends across a restart and keep its data.
func TestBackendKeepsTheDataDirIdentity(t *testing.T) {
	k := testKeys(t)
	onCircl, err := k.Public.OnBackend(crypto.BackendCircl)
	if err != nil {
		t.Fatal(err)
	}
	a, errA := ClusterIdentity(3, k.Public)
	b, errB := ClusterIdentity(3, onCircl)
	if errA != nil || errB != nil || a != b {
		t.Fatalf("identity on gnark %v (%v), on circl %v (%v)", a, errA, b, errB)
	}
}
