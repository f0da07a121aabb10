// Package sim is a deterministic simulator of a PBFT cluster: every replica and client runs in
// one goroutine, and a seeded PRNG decides message delay, drop, duplication and reordering.
// Invariants are checked after every step (agreement on every executed slot, exactly-once
// execution, money conserved); a failing run reports its seed, and the same seed replays it.
//
// Time is simulated: one step is one tick of every replica. The crypto is pluggable through
// Auth: the real authenticator (Ed25519 frames, threshold BLS shares and certificates) or
// FakeAuth, a fast stand-in for large runs that is named as a fake and used only here.
package sim
