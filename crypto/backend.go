package crypto

import "fmt"

// Backends: the libraries a replica's threshold keys run on. SchemeBLS12381 has two
// independent implementations that read the same key files and produce and accept the same
// bytes, so the replicas of one cluster may each choose either (implementation diversity,
// docs/design.md "Two BLS12-381 backends"). SchemeBN256 has one, kyber, which BackendGnark,
// the default, stands for.
const (
	BackendGnark = "gnark" // gnark-crypto (the default; kyber for bn256)
	BackendCircl = "circl" // cloudflare/circl, SchemeBLS12381 only
	backendKyber = "kyber" // what Backend reports for bn256 keys
)

// CheckBackend returns an error unless backend implements scheme. The empty name is the
// default, BackendGnark.
func CheckBackend(scheme, backend string) error {
	switch {
	case backend == "" || backend == BackendGnark:
		return nil
	case backend == BackendCircl && scheme == SchemeBLS12381:
		return nil
	case backend == BackendCircl:
		return fmt.Errorf("%w: %s implements %s only, not %s", ErrUnknownBackend, backend, SchemeBLS12381, scheme)
	}
	return fmt.Errorf("%w %q: want %s or %s", ErrUnknownBackend, backend, BackendGnark, BackendCircl)
}

// UnmarshalPublicOn is UnmarshalPublic on the named backend ("" is BackendGnark).
func UnmarshalPublicOn(backend, scheme string, b []byte) (ThresholdPublic, error) {
	if err := CheckBackend(scheme, backend); err != nil {
		return nil, err
	}
	if backend == BackendCircl {
		return unmarshalPublicCircl(b)
	}
	return UnmarshalPublic(scheme, b)
}

// UnmarshalSignerOn is UnmarshalSigner on the named backend ("" is BackendGnark).
func UnmarshalSignerOn(backend, scheme string, b []byte) (ThresholdSigner, error) {
	if err := CheckBackend(scheme, backend); err != nil {
		return nil, err
	}
	if backend == BackendCircl {
		return unmarshalSignerCircl(b)
	}
	return UnmarshalSigner(scheme, b)
}

// OnBackend returns the cluster's public keys with τ and σ parsed again, and checked again,
// by the named backend; the Ed25519 keys are shared with p. p itself is unchanged, so
// in-process replicas may share one ClusterPublic and each run its own backend.
func (p *ClusterPublic) OnBackend(backend string) (*ClusterPublic, error) {
	if err := CheckBackend(p.Scheme, backend); err != nil {
		return nil, err
	}
	if p.Tau.Backend() == backendOrDefault(p.Scheme, backend) && p.Sigma.Backend() == p.Tau.Backend() {
		return p, nil
	}
	tau, err := reparsePublic(backend, p.Scheme, p.Tau)
	if err != nil {
		return nil, fmt.Errorf("tau: %w", err)
	}
	sigma, err := reparsePublic(backend, p.Scheme, p.Sigma)
	if err != nil {
		return nil, fmt.Errorf("sigma: %w", err)
	}
	q := *p
	q.Tau, q.Sigma = tau, sigma
	return &q, nil
}

// OnBackend returns the replica's secrets with τ and σ parsed again by the named backend.
func (s *ReplicaSecret) OnBackend(scheme, backend string) (*ReplicaSecret, error) {
	tau, err := reparseSigner(backend, scheme, s.Tau)
	if err != nil {
		return nil, fmt.Errorf("tau: %w", err)
	}
	sigma, err := reparseSigner(backend, scheme, s.Sigma)
	if err != nil {
		return nil, fmt.Errorf("sigma: %w", err)
	}
	q := *s
	q.Tau, q.Sigma = tau, sigma
	return &q, nil
}

// backendOrDefault is what Backend reports for keys of scheme on backend.
func backendOrDefault(scheme, backend string) string {
	switch {
	case scheme == SchemeBN256:
		return backendKyber
	case backend == "":
		return BackendGnark
	}
	return backend
}

func reparsePublic(backend, scheme string, k ThresholdPublic) (ThresholdPublic, error) {
	b, err := k.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return UnmarshalPublicOn(backend, scheme, b)
}

func reparseSigner(backend, scheme string, k ThresholdSigner) (ThresholdSigner, error) {
	b, err := k.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return UnmarshalSignerOn(backend, scheme, b)
}
