// Package node is the runtime shell around the deterministic core (docs/design.md, "Processes,
// transport, configuration"; docs/protocol.md, "Batching and flow control"): what one replica
// process runs. Run owns the goroutines, the clock, the TCP transport and the cryptography; the
// core (pbft.Replica) owns the protocol.
//
// # The protocol loop
//
// One goroutine owns the core. It waits for the next input (a verified message or client request
// from the mailbox, a clock tick, a control command) and hands it to the core; after every input it
// takes the core's Ready and dispatches it. It never waits for the network, a signature or a
// pairing: that work runs on a worker pool of runtime.NumCPU() goroutines.
//
//   - Messages go through the Byzantine Behavior (byzantine.Honest for an honest replica),
//     which maps each envelope to one message per destination. Every distinct message is
//     sealed once on the pool (shares filled with auth.Authenticator.Fill, encoded, frame
//     signed) and the frame goes to every replica it is for. The replica's own copy is not
//     sent on the network: the filled message (so that the collector gets its own shares)
//     goes straight back to the mailbox, without verification. Sealed messages leave in the
//     order the core emitted them (a sequencer releases them in ticket order), and an Out
//     with DelayTicks > 0 leaves that many clock ticks later.
//   - CombineJobs run auth.Combine on the pool; the result comes back to the core as a
//     *pbft.Combined stepped from the replica itself.
//   - Replies are authenticated (auth.SignReply: an HMAC under the key this replica shares
//     with the client) on the pool and sent to their client, unless the
//     Behavior withholds them.
//
// Inbound, the transport's callbacks hand frames to the pool: a replica frame is opened with
// auth.Open (frame signature over the exact bytes, then client signatures and certificates), a
// client frame is decoded and its request's Ed25519 signature checked. Verified inputs reach the
// loop through the mailbox. Inbound work is bounded by a budget of frames in flight (received and
// not yet handled by the loop); beyond it frames are dropped and counted (PBFT retransmits, and so
// do clients). Rejected frames are counted by reason and logged at debug level, once per sender and
// reason.
//
// # Client framing
//
// Client traffic uses wire.Frame too. A client sends wire.AppendRequestFrame(nil, req): a frame
// {From: 0, Client: id, Body: the request} with an empty Sig (the request carries the client's
// signature), which the replica reads with wire.DecodeRequestFrame. A replica answers with a bare
// wire.EncodeReply(rep), with no frame around it (a frame would add a marshal and a copy to each of
// the seven replies of every request): the Reply names its replica and carries its own MAC
// (auth.SignReply), which the client checks with auth.VerifyReply. Replies go to the connection of
// the client the request names.
//
// # The sign attack
//
// When Behavior.CorruptSignatures is true, every share this replica produces is computed over a
// wrong payload (so it is a well-formed share that does not verify), VIEW-CHANGE and frame
// signatures and reply signatures have a bit flipped. Receivers reject the frames.
//
// # Control channel
//
// The control channel (JSON lines, see the contract in the project notes) is served by the protocol
// loop, since it reads core state: ready, log, status, balances, newviews, metrics, node, quit.
// Encoding and writing the responses happens outside the loop.
//
// # Admin endpoint and faults at run time
//
// With Options.AdminAddr (or AdminListener) the replica serves HTTP (admin.go; the paths and JSON
// types are in controlapi, the operator's view in docs/operations.md): /metrics from a Prometheus
// registry whose collector reads, when scraped, an observation the loop publishes every 100 ms
// (observe.go) and the transport's counters; /status through the loop like a control command, or
// from the observation when the loop does not answer; /debug/pprof. The same observation drives the
// info-level logs of checkpoints and catch-up. With Options.AllowFaults, POST /fault pauses the
// loop, severs links (frames dropped at this node's edge, both ways) or swaps the Behavior
// (faults.go); the core never knows.
package node
