package crypto

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// schemeCircl is the tables' name for SchemeBLS12381 on the circl backend: every table of
// this package that runs forEachScheme runs on it too.
const schemeCircl = SchemeBLS12381 + "+" + BackendCircl

// blsVariants are the two backends of SchemeBLS12381.
var blsVariants = []string{SchemeBLS12381, schemeCircl}

// schemeOf and backendOf split a table variant ("bls12381+circl") into scheme and backend.
func schemeOf(v string) string { s, _, _ := strings.Cut(v, "+"); return s }

func backendOf(v string) string { _, b, _ := strings.Cut(v, "+"); return b }

// dealOn deals with Deal (gnark's dealer) and moves the keys to the variant's backend.
func dealOn(v string, t, n int, seed []byte) (ThresholdPublic, []ThresholdSigner, error) {
	pub, signers, err := Deal(schemeOf(v), t, n, seed)
	if err != nil || backendOf(v) == "" {
		return pub, signers, err
	}
	if pub, err = reparsePublic(backendOf(v), schemeOf(v), pub); err != nil {
		return nil, nil, err
	}
	for i, s := range signers {
		if signers[i], err = reparseSigner(backendOf(v), schemeOf(v), s); err != nil {
			return nil, nil, err
		}
	}
	return pub, signers, nil
}

