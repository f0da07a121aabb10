package pbft

// KeyKind names one of the two threshold keys (docs/protocol.md, "Authentication").
type KeyKind uint8

// The threshold keys.
const (
	KeyTau   KeyKind = 1 // 2f+1 of n: prepare and commit certificates, checkpoints
	KeySigma KeyKind = 2 // n of n: the fast path
)

// Share is one replica's signature share as received; it has not been verified (the runtime
// combines optimistically and verifies shares one by one only when the combination fails).
type Share struct {
	From NodeID
	Sig  []byte
}

// CombineJob asks the runtime to combine Shares (under Key) over Payload into one signature and
// to report the result back through Step with a *Combined message. Cert says what the signature
// becomes: a normal-case certificate, or a checkpoint certificate when Checkpoint is set.
type CombineJob struct {
	Key        KeyKind
	Cert       CertKind // for normal-case certificates
	Checkpoint bool     // a checkpoint certificate over (Seq, Digest as the state digest)
	View       View
	Seq        Seq
	Digest     Digest
	Shares     []Share
}

// Payload is the byte string the shares of the job sign.
func (j *CombineJob) Payload() []byte {
	if j.Checkpoint {
		return CheckpointPayload(j.Seq, j.Digest)
	}
	c := Cert{Type: j.Cert, View: j.View, Seq: j.Seq, Digest: j.Digest}
	return CertPayload(&c)
}

// Ready is what the core asks its caller to do after an input. The caller must, in this order:
//  0. make Persist durable (and Checkpoint, when Required) before any of the Messages for
//     which NeedsDurability holds leaves, and before the Replies leave (RepliesNeedDurability);
//     the other Messages and CombineJobs need not wait;
//  1. seal and send Messages (a Broadcast also goes to the sender itself, delivered locally);
//  2. run CombineJobs off the protocol loop and feed each result back with Step(self, *Combined);
//  3. authenticate and send Replies to their clients.
//
// Batches are executed inside the core through the Application, strictly in slot order, before
// the Ready that carries their replies is returned; that keeps checkpoints, the exactly-once
// client table and the state digest in one deterministic place.
type Ready struct {
	Persist     []Record           // durable before the Messages that NeedsDurability leave (see persist.go)
	Checkpoint  *DurableCheckpoint // a stable checkpoint whose state may be saved
	Messages    []Envelope
	CombineJobs []CombineJob
	Replies     []Reply
	Executed    []ExecutedSlot // slots executed since the last Ready, in order (for observers)
}

// ExecutedSlot reports one executed slot: what observers (tests, metrics) need to check
// agreement and measure throughput.
type ExecutedSlot struct {
	Seq      Seq
	Digest   Digest
	Requests int  // requests executed (duplicates skipped are not counted)
	Fast     bool // committed by a FULL-COMMIT-PROOF
}

// Empty reports whether there is nothing to do.
func (r *Ready) Empty() bool {
	return len(r.Messages) == 0 && len(r.CombineJobs) == 0 && len(r.Replies) == 0 && len(r.Executed) == 0 &&
		len(r.Persist) == 0 && r.Checkpoint == nil
}

// Application is the replicated state machine. It must be deterministic: the same operations
// in the same order give the same results and the same digest on every replica.
type Application interface {
	// Execute applies one operation signed by client and returns its encoded result. The
	// application decides from the client what the operation may do: only an account's owner
	// or a client with a role may debit it (docs/protocol.md, "Application state and
	// authorization"); a refusal is a result.
	Execute(client ClientID, op []byte) []byte
	// Query answers a read-only operation from the current state without changing it.
	Query(op []byte) []byte
	// Digest is the state digest, maintained incrementally (docs/protocol.md, "Checkpoints and
	// catch-up").
	Digest() Digest
	// Snapshot encodes the whole state; Restore replaces the state with a snapshot.
	Snapshot() []byte
	Restore(snapshot []byte) error
}

// Freezer is implemented by applications whose state can be captured more cheaply than it is
// encoded. A replica captures its state at every checkpoint but encodes it only when a lagging
// peer fetches it, which is rare: with a million accounts, encoding at every checkpoint would
// stall the protocol loop for tens of milliseconds each time.
type Freezer interface {
	// Freeze captures the current state and returns a function that encodes the captured
	// state exactly as Snapshot would have encoded it at the time of Freeze. The function may
	// be called much later, after further Executes, from the replica's own goroutine.
	Freeze() func() []byte
}
