// Package client is the client library of the replicated bank (docs/protocol.md, "Clients"): a
// closed-loop client that signs its requests with its Ed25519 key, sends them to the leader it
// believes in, retransmits them to every replica on its own timer, and accepts a result only when
// 2f+1 distinct replicas sent matching, correctly signed replies (f+1 would be enough to trust the
// result, but not to make it visible to every later read: see "Linearizability" below).
//
// # Requests
//
// A Client has at most one request outstanding; concurrent calls wait their turn. Timestamps
// strictly increase and start from the wall clock in Unix nanoseconds, so a restarted client never
// reuses one (a replica ignores a timestamp at or below the last one it executed for the client,
// docs/protocol.md, "Clients"). Submit sends an ordered request to the leader of the view the
// client believes in (the first request, and any request while the client has no open connection to
// some replica, also goes to those replicas: a replica replies on the client's connection, so the
// client must have one with each); when the retransmission timer (cluster Timers.Client) expires,
// it re-sends the same request, with the same timestamp, to every replica, which forwards it to the
// leader and starts the view-change timer of PBFT. The call ends when 2f+1 replies match, or when
// its context ends (the scenario runner reports that as "not committed").
//
// # Reads
//
// Read multicasts a read-only request to every replica; each answers from its executed state, and
// the client needs 2f+1 matching replies (docs/protocol.md, "Clients"). If it cannot get them
// before its timer expires, it sends the read as an ordinary ordered request, with a new timestamp,
// through the leader, and then needs 2f+1 matching replies like any ordered request.
//
// # Linearizability
//
// Histories of these clients are linearizable even when f replicas lie (docs/protocol.md,
// "Linearizability"): a write completes only when 2f+1 replicas, so at least f+1 honest ones,
// executed it, and the 2f+1 matching replies of any later read include at least f+1 honest
// replicas; the two honest sets share a replica (there are only 2f+1 honest replicas), whose state
// already holds the write. docs/protocol.md gives the argument and its limits.
//
// # Leader tracking
//
// Every reply carries the replica's view. A single Byzantine replica could claim any view, so after
// each completed request the client adopts the (f+1)-th highest view among the replies it received:
// at least one honest replica has reached it. The leader of view v is replica ((v-1) mod n) + 1
// (pbft.LeaderOf).
//
// # Frames
//
// On the transport's client connection a request travels as wire.AppendRequestFrame(nil, req), a
// wire.Frame{Client: id} around the request; the frame needs no signature since the request inside
// is signed. A reply is wire.EncodeReply(rep), with no frame around it, which the client reads with
// wire.DecodeReplyFor; only the reply's own MAC (auth.VerifyReply: HMAC-SHA256 under the key the
// client shares with that replica, from X25519 between their Ed25519 keys) is trusted, and it must
// name the replica whose connection delivered it.
package client
