package crypto

import "fmt"

// ClusterPublic is the key material every replica and client of a cluster knows.
type ClusterPublic struct {
	Scheme   string
	N, F     int
	Tau      ThresholdPublic      // threshold 2f+1 of n: slow path and checkpoints
	Sigma    ThresholdPublic      // threshold n of n: the fast path
	Replicas []VerifyKey          // Replicas[i-1] is replica i's Ed25519 key
	Clients  map[string]VerifyKey // client name → Ed25519 key

	expanded *keyCache // the keys expanded so far (Expanded); nil: none kept
}

// ReplicaSecret is one replica's private key material.
type ReplicaSecret struct {
	ID      int // 1..n, also the replica's τ and σ share index
	Ed25519 *SigningKey
	Tau     ThresholdSigner
	Sigma   ThresholdSigner
}

// ClusterKeys is everything a dealer produces for one cluster.
type ClusterKeys struct {
	Public   *ClusterPublic
	Replicas []*ReplicaSecret       // Replicas[i-1] is replica i
	Clients  map[string]*SigningKey // client name → private key
}

// DealCluster deals the two threshold keys of the protocol, τ (2f+1 of n) and σ (n of n), and
// an Ed25519 key per replica. It needs n ≥ 3f+1. With an empty seed everything is drawn from
// crypto/rand; with a seed the output is a deterministic function of its arguments, and every
// key comes from its own DeriveSeed label so none is related to another.
func DealCluster(scheme string, n, f int, seed []byte) (*ClusterKeys, error) {
	if f < 0 || n < 3*f+1 || n > MaxParties {
		return nil, fmt.Errorf("%w: n=%d f=%d, need n >= 3f+1", ErrInvalidParams, n, f)
	}
	tauPub, tau, err := Deal(scheme, 2*f+1, n, DeriveSeed(seed, "tau"))
	if err != nil {
		return nil, err
	}
	sigmaPub, sigma, err := Deal(scheme, n, n, DeriveSeed(seed, "sigma"))
	if err != nil {
		return nil, err
	}
	pub := &ClusterPublic{Scheme: scheme, N: n, F: f, Tau: tauPub, Sigma: sigmaPub,
		Replicas: make([]VerifyKey, n), Clients: map[string]VerifyKey{}, expanded: &keyCache{}}
	keys := &ClusterKeys{Public: pub, Replicas: make([]*ReplicaSecret, n), Clients: map[string]*SigningKey{}}
	for i := 1; i <= n; i++ {
		ed, err := GenerateSigningKey(DeriveSeed(seed, fmt.Sprintf("replica/%d/ed25519", i)))
		if err != nil {
			return nil, err
		}
		pub.Replicas[i-1] = ed.Public()
		keys.Replicas[i-1] = &ReplicaSecret{ID: i, Ed25519: ed, Tau: tau[i-1], Sigma: sigma[i-1]}
	}
	return keys, nil
}

// validClientName keeps client names usable as file names: 1-64 of A-Z a-z 0-9 _ -.
func validClientName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for _, c := range name {
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// AddClients gives each named client an Ed25519 key, derived from seed and the name (or from
// crypto/rand when seed is empty), and records its public key in Public.Clients.
func (k *ClusterKeys) AddClients(seed []byte, names ...string) error {
	for _, name := range names {
		if !validClientName(name) {
			return fmt.Errorf("%w: client name %q (want 1-64 of A-Z a-z 0-9 _ -)", ErrInvalidParams, name)
		}
		sk, err := GenerateSigningKey(DeriveSeed(seed, "client/"+name))
		if err != nil {
			return err
		}
		k.Clients[name] = sk
		k.Public.Clients[name] = sk.Public()
	}
	return nil
}

// CheckReplica confirms that s belongs to this cluster: its Ed25519 key is the one published
// for its ID and its τ and σ shares verify under the published share keys. Run it once when a
// replica loads its keys, so a mixed-up key directory fails at start rather than in consensus.
func (p *ClusterPublic) CheckReplica(s *ReplicaSecret) error {
	if s.ID < 1 || s.ID > p.N {
		return fmt.Errorf("%w: replica %d not in 1..%d", ErrBadIndex, s.ID, p.N)
	}
	if s.Ed25519.Public() != p.Replicas[s.ID-1] {
		return fmt.Errorf("%w: replica %d ed25519 key is not the published one", ErrMalformed, s.ID)
	}
	probe := []byte("pbft/crypto/check-replica/v1")
	for _, pair := range []struct {
		name string
		pub  ThresholdPublic
		sig  ThresholdSigner
	}{{"tau", p.Tau, s.Tau}, {"sigma", p.Sigma, s.Sigma}} {
		if pair.sig.Index() != s.ID {
			return fmt.Errorf("%w: replica %d holds %s share %d", ErrMalformed, s.ID, pair.name, pair.sig.Index())
		}
		sh, err := pair.sig.Sign(probe)
		if err != nil {
			return err
		}
		if err := pair.pub.VerifyShare(probe, sh); err != nil {
			return fmt.Errorf("replica %d %s share: %w", s.ID, pair.name, err)
		}
	}
	return nil
}