// dealClusterOn is DealCluster with the keys moved to the variant's backend.
func dealClusterOn(v string, n, f int, seed []byte) (*ClusterKeys, error) {
	keys, err := DealCluster(schemeOf(v), n, f, seed)
	if err != nil || backendOf(v) == "" {
		return keys, err
	}
	if keys.Public, err = keys.Public.OnBackend(backendOf(v)); err != nil {
		return nil, err
	}
	for i, r := range keys.Replicas {
		if keys.Replicas[i], err = r.OnBackend(schemeOf(v), backendOf(v)); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func unmarshalPublicOf(v string, b []byte) (ThresholdPublic, error) {
	return UnmarshalPublicOn(backendOf(v), schemeOf(v), b)
}

func unmarshalSignerOf(v string, b []byte) (ThresholdSigner, error) {
	return UnmarshalSignerOn(backendOf(v), schemeOf(v), b)
}

// backendPair is one deal on both backends: the same keys, parsed by gnark and by circl.
type backendPair struct {
	gnark, circl *dealing
}

func dealBoth(t *testing.T, th int) backendPair {
	t.Helper()
	return backendPair{gnark: deal(t, SchemeBLS12381, th), circl: deal(t, schemeCircl, th)}
}

// TestBackendsSignAlike checks that both backends hold the same keys and that their shares
// over the same message are the same bytes (BLS signatures are deterministic).
func TestBackendsSignAlike(t *testing.T) {
	for _, th := range []int{5, testN} {
		p := dealBoth(t, th)
		if p.gnark.pub.Backend() != BackendGnark || p.circl.pub.Backend() != BackendCircl {
			t.Fatalf("backends %s and %s", p.gnark.pub.Backend(), p.circl.pub.Backend())
		}
		if !bytes.Equal(first(p.gnark.pub.MarshalBinary()), first(p.circl.pub.MarshalBinary())) {
			t.Fatalf("T=%d: the backends encode the public key differently", th)
		}
		for _, msg := range [][]byte{msg1, msg2, nil} {
			g, c := p.gnark.sharesOver(t, msg), p.circl.sharesOver(t, msg)
			for i := range g {
				if g[i].Index != c[i].Index || !bytes.Equal(g[i].Sig, c[i].Sig) {
					t.Fatalf("T=%d share %d over %q: gnark %x, circl %x", th, i+1, msg, g[i].Sig, c[i].Sig)
				}
				if !bytes.Equal(first(p.gnark.signers[i].MarshalBinary()), first(p.circl.signers[i].MarshalBinary())) {
					t.Fatalf("T=%d signer %d encodes differently", th, i+1)
				}
			}
		}
	}
}

// TestBackendsCrossVerify runs every step of a certificate across the backends, both ways:
// shares signed on one verify on the other, a collector on either combines shares signed on
// both, and the certificate it produces verifies on the other, byte for byte the same.
func TestBackendsCrossVerify(t *testing.T) {
	for _, th := range []int{5, testN} {
		p := dealBoth(t, th)
		sides := map[string]*dealing{"gnark": p.gnark, "circl": p.circl}
		other := map[string]string{"gnark": "circl", "circl": "gnark"}
		g, c := p.gnark.sharesOver(t, msg1), p.circl.sharesOver(t, msg1)
		mixed := make([]Share, testN) // odd indices signed by circl, even by gnark
		for i := range mixed {
			mixed[i] = [][]Share{c, g}[i%2][i]
		}
		var certs [][]byte
		for signer, d := range sides {
			verifier := sides[other[signer]]
			for _, sh := range d.sharesOver(t, msg1) {
				if err := verifier.pub.VerifyShare(msg1, sh); err != nil {
					t.Fatalf("T=%d: share %d signed on %s fails on %s: %v", th, sh.Index, signer, other[signer], err)
				}
			}
			for _, shares := range [][]Share{g, c, mixed, reversed(mixed)} {
				cert, bad, err := CombineOptimistic(d.pub, msg1, shares)
				if err != nil || bad != nil {
					t.Fatalf("T=%d: %s collector: err %v bad %v", th, signer, err, bad)
				}
				if err := verifier.pub.Verify(msg1, cert); err != nil {
					t.Fatalf("T=%d: certificate combined on %s fails on %s: %v", th, signer, other[signer], err)
				}
				certs = append(certs, cert)
			}
		}
		for _, cert := range certs[1:] {
			if !bytes.Equal(cert, certs[0]) {
				t.Fatalf("T=%d: the backends combined different certificates", th)
			}
		}
	}
}

// TestBackendsRejectAlike gives both backends the same bad shares and certificates: each is
// refused by both, a collector on either names the same bad replica, and a certificate is
// never accepted for another message or under the other key.
func TestBackendsRejectAlike(t *testing.T) {
	tau, sigma := dealBoth(t, 5), dealBoth(t, testN)
	good := tau.gnark.sharesOver(t, msg1)
	wrong := tau.circl.sharesOver(t, msg2)
	badShares := map[string]Share{
		"share over another message": wrong[2],
		"share claiming index 4":     {Index: 4, Sig: good[2].Sig},
		"truncated":                  {Index: 3, Sig: good[2].Sig[1:]},
	}
	for name, b := range badG1Encodings(t, good[2].Sig) {
		badShares[name] = Share{Index: 3, Sig: b}
	}
	cert, _, err := CombineOptimistic(tau.gnark.pub, msg1, good)
	if err != nil {
		t.Fatal(err)
	}
	sigmaCert, _, err := CombineOptimistic(sigma.circl.pub, msg1, sigma.circl.sharesOver(t, msg1))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*dealing{tau.gnark, tau.circl} {
		be := d.pub.Backend()
		for name, sh := range badShares {
			if d.pub.VerifyShare(msg1, sh) == nil {
				t.Errorf("%s accepts the bad share (%s)", be, name)
			}
			shares := append([]Share{sh}, good...)
			got, bad, err := CombineOptimistic(d.pub, msg1, shares)
			if err != nil || !slices.Equal(bad, []int{sh.Index}) || !bytes.Equal(got, cert) {
				t.Errorf("%s collector with the bad share (%s): bad %v err %v", be, name, bad, err)
			}
			if d.pub.Verify(msg1, sh.Sig) == nil {
				t.Errorf("%s accepts the bad share (%s) as a certificate", be, name)
			}
		}
		for name, c := range map[string][]byte{"σ certificate under τ": sigmaCert, "a share": good[0].Sig,
			"flipped sort bit": flipSortBit(cert), "empty": nil} {
			if err := d.pub.Verify(msg1, c); err == nil {
				t.Errorf("%s accepts a bad certificate (%s)", be, name)
			}
		}
		if err := d.pub.Verify(msg2, cert); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: certificate for another message: %v, want ErrBadSignature", be, err)
		}
	}
}

// flipSortBit returns the encoding of the point's negation: on the curve, in G1, not the
// certificate.
func flipSortBit(b []byte) []byte {
	out := slices.Clone(b)
	out[0] ^= 0x20
	return out
}

// TestBackendsParseAlike decodes many encodings with both backends: G1 points, their
// negations, points plus torsion, points with one bit of x flipped, with flags changed, and
// random strings. Each backend accepts exactly the encodings the other accepts, so a replica
// on one never takes a share or certificate that a replica on the other refuses as malformed.
func TestBackendsParseAlike(t *testing.T) {
	rnd := randomReader([]byte("parse alike"), "g1")
	tor := torsionG1(t)
	accepted := 0
	const tries = 1200
	for i := range tries {
		p, err := hashToG1([]byte{byte(i), byte(i >> 8)})
		if err != nil {
			t.Fatal(err)
		}
		b := g1Bytes(&p)
		pick := make([]byte, 2)
		rnd.Read(pick)
		switch i % 6 {
		case 1:
			b = flipSortBit(b)
		case 2:
			p.Add(&p, &tor)
			b = g1Bytes(&p)
		case 3:
			b[1+int(pick[0])%(blsSigSize-1)] ^= 1 << (pick[1] % 8)
		case 4:
			b[0] ^= []byte{0x80, 0x40, 0x20, 0x10}[pick[0]%4]
		case 5:
			rnd.Read(b)
		}
		_, gErr := parseSigBLS12381(b)
		_, cErr := parseCirclSig(b)
		if (gErr == nil) != (cErr == nil) {
			t.Fatalf("%x: gnark %v, circl %v", b, gErr, cErr)
		}
		if gErr == nil {
			accepted++
		}
	}
	if accepted < tries/3 || accepted > tries/2 {
		t.Fatalf("%d of %d encodings accepted: the cases do not cover what they should", accepted, tries)
	}
}

// TestOnBackend covers the cluster-level switch: the original keys are left as they are, a
// replica on circl checks against public keys on gnark and the other way round, and a
// backend that does not implement the scheme is refused.
func TestOnBackend(t *testing.T) {
	keys, err := DealCluster(SchemeBLS12381, 7, 2, []byte("on backend"))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := keys.Public.OnBackend(BackendCircl)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Tau.Backend() != BackendCircl || pc.Sigma.Backend() != BackendCircl || keys.Public.Tau.Backend() != BackendGnark {
		t.Fatalf("τ on %s, σ on %s, original τ on %s", pc.Tau.Backend(), pc.Sigma.Backend(), keys.Public.Tau.Backend())
	}
	if same, _ := keys.Public.OnBackend(""); same != keys.Public {
		t.Error("OnBackend to the keys' own backend made a copy")
	}
	for _, r := range keys.Replicas {
		rc, err := r.OnBackend(SchemeBLS12381, BackendCircl)
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.Public.CheckReplica(rc); err != nil {
			t.Errorf("replica %d on circl against gnark keys: %v", r.ID, err)
		}
		if err := pc.CheckReplica(r); err != nil {
			t.Errorf("replica %d on gnark against circl keys: %v", r.ID, err)
		}
	}
	if _, err := pc.OnBackend("openssl"); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("unknown backend: %v", err)
	}
	bn, err := DealCluster(SchemeBN256, 4, 1, []byte("on backend"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bn.Public.OnBackend(BackendCircl); err == nil || !strings.Contains(err.Error(), "implements bls12381 only") {
		t.Errorf("bn256 on circl: %v", err)
	}
	if same, err := bn.Public.OnBackend(BackendGnark); err != nil || same != bn.Public {
		t.Errorf("bn256 on the default backend: %v", err)
	}
}
