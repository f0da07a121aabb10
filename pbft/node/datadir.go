package node

import (
	"encoding/binary"
	"fmt"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
)

// ClusterIdentity is what a data directory records of the replica and its cluster: the
// replica id and a hash of the cluster's replica keys (threshold and Ed25519; client keys may
// change without making the data another cluster's).
func ClusterIdentity(id pbft.NodeID, pub *crypto.ClusterPublic) (storage.Identity, error) {
	b := append([]byte(pub.Scheme), 0)
	b = binary.BigEndian.AppendUint32(b, uint32(pub.N))
	b = binary.BigEndian.AppendUint32(b, uint32(pub.F))
	for _, k := range []interface{ MarshalBinary() ([]byte, error) }{pub.Tau, pub.Sigma} {
		if k == nil {
			continue
		}
		kb, err := k.MarshalBinary()
		if err != nil {
			return storage.Identity{}, err
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(kb)))
		b = append(b, kb...)
	}
	for _, k := range pub.Replicas {
		b = append(b, k[:]...)
	}
	return storage.Identity{Replica: id, Cluster: storage.ClusterHash(b)}, nil
}

// openCore builds the replica's core: from its data directory when it has one (pbft.Recover
// over what it made durable), in memory otherwise. The bank passed holds the genesis state.
func (nd *node) openCore(opts Options, cfg pbft.Config) (*pbft.Replica, storage.Store, error) {
	if opts.DataDir == "" {
		nd.log.Warn().Msgf("%s runs ephemeral: nothing is kept across a restart", opts.ID)
		core, err := pbft.New(cfg)
		return core, nil, err
	}
	ident, err := ClusterIdentity(opts.ID, opts.Public)
	if err != nil {
		return nil, nil, err
	}
	store, fresh, err := storage.OpenPebble(opts.DataDir, ident)
	if err != nil {
		return nil, nil, err
	}
	loaded, err := store.Load()
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	for _, cut := range loaded.Cut {
		nd.log.Warn().Msgf("%s data dir %s: %s", opts.ID, opts.DataDir, cut)
	}
	if fresh {
		nd.log.Warn().Msgf("%s data dir %s is missing or empty: starting an empty replica (genesis state)", opts.ID, opts.DataDir)
	}
	core, rep, err := pbft.Recover(cfg, loaded.Recovered)
	if err != nil {
		store.Close()
		return nil, nil, fmt.Errorf("recover from %s: %w", opts.DataDir, err)
	}
	if rep.ReplayStopped != "" {
		nd.log.Warn().Msgf("%s data dir %s: %s", opts.ID, opts.DataDir, rep.ReplayStopped)
	}
	if rep.SnapshotRejected {
		nd.log.Warn().Msgf("%s data dir %s: the saved checkpoint does not match its certificate; fetching one from peers", opts.ID, opts.DataDir)
	}
	if !fresh {
		nd.log.Info().Msgf("%s recovered from %s: checkpoint s=%d, %d slots replayed to s=%d, stable s=%d, view %d (active %v), %d votes",
			opts.ID, opts.DataDir, rep.SnapshotSeq, rep.Replayed, rep.Executed, rep.Stable, rep.View, rep.ViewActive, rep.Votes)
	}
	nd.savedCkpt = rep.SnapshotSeq
	return core, store, nil
}
