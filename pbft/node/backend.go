package node

import (
	"fmt"

	"github.com/bftbank/pbft/crypto"
)

// keysOnBackend are a replica's keys with τ and σ run by one crypto backend.
type keysOnBackend struct {
	name   string
	public *crypto.ClusterPublic
	secret *crypto.ReplicaSecret
}

// onBackend moves the threshold keys to the replica's crypto backend: Options.CryptoBackend,
// else the replica's crypto_backend in the configuration (gnark by default). Both BLS12-381
// backends read the same keys and exchange the same bytes, so each replica of a cluster may
// run either (docs/design.md, "Two BLS12-381 backends"). The caller's key values are not
// changed; the secret shares are checked again on the new backend.
func (opts *Options) onBackend() (keysOnBackend, error) {
	name := opts.CryptoBackend
	if name == "" {
		name = opts.Config.BackendOf(opts.ID)
	}
	if err := crypto.CheckBackend(opts.Public.Scheme, name); err != nil {
		return keysOnBackend{}, fmt.Errorf("node: %w", err)
	}
	pub, err := opts.Public.OnBackend(name)
	if err != nil {
		return keysOnBackend{}, fmt.Errorf("node: public keys on %s: %w", name, err)
	}
	secret, err := opts.Secret.OnBackend(pub.Scheme, name)
	if err != nil {
		return keysOnBackend{}, fmt.Errorf("node: secret keys on %s: %w", name, err)
	}
	if err := pub.CheckReplica(secret); err != nil {
		return keysOnBackend{}, fmt.Errorf("node: keys on %s: %w", name, err)
	}
	return keysOnBackend{name: pub.Tau.Backend(), public: pub, secret: secret}, nil
}
