// Package pbft is the deterministic core of a linear PBFT replica in the style of SBFT.
//
// The core is a plain state machine, as etcd raft's is: inputs are Step (a verified message),
// Propose (a verified client request) and Tick; the output is a Ready value that lists what the
// caller must do. The core owns no goroutines, timers, sockets, files or randomness, and it never
// performs cryptography: the runtime shell (package pbft/auth) fills and checks signatures, and
// combines signature shares on the core's behalf (see CombineJob). A message handed to Step has
// already passed the checks that Authenticated documents.
package pbft

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// NodeID identifies a replica, 1..n.
type NodeID uint32

// Broadcast is the destination of a message meant for every replica, the sender included; the
// runtime delivers the sender's own copy locally.
const Broadcast NodeID = 0

// String prints the replica as "n3".
func (id NodeID) String() string {
	if id == Broadcast {
		return "all"
	}
	return fmt.Sprintf("n%d", uint32(id))
}

// View is a PBFT view number; view 1 is the first.
type View uint64

// LeaderOf is the leader (and collector) of view v among n replicas: ((v-1) mod n) + 1, so
// view 1 is led by n1 and each view change passes the role to the next replica
// (docs/protocol.md, "Normal case"). Replicas, clients and tools all use this one rule.
func LeaderOf(v View, n int) NodeID { return NodeID(uint64(v-1)%uint64(n) + 1) }

// Seq is a sequence number (slot); slot 1 is the first.
type Seq uint64

// Digest is a SHA-256 digest.
type Digest [32]byte

// String prints the first bytes of the digest in hex.
func (d Digest) String() string { return fmt.Sprintf("%x", d[:4]) }

// ClientID names a client (for example "A" or "c17").
type ClientID string

// Request is a client operation signed by its client. Op is opaque to the core: the
// Application decodes and executes it.
type Request struct {
	Client    ClientID
	Timestamp uint64
	Op        []byte
	ReadOnly  bool // a read sent to every replica (answered from executed state, not ordered)
	// Sig is the client's Ed25519 signature over SignedBytes (64 bytes), optionally
	// followed by its 32-byte hint (docs/protocol.md, "Authentication").
	Sig []byte
}

// SignedBytes is the canonical, domain-separated byte string a client signs.
func (r *Request) SignedBytes() []byte {
	return r.AppendSignedBytes(make([]byte, 0, SignedRequestOverhead+len(r.Client)+len(r.Op)))
}

// SignedRequestOverhead is the size of a request's signed bytes besides its client and op.
const SignedRequestOverhead = len(requestDomain) + 4 + 8 + 1 + 4

const requestDomain = "pbft/request/v1\x00"

// AppendSignedBytes appends the signed bytes of the request (SignedBytes) to b.
func (r *Request) AppendSignedBytes(b []byte) []byte {
	b = append(b, requestDomain...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(r.Client)))
	b = append(b, r.Client...)
	b = binary.BigEndian.AppendUint64(b, r.Timestamp)
	if r.ReadOnly {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return appendBytes(b, r.Op)
}

// Digest returns the digest of the signed part of the request.
func (r *Request) Digest() Digest { return sha256.Sum256(r.SignedBytes()) }

// opDomain tags the operation digest (OpDigest).
const opDomain = "pbft/op/v1\x00"

// OpDigest names a client operation in a reply (Reply.Op): SHA-256 over a domain tag and the
// operation's bytes. Every executed request and every read takes one, without allocating for
// an operation within MaxOpBytes.
func OpDigest(op []byte) Digest {
	if len(op) > MaxOpBytes {
		return sha256.Sum256(append([]byte(opDomain), op...))
	}
	var buf [len(opDomain) + MaxOpBytes]byte
	return sha256.Sum256(append(append(buf[:0], opDomain...), op...))
}

// BatchDigest is the digest d of a pre-prepare: it binds the ordered list of requests, each
// with its client's signature. The signature is covered so that two copies of a batch with
// one digest are the same bytes: a faulty replica cannot pass off a certified batch with
// garbled signatures (in a VIEW-CHANGE or a FETCH-REPLY) that honest replicas would then
// refuse to propose or serve (F1 and F2 in docs/protocol.md). The empty batch is the no-op
// that fills gaps after a view change.
func BatchDigest(batch []Request) Digest {
	h := sha256.New()
	h.Write([]byte("pbft/batch/v2\x00"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(batch)))
	h.Write(n[:])
	for i := range batch {
		d := batch[i].Digest()
		h.Write(d[:])
		binary.BigEndian.PutUint32(n[:4], uint32(len(batch[i].Sig)))
		h.Write(n[:4])
		h.Write(batch[i].Sig)
	}
	var out Digest
	h.Sum(out[:0])
	return out
}

// MaxOpBytes bounds a client operation. SmallBank's operations take tens of bytes; the bound
// keeps one client from making batches, and so pre-prepares and VIEW-CHANGEs, too large to
// send (F3 in docs/protocol.md). A request with a larger operation is refused.
const MaxOpBytes = 1024

// requestOverhead is what a request costs besides its client id, operation and signature.
const requestOverhead = 32

// RequestBytes is the size a request counts for against a batch's byte budget.
func RequestBytes(r *Request) int { return len(r.Client) + len(r.Op) + len(r.Sig) + requestOverhead }

func appendBytes(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

// noopDigest is the digest of the empty batch, the no-op of the view change (docs/protocol.md,
// "View change").
var noopDigest = BatchDigest(nil)
