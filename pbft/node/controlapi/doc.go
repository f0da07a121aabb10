// Package controlapi holds the JSON messages of a replica's control channel (the requests a
// parent sends over its stdin and the data of the answers the replica writes to its stdout;
// README "Running a scenario file") and of its admin endpoint over HTTP (/status, /fault;
// docs/operations.md). Package pbft/node builds its answers with these types and the clients
// (cmd/pbft/internal/control, cmd/pbft/internal/admin) decode them with the same types, so
// both sides agree on the wire format by construction.
package controlapi
