// Package runner runs a scenario file on fresh local clusters (`pbft --test`, README, "Scenario
// file grammar").
//
// For each set, in file order, the runner starts one process per live replica (the pbft binary
// itself: `pbft node --config C.yaml --id nK --control stdio`), with the set's attacks configured
// for its Byzantine replicas in the cluster YAML, and waits until every child reports ready.
// Replicas that are not live are never started: they are down for the set, their balances are the
// initial ones, their logs are empty and every status is X. Keys are dealt once per run (real
// BLS12-381 threshold keys and Ed25519 keys for the replicas and for every client the file uses)
// into a temporary directory.
//
// Transactions are issued in the conflict order of scenario.Deps: a transaction waits only for the
// earlier ones of its set that share an account with it (or its client), so the final state equals
// executing the set one by one in file order while independent transactions run in parallel. The
// client of a transaction is the first account of its operation; each client is one closed-loop
// client.Client. A cell with several operations issues them in order. A Balance is a read
// (client.Read); every other operation is ordered (client.Submit). An operation that gets no quorum
// before its deadline (3 view-change timeouts plus 2 s; one client timer plus 0.5 s when fewer than
// 2f+1 replicas are live, since nothing can commit then) is "not-committed"; it may still execute
// later.
//
// After the transactions, the runner waits (bounded) until every live replica reports the same
// executed slot and state digest, so that replicas kept in the dark have caught up; prints one line
// per operation and the read results; and, unless --non-interactive or stdin is at EOF, prompts for
// the inspection commands (1.<node> log, filtered and paged, 2.<seq> status, 3.<node> balances, 4
// NEW-VIEWs, 5.<node> throughput and latency, help, q), with line editing and history on a terminal
// (package term). Enter goes on to the next set. Views are counted alike on every screen (views.go;
// docs/design.md, "The scenario prompt"). Then it stops the children: it closes their stdin (they
// exit on EOF) and kills those still alive after a grace period. An interrupt (SIGINT) does the
// same.
//
// The runner talks to replicas through two seams, so that tests can replace them with fakes: a
// Launcher that starts a replica and returns its control channel (package control), and a
// ClientFactory that makes the client of each name.
package runner
