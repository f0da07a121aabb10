// Package crypto holds the signatures of the replicated bank (docs/protocol.md, "Authentication"):
// Ed25519 for clients and for every replica-to-replica message, and threshold BLS signatures for
// certificates.
//
// # Ed25519
//
// SigningKey and VerifyKey are thin wrappers over crypto/ed25519 that never panic on bad lengths
// and read and write keys as hex (or raw bytes).
//
// # Threshold signatures
//
// Certificates are threshold BLS signatures (SBFT): each replica sends the collector a signature
// share, the collector interpolates T shares "in the exponent" into one ordinary BLS signature
// under the group key, and everybody verifies that constant-size certificate with a single pairing
// check. Shares are plain BLS signatures under per-share keys the dealer publishes, so a share is
// verified like any BLS signature.
//
// Two real schemes sit behind ThresholdPublic and ThresholdSigner, chosen by name:
//
//   - SchemeBN256: kyber's sign/tbls, sign/bls and share over the bn256 pairing (keys in G2,
//     signatures in G1). It is the reference construction the spec names; its curve now gives
//     about 100 bits of security.
//   - SchemeBLS12381: BLS12-381 with keys in G2 and signatures in G1 (the fastest placement
//     for signing and combining, and 48-byte certificates), the IETF basic scheme's hash to
//     G1, and the Shamir sharing and Lagrange combination done here. It gives about 128 bits
//     of security; its keys and signatures are byte for byte those of circl's sign/bls, and
//     it is the one to deploy.
//
// Having both keeps the interface honest and lets the benchmarks compare them; a fast fake
// for large simulations belongs in test code of its users, never here.
//
// # Two backends of BLS12-381
//
// SchemeBLS12381 runs on either of two independent libraries, chosen per replica by name
// (BackendGnark, the default, or BackendCircl; UnmarshalPublicOn, ClusterPublic.OnBackend):
//
//   - gnark (bls12381*.go): gnark-crypto's assembly field arithmetic; pairing checks reuse
//     precomputed Miller-loop lines of the fixed G2 keys. About 3x faster than circl.
//   - circl (bls12381_circl*.go): cloudflare/circl decodes and checks every point, hashes to
//     G1, multiplies (in constant time when signing) and pairs.
//
// Both read the same key files and produce and accept the same bytes (keys, shares, certificates),
// so replicas on different backends run in one cluster: a bug in one library's decoding, subgroup
// check, hash or pairing then no longer makes every replica accept the same bad certificate
// (implementation diversity; docs/design.md, "Two BLS12-381 backends", says what that buys and what
// it does not). The tests run every table on both and check them against each other.
//
// # The cluster keys τ and σ
//
// DealCluster deals the protocol's two threshold keys: τ with threshold 2f+1 of n, for the slow
// path (prepare and commit certificates) and checkpoints, and σ with threshold n of n for the
// one-round fast path, plus an Ed25519 key per replica (and, with AddClients, per client). A seed
// makes dealing deterministic, for tests and the simulator; without one the keys come from
// crypto/rand. WriteDir and ReadClusterKeys store the keys in a directory; the layout is documented
// in keydir.go.
//
// # Optimistic combining
//
// A Byzantine replica can send a bad share, and verifying every share costs a pairing each.
// CombineOptimistic therefore combines first and verifies the result once; only when that fails
// does it verify the shares one by one, report and drop the bad ones, and combine again
// (docs/protocol.md, "Authentication"). Callers that remember which replicas sent bad shares should
// pass those shares last: Combine uses the first T distinct shares, so a persistently faulty
// replica then costs one fallback instead of one per certificate.
//
// Combining is cheap by construction: public keys are parsed and checked once, when loaded, and the
// Lagrange coefficients of each index set are cached as small integers c_i over a common
// denominator d, so a combination costs T short scalar multiplications and one full one (see
// lagrange.go).
package crypto
