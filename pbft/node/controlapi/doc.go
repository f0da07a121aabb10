// Package controlapi holds the JSON messages of the replica control channel: the requests a
// parent sends to a replica over its stdin and the data of the answers the replica writes to
// its stdout (SPEC 7). Package pbft/node builds its answers with these types and the parent
// (cmd/pbft/internal/control) decodes them with the same types, so both sides agree on the
// wire format by construction.
package controlapi
