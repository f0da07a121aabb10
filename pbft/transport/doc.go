// Package transport carries frames over persistent TCP connections between replicas, and between
// clients and replicas (docs/design.md, "Processes, transport, configuration"). It moves opaque
// byte strings: what is inside a frame, and who signed it, is the business of the layers above
// (packages pbft/wire and pbft/auth).
//
// Files. client_*.go are the client side (ClientConn: one connection per replica; ClientMux: many
// clients of one process over one connection per replica). replica_*.go are the replica side
// (Transport, its peers, the clients it serves and their multiplexed connections). The rest is
// shared: hello, handshake and keys, framing and the read/write loops (serve.go, base.go,
// outbox.go), limits and stats.
//
// Connections. There is one connection per replica pair, used in both directions: the replica with
// the lower id dials the one with the higher id, so the two never race to connect. Right after
// connecting, the dialer sends a hello with a fresh 32-byte nonce:
//
//	"PBFT" | version 2 | role 1 (replica) | from uint32 | to uint32 | nonce   (big-endian)
//	"PBFT" | version 2 | role 2 (client)  | len uint16  | client id | nonce
//	"PBFT" | version 2 | role 3 (clients) | len uint16  | process name | nonce
//
// Authentication. A hello is only a claim; a connection carries frames, routes replies or
// replaces another only once the claim is proven with the Ed25519 keys of the configuration
// (handshake.go). The acceptor answers with its own fresh nonce. For a replica hello it also
// sends its signature of the transcript, and the dialer checks it before it signs the
// transcript in turn: both replicas prove their key, over both nonces, bound to both ids.
// A client signs the transcript with its key; a multiplexed connection (role 3) proves each
// of its clients with an attach frame, the first within the handshake. A transcript is
//
//	"pbft/link/v2\x00" | label | acceptor uint32 | dialer uint32 | len uint16 | client id |
//	dialer's nonce | acceptor's nonce
//
// with its own label per proof (A: the accepting replica, D: the dialing replica, C: a
// client, M: an attached client), so no proof stands for another or for a protocol message.
// Every handshake runs under HelloTimeout with exact reads (no buffer for a connection that
// has proven nothing), and a failed one closes the connection: it never displaces anything.
//
// Design decision: a signed challenge-response rather than TLS 1.3. It proves the same keys
// the replicas already sign protocol messages with (TLS would need certificates bound to
// them), costs two signatures and two verifications per connection and nothing per frame,
// and keeps the frame path as it was. It does not encrypt or MAC the frames after the
// handshake: an attacker who can inject into an established TCP stream could still insert
// frames, but every replica frame is signed and every reply is authenticated above, so what
// it could do is what a dropped or garbled frame does; an attacker who can only connect (the
// threat of issue 15) can no longer displace or impersonate anyone.
//
// A newer authenticated connection from a replica replaces its link (a restarted or
// reconnecting peer), at most once per Limits.ReplaceInterval; a proven client's newer
// connection takes over its replies. A client is attached on at most
// Limits.MaxConnsPerClient connections: the newest wins, the client is detached from its
// oldest, and a connection left with no client closes (so one client key cannot fill the
// client connections; the choice is argued in limits.go). The acceptor refuses a replica hello that is not
// addressed to it, that names an unknown replica, or that breaks the lower-dials-higher rule,
// and a client hello or attach naming a client without a key in the configuration.
//
// Role 3 multiplexes many clients of one process over one connection (ClientMux): every
// frame on it is "kind uint8 | len uint16 | client id | payload", kind 0 a client frame and
// kind 1 an attach whose payload is the first 8 bytes of the acceptor's nonce and the
// client's signature (label M). The 8 bytes tell an attach signed for an earlier connection
// (dropped, counted) from a forged one (the connection is closed) without a signature check.
// A client frame counts only for a client attached on that connection. The mux proves its
// clients again on every new connection. A replica then answers all the clients of a slot
// with one write.
//
// Bounds. Everything a connection or its source can occupy is bounded (limits.go, each value
// in docs/design.md "Bounds at the edges"), and every refusal is counted (Stats.Refused): connections
// in their handshake and authenticated client connections, each in total and per source IP
// (at a handshake bound the newcomer sheds the oldest pending connection, so stalled
// connections cannot keep out honest ones, which complete in about a round trip);
// client ids per connection, per source and in total; connections per client id; the frame size (MaxFrame on replica
// links, Limits.ClientMaxFrame on client connections); and a deadline on every read phase:
// the handshake (HelloTimeout), the wait for a client's next frame (Limits.IdleTimeout),
// and the rest of a frame once its first byte arrived (Limits.FrameTimeout plus a second per
// MiB). A frame's buffer grows as its bytes arrive, never to the announced size at once.

// Frames. Every frame is a 4-byte big-endian length and that many bytes. A length above the
// connection's bound is a protocol error that closes the connection; Send refuses such frames.
//
// Queues. Every destination has a bounded queue of Config.QueueLen frames and QueueBytes bytes
// (a frame of any size still goes while fewer than QueueBytes wait, so a large NEW-VIEW or
// snapshot never waits for an empty queue); at a replica a multiplexed client connection's
// queue is no longer than any other, since there may be MaxClientConns of them. Send never blocks:
// when the queue is full the frame is dropped and counted, so a slow or dead peer never stalls
// the protocol loop. One writer goroutine per connection drains the queue into a buffered
// writer and flushes when the queue is empty, which batches small frames into few syscalls.
// A ClientMux writer, whose queue many clients feed in bursts, yields the processor once when
// its queue runs empty before it flushes, so that requests about to be queued share the write
// (the benchmark's client process made 55% fewer write syscalls).
// Frames queued while a peer is unreachable wait in its queue (up to QueueLen) and go out after
// reconnection; frames in flight when a connection breaks are lost, as PBFT tolerates.
//
// Reconnection. The dialer retries with exponential backoff (Config.BackoffMin doubling to
// Config.BackoffMax, with jitter; towards a replica at most peerBackoffMax, 500 ms, since a
// restarted replica waits for its lower-id peers to redial it). A write that makes no progress for Config.WriteTimeout
// closes the connection, so a peer that stopped reading is eventually disconnected.
//
// Bursts. Config.ClientIdle runs after a client frame when no further complete frame is
// buffered on that connection: whatever one read of the socket brought is one burst, which a
// replica verifies as one batch of signatures.
//
// Callbacks. onPeer, onClient and onReply run on the connection's reader goroutine, one
// goroutine per connection: frames of one connection arrive in order. A callback must not
// block for long (hand the frame to a channel or a worker pool), since it holds back every
// later frame of that connection, and must not call Close. The callback owns the frame.
package transport
