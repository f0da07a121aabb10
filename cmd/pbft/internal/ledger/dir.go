package ledger

import (
	"fmt"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node"
	"github.com/bftbank/pbft/pbft/storage"
)

// VerifyDir verifies the ledger in the data directory dir (the replica must not be running)
// against the cluster's configuration and public keys, and returns the report with the replica
// that wrote the directory. A directory of another cluster is an error.
func VerifyDir(cfg *cluster.Config, pub *crypto.ClusterPublic, dir string) (Report, pbft.NodeID, error) {
	src, id, err := storage.OpenLedger(dir)
	if err != nil {
		return Report{}, 0, err
	}
	defer src.Close()
	want, err := node.ClusterIdentity(id.Replica, pub)
	if err != nil {
		return Report{}, id.Replica, err
	}
	if want.Cluster != id.Cluster {
		return Report{}, id.Replica, fmt.Errorf("%s was written by replica %s of another cluster (other keys than the configuration's)", dir, id.Replica)
	}
	bank, err := cfg.NewBank()
	if err != nil {
		return Report{}, id.Replica, err
	}
	aud, err := pbft.NewAuditor(cfg.Core(id.Replica, bank))
	if err != nil {
		return Report{}, id.Replica, err
	}
	rep, err := Verify(src, auth.New(pub, nil), aud)
	return rep, id.Replica, err
}
