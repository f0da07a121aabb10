package pbft

// Durability (docs/protocol.md, "Durability"). The core never writes anything: it lists in
// Ready.Persist the facts that must be durable before that Ready's binding Messages leave
// (etcd raft's rule), and Recover rebuilds a replica from what was made durable.

// RecordKind names a fact a replica keeps durable.
type RecordKind uint8

// The durable facts. A record never needs to be rewritten: later records supersede earlier
// ones of the same kind and slot (the highest view wins), so a store may keep them in any
// order, one key per (kind, slot, view).
const (
	// RecView: the replica is in View; Active false means it sent VIEW-CHANGE for View and
	// has not accepted its NEW-VIEW. A replica never goes back to a lower view.
	RecView RecordKind = 1
	// RecPrepare: the replica sent PREPARE shares (σ, maybe τ) for (View, Seq, Digest), whose
	// batch is Batch; as leader this is also its pre-prepare. It never votes another digest
	// for (View, Seq). The batch is kept because a value may commit while every replica loses
	// power before executing it: then only the voters' stores hold it.
	RecPrepare RecordKind = 2
	// RecCommit: the replica sent COMMIT for (View, Seq, Digest).
	RecCommit RecordKind = 3
	// RecCert: the replica holds Cert (any kind); a COMMIT signer reports its PREPARE-CERT in
	// every later VIEW-CHANGE, by digest if the batch is not at hand.
	RecCert RecordKind = 4
	// RecExecuted: slot Seq executed Batch, committed by Cert; a restart replays it. The
	// replies need not wait for it (see NeedsDurability).
	RecExecuted RecordKind = 5
	// RecStable: Stable became the stable checkpoint.
	RecStable RecordKind = 6
	// RecNewView: the replica, leader of NewView.View, sent NewView.
	RecNewView RecordKind = 7
)

// Record is one durable fact; which fields are set depends on Kind.
type Record struct {
	Kind    RecordKind
	View    View
	Seq     Seq
	Digest  Digest
	Active  bool            // RecView
	Cert    *Cert           // RecCert, RecExecuted
	Batch   []Request       // RecPrepare, RecExecuted
	Stable  *CheckpointCert // RecStable
	NewView *NewView        // RecNewView
}

// DurableCheckpoint is a stable checkpoint whose state the caller may save: Snapshot encodes
// the state at Cert exactly as a FETCH-REPLY would carry it (client table, then application).
// Snapshot reads only state captured at the checkpoint, so the caller may call it from another
// goroutine, later. When Required is set (a snapshot installed through catch-up, whose slots
// were never executed here) the snapshot must be durable before the Ready's Messages leave;
// otherwise the caller may save it at its own pace (the executed slots since the last saved
// snapshot are durable, and a restart replays them).
type DurableCheckpoint struct {
	Cert     CheckpointCert
	Snapshot func() []byte
	Required bool
}

// Recovered is what a replica made durable, as a store returns it.
type Recovered struct {
	Snapshot *Snapshot // the last saved checkpoint state; nil: genesis
	Records  []Record  // every record kept, in any order
}

func (r *Replica) persist(rec Record) {
	if r.replaying {
		return
	}
	r.out.Persist = append(r.out.Persist, rec)
}

func (r *Replica) persistView() {
	r.persist(Record{Kind: RecView, View: r.view, Active: r.viewActive})
}

func (r *Replica) persistCert(c *Cert) {
	cert := *c
	r.persist(Record{Kind: RecCert, View: c.View, Seq: c.Seq, Digest: c.Digest, Cert: &cert})
}

// offerCheckpoint hands the caller the stable checkpoint's state to save.
func (r *Replica) offerCheckpoint(required bool) {
	if r.replaying {
		return
	}
	r.out.Checkpoint = &DurableCheckpoint{Cert: r.stable, Snapshot: r.snapshot.encoder(), Required: required}
}

// NeedsDurability reports whether m may leave only once the records of its Ready (and of every
// earlier Ready) are durable. Those are the messages that bind the sender: its votes and
// proposals (PRE-PREPARE, PREPARE, COMMIT, its own share included) and its view-change
// messages (VIEW-CHANGE, NEW-VIEW), which it must never contradict after a restart. Everything
// else may leave at once, without waiting for any record: certificates, checkpoint shares and
// catch-up carry nothing the sender could contradict. Replies are the exception
// (RepliesNeedDurability).
func NeedsDurability(m Message) bool {
	switch m.(type) {
	case *PrePrepare, *Prepare, *Commit, *ViewChange, *NewView:
		return true
	}
	return false
}

// RepliesNeedDurability says that a Ready's replies, like its binding messages, leave only once
// the records of that Ready and of every earlier one are durable. A reply's value stays
// committed without it (a FULL-COMMIT-PROOF needs the durable votes of all n replicas, a
// COMMIT-CERT the durable PREPARE-CERTs of 2f+1 COMMIT signers, and after a restart their
// VIEW-CHANGEs make every later NEW-VIEW propose the value again), but linearizability needs
// more: it relies on a replica that answered from the state after slot s never answering from
// an earlier state again (docs/protocol.md, "Linearizability"). A replica that replied before
// its executed records were durable and then lost power came back below s and answered reads
// from the state before s: a write completed, every replica lost power, and a read that
// started afterwards returned the balance from before the write (tests/sim
// TestRegressionReadAfterPowerCutSeesCompletedWrite).
const RepliesNeedDurability = true
