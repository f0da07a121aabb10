// Package bench is `pbft bench`, the SmallBank benchmark (docs/design.md, "SmallBank benchmark").
//
// It starts a local cluster of replica processes (the pbft binary itself, through the scenario
// runner's launcher) with the requested replicas down or Byzantine, and with M generated accounts
// that every replica loads at start from four numbers (cluster.AccountLoad); or it uses an existing
// cluster described by --config. It runs N closed-loop clients (client.Client, one request
// outstanding each) issuing the SmallBank mix over uniformly chosen accounts or a hotspot: a
// warm-up, then the measured duration. Balance is a read (2f+1 matching replies from the replicas'
// state); the other five are ordered.
//
// While it runs, a progress bar on stderr shows the phase and the live throughput. Latencies of the
// measured phase go into an HDR histogram. At the end the benchmark lets the clients finish their
// outstanding request, waits until the honest replicas agree on the executed slot and the state
// digest, and checks that the money each of them holds equals the initial money plus the change
// that every committed update reported (smallbank.Result.Value). It writes OUT/results.json and SVG
// charts beside it: throughput over time, the latency CDF and, with --sweep-clients, the
// throughput-latency curve (one measured point per client count, on the same cluster).
//
// With --chaos (chaos*.go) it kills replicas with SIGKILL while a dedicated workload runs and
// restarts them from their data directories, then checks that every acknowledged request is in the
// final state exactly once and that the replicas agree (docs/design.md, "Durability" and "Chaos
// testing").
package bench
