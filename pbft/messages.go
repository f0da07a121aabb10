package pbft

import (
	"encoding/binary"
)

// Message is a protocol message between replicas. The concrete types are listed in this file.
type Message interface {
	// Kind names the message type as logs print it, e.g. "PREPARE-CERT".
	Kind() string
}

// Envelope is an outbound message with its destination (Broadcast for every replica).
type Envelope struct {
	To  NodeID
	Msg Message
}

// ForwardRequest carries a client request from a backup to the leader (docs/protocol.md, "Normal
// case" step 1).
type ForwardRequest struct{ Req Request }

// PrePrepare assigns slot Seq of View to a batch (docs/protocol.md, "Normal case" step 2). An empty
// batch is a no-op. WantTau asks the backups for their τ-shares as well as their σ-shares: the
// collector asks when it expects the slow path (a replica absent or giving bad shares), and again,
// by sending the pre-prepare once more with WantTau set, when the fast path fails on a slot it did
// not ask for. It is not part of the digest: a leader that lies about it only slows its own view.
type PrePrepare struct {
	View    View
	Seq     Seq
	Digest  Digest
	Batch   []Request
	WantTau bool
}

// Prepare is a backup's vote for a pre-prepare, sent to the collector. Tau and Sigma are shares
// over SharePayload(SharePrepare, ...) under the τ (2f+1) and σ (n) keys; the signer fills
// them, Tau only if SigmaOnly is not set (SigmaOnly is an instruction to the signer and does
// not travel: the collector sees an empty Tau).
type Prepare struct {
	View      View
	Seq       Seq
	Digest    Digest
	Tau       []byte
	Sigma     []byte
	SigmaOnly bool
}

// Commit is a replica's τ-share over SharePayload(ShareCommit, ...) after a prepare certificate.
type Commit struct {
	View   View
	Seq    Seq
	Digest Digest
	Tau    []byte
}

// CertKind says which certificate a Cert is.
type CertKind uint8

// The certificates of the normal case.
const (
	PrepareCert     CertKind = 1 // 2f+1 τ-shares over ("prepare", v, s, d)
	CommitCert      CertKind = 2 // 2f+1 τ-shares over ("commit", v, s, d)
	FullCommitProof CertKind = 3 // n σ-shares over ("prepare", v, s, d): the fast path
)

// String names the certificate as the protocol does.
func (k CertKind) String() string {
	switch k {
	case PrepareCert:
		return "PREPARE-CERT"
	case CommitCert:
		return "COMMIT-CERT"
	case FullCommitProof:
		return "FULL-COMMIT-PROOF"
	}
	return "CERT?"
}

// Cert is a combined threshold signature that the collector broadcasts.
type Cert struct {
	Type   CertKind
	View   View
	Seq    Seq
	Digest Digest
	Sig    []byte
}

// Checkpoint is a replica's τ-share over the state digest after executing slot Seq.
type Checkpoint struct {
	Seq   Seq
	State Digest
	Share []byte
}

// CheckpointCert proves that 2f+1 replicas reached State after slot Seq. Seq 0 is the genesis
// checkpoint and needs no signature.
type CheckpointCert struct {
	Seq   Seq
	State Digest
	Sig   []byte
}

// PreparedEntry is what a VIEW-CHANGE reports for one slot: the certificate (a PREPARE-CERT or
// a FULL-COMMIT-PROOF) with the batch it certifies, which a slim copy leaves out (Batch nil,
// Cert.Digest names it).
type PreparedEntry struct {
	Cert  Cert
	Batch []Request
}

// VoteEntry is a replica's fast-path vote: the highest-view pre-prepare it sent a σ-share for,
// named by Digest; Batch may be left out (a slim copy, or a full one whose PreparedEntry for
// the slot already carries that batch).
type VoteEntry struct {
	View   View
	Seq    Seq
	Digest Digest
	Batch  []Request
}

// ViewChange asks to move to View (docs/protocol.md, "View change"). Sig is the sender's Ed25519
// signature over the message with every batch left out (digests only), so that a NEW-VIEW can carry
// slim copies verifiably. Only the new leader needs the batches, to build O: it gets the full
// message, the other replicas a slim copy (see Slim).
type ViewChange struct {
	View     View
	Replica  NodeID
	Stable   CheckpointCert
	Prepared []PreparedEntry
	Votes    []VoteEntry
	Sig      []byte
}

// NewView starts View: V are 2f+1 VIEW-CHANGE messages, O the pre-prepares recomputed from them.
type NewView struct {
	View        View
	ViewChanges []ViewChange
	PrePrepares []PrePrepare
}

