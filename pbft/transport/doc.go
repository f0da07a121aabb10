// Package transport carries frames over persistent TCP connections between replicas, and
// between clients and replicas (SPEC 7). It moves opaque byte strings: what is inside a frame,
// and who signed it, is the business of the layers above (packages pbft/wire and pbft/auth).
//
// Connections. There is one connection per replica pair, used in both directions: the replica
// with the lower id dials the one with the higher id, so the two never race to connect. Right
// after connecting, the dialer sends a hello:
//
//	"PBFT" | version 1 | role 1 (replica) | from uint32 | to uint32      (big-endian)
//	"PBFT" | version 1 | role 2 (client)  | len uint16  | client id
//	"PBFT" | version 1 | role 3 (clients) | len uint16  | process name
//
// Role 3 multiplexes many clients of one process over one connection (ClientMux): every
// frame on it is "kind uint8 | len uint16 | client id | payload", kind 0 a client frame and
// kind 1 an attach (empty payload) telling the replica that the client's replies go on this
// connection. A replica then answers all the clients of a slot with one write. The mux
// attaches its clients again on every new connection. A frame routes replies for the client
// it names, as a role-2 hello does: routing is a claim, replies are authenticated above.
//
// The acceptor drops a replica hello that is not addressed to it, that names an unknown
// replica, or that breaks the lower-dials-higher rule. The name in a hello is only a claim: the
// authenticated sender of a replica frame is checked above, from its signature. A newer
// connection from the same replica or client replaces the older one.
//
// Frames. Every frame is a 4-byte big-endian length and that many bytes. A length above
// Config.MaxFrame is a protocol error that closes the connection; Send refuses such frames.
//
// Queues. Every destination has a bounded queue of Config.QueueLen frames and QueueBytes bytes
// (a frame of any size still goes while fewer than QueueBytes wait, so a large NEW-VIEW or
// snapshot never waits for an empty queue). Send never blocks:
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
// Config.BackoffMax, with jitter). A write that makes no progress for Config.WriteTimeout
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
