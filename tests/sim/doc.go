// Package sim is a deterministic simulator of a PBFT cluster: every replica and client runs in one
// goroutine, and a seeded PRNG decides message delay, drop, duplication and reordering. Invariants
// are checked after every step (agreement on every executed slot, exactly-once execution, money
// conserved); a failing run reports its seed, and the same seed replays it.
//
// Time is simulated: one step is one tick of every replica. The crypto is pluggable through Auth:
// the real authenticator (Ed25519 frames, threshold BLS shares and certificates) or FakeAuth, a
// fast stand-in for large runs that is named as a fake and used only here.
//
// Byzantine replicas run the same behaviours as the real node (package byzantine) through
// Sim.Behaviors: their outbound messages are rewritten, dropped or held back, their signatures
// corrupted (Auth.Fill and Frame with corrupt set), their replies withheld; Rejects counts what
// honest replicas refused. Script runs a scenario set's transactions (transfers and reads) in the
// dependency order of README, "Scenario file grammar", so that tests can compare outcomes and
// balances with sequential execution.
package sim