// Reply answers a client (docs/protocol.md, "Normal case" step 6). The replica authenticates it.
type Reply struct {
	View      View
	Replica   NodeID
	Client    ClientID
	Timestamp uint64
	ReadOnly  bool
	Result    []byte
	Seq       Seq // the slot that executed the request; 0 for reads answered from state
	// Op is OpDigest of the operation the reply answers: a client that signed two different
	// operations with one timestamp learns that the replicas executed the other one instead of
	// taking its result (docs/protocol.md, "Clients").
	Op  Digest
	Sig []byte
}

// CommittedSlot is a committed batch with the certificate that proves it (a COMMIT-CERT or a
// FULL-COMMIT-PROOF); catch-up ships these.
type CommittedSlot struct {
	PrePrepare PrePrepare
	Cert       Cert
}

// Status is a replica's summary of its progress; replicas exchange it so that a lagging one
// learns it is behind (docs/protocol.md, "Checkpoints and catch-up").
type Status struct {
	View     View
	Stable   CheckpointCert
	Executed Seq
	// Changing: the sender is changing into View (it has not accepted its NEW-VIEW yet); the
	// leader of View then sends it the NEW-VIEW (docs/protocol.md, "Durability").
	Changing bool
}

// Fetch asks a peer for the committed slots From..To, or a snapshot if it no longer has them.
type Fetch struct {
	From Seq
	To   Seq
}

// FetchReply carries committed slots with their certificates, and a snapshot when the first
// requested slot is below the sender's stable checkpoint.
type FetchReply struct {
	Snapshot *Snapshot
	Slots    []CommittedSlot
}

// Snapshot is the replicated state at a stable checkpoint, verified against its certificate.
type Snapshot struct {
	Cert  CheckpointCert
	State []byte
}

// FetchBatch asks peers for the batch with Digest that slot Seq may hold: the new leader of
// a view sends it when a value O must carry was reported by digest only (docs/protocol.md,
// "View change").
type FetchBatch struct {
	Seq    Seq
	Digest Digest
}

// BatchReply answers a FetchBatch with the batch; the receiver checks it against the digest
// (which covers every request's signature, see BatchDigest).
type BatchReply struct {
	Seq    Seq
	Digest Digest
	Batch  []Request
}

// Combined reports a CombineJob's outcome to the core. It is a local input, never sent on the
// network. Sig is empty when the job failed; Bad lists replicas whose shares did not verify.
type Combined struct {
	Job CombineJob
	Sig []byte
	Bad []NodeID
}

// Kind implementations.
func (*ForwardRequest) Kind() string { return "REQUEST" }
func (*PrePrepare) Kind() string     { return "PRE-PREPARE" }
func (*Prepare) Kind() string        { return "PREPARE" }
func (*Commit) Kind() string         { return "COMMIT" }
func (c *Cert) Kind() string         { return c.Type.String() }
func (*Checkpoint) Kind() string     { return "CHECKPOINT" }
func (*CheckpointCert) Kind() string { return "CHECKPOINT-CERT" }
func (*ViewChange) Kind() string     { return "VIEW-CHANGE" }
func (*NewView) Kind() string        { return "NEW-VIEW" }
func (*Status) Kind() string         { return "STATUS" }
func (*Fetch) Kind() string          { return "FETCH" }
func (*FetchReply) Kind() string     { return "FETCH-REPLY" }
func (*Combined) Kind() string       { return "COMBINED" }
func (*FetchBatch) Kind() string     { return "FETCH-BATCH" }
func (*BatchReply) Kind() string     { return "BATCH" }

// ShareKind is the domain of a threshold share; it keeps a share for one purpose from being
// replayed for another (docs/protocol.md, "Authentication").
type ShareKind uint8

// Share domains.
const (
	SharePrepare    ShareKind = 1
	ShareCommit     ShareKind = 2
	ShareCheckpoint ShareKind = 3
)

// SharePayload is the exact byte string that τ- and σ-shares sign: a domain tag, the view, the
// slot and the digest. Checkpoint shares use view 0 and the state digest.
func SharePayload(kind ShareKind, v View, s Seq, d Digest) []byte {
	b := make([]byte, 0, 64)
	b = append(b, "pbft/share/v1\x00"...)
	b = append(b, byte(kind))
	b = binary.BigEndian.AppendUint64(b, uint64(v))
	b = binary.BigEndian.AppendUint64(b, uint64(s))
	return append(b, d[:]...)
}

// CertPayload is the payload a certificate of kind k signs.
func CertPayload(c *Cert) []byte {
	kind := SharePrepare
	if c.Type == CommitCert {
		kind = ShareCommit
	}
	return SharePayload(kind, c.View, c.Seq, c.Digest)
}

// CheckpointPayload is the payload of checkpoint shares and certificates.
func CheckpointPayload(s Seq, state Digest) []byte {
	return SharePayload(ShareCheckpoint, 0, s, state)
}
