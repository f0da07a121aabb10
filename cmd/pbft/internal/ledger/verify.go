// Package ledger verifies a replica's ledger (docs/protocol.md, "Ledger"): every executed slot
// with the certificate that committed it, chained by hashes, and the stable checkpoint
// certificates. It needs only the cluster's public keys and configuration: an auditor can run
// it on a copy of any replica's data directory.
package ledger

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
)

// Source is a ledger to verify: storage.LedgerReader, or a store in tests.
type Source interface {
	Entries(fn func(storage.LedgerEntry, error) bool) error
	Checkpoints() (map[pbft.Seq]pbft.CheckpointCert, error)
}

// Verifier checks threshold certificates (auth.Authenticator without secrets).
type Verifier interface {
	VerifyCert(c *pbft.Cert) error
	VerifyCheckpoint(c *pbft.CheckpointCert) error
}

// Report is what Verify found.
type Report struct {
	First, Last  pbft.Seq   // the slots the ledger holds
	Entries      int        // entries checked
	Checkpoints  int        // checkpoint certificates matched by the replayed state
	StateChecked pbft.Seq   // the state was replayed from genesis up to this slot
	Gaps         []pbft.Seq // slots where the ledger resumes after a snapshot installed by catch-up
	Break        *Break     // the first break; nil: the ledger is valid
}

// Break is the first place where the ledger does not verify.
type Break struct {
	Seq    pbft.Seq
	Reason string
}

// Valid reports whether no break was found.
func (r *Report) Valid() bool { return r.Break == nil }

// Verify checks every entry: readable (checksums), linked to the one before by its hash,
// committed by a certificate that verifies under the cluster's keys, with a batch that matches
// the certificate; and it replays the slots from genesis through a fresh auditor, comparing the
// state digest with each checkpoint certificate. It stops at the first break.
func Verify(src Source, v Verifier, aud *pbft.Auditor) (Report, error) {
	var rep Report
	ckpts, err := src.Checkpoints()
	if err != nil {
		return rep, err
	}
	w := walk{rep: &rep, ckpts: ckpts, v: v, aud: aud, replay: true}
	err = src.Entries(func(e storage.LedgerEntry, err error) bool {
		if err != nil {
			rep.Break = &Break{Seq: e.Seq, Reason: err.Error()}
			return false
		}
		return w.entry(&e)
	})
	return rep, err
}

// walk is Verify's state along the ledger.
type walk struct {
	rep    *Report
	ckpts  map[pbft.Seq]pbft.CheckpointCert
	v      Verifier
	aud    *pbft.Auditor
	prev   *storage.LedgerEntry
	replay bool // still contiguous from genesis: the auditor follows
}

func (w *walk) fail(s pbft.Seq, format string, args ...any) bool {
	w.rep.Break = &Break{Seq: s, Reason: fmt.Sprintf(format, args...)}
	return false
}

func (w *walk) entry(e *storage.LedgerEntry) bool {
	if !w.linked(e) || !w.certified(e) || !w.replayed(e) {
		return false
	}
	if w.rep.Entries == 0 {
		w.rep.First = e.Seq
	}
	w.rep.Entries++
	w.rep.Last = e.Seq
	w.prev = e
	return true
}

// linked checks that e follows the entry before, or resumes after a certified checkpoint.
func (w *walk) linked(e *storage.LedgerEntry) bool {
	contiguous := (w.prev == nil && e.Seq == 1) || (w.prev != nil && e.Seq == w.prev.Seq+1)
	if contiguous && w.prev != nil && e.Prev != w.prev.Hash {
		return w.fail(e.Seq, "the entry does not link to slot %d's (hash %x, it names %x)", w.prev.Seq, w.prev.Hash[:4], e.Prev[:4])
	}
	if contiguous && (w.prev != nil || e.Prev == [32]byte{}) {
		return true
	}
	// A gap: catch-up installed the snapshot of a stable checkpoint at e.Seq-1.
	c, ok := w.ckpts[e.Seq-1]
	if !ok || e.Prev != [32]byte{} {
		return w.fail(e.Seq, "slots before it are missing and no checkpoint certificate covers slot %d", e.Seq-1)
	}
	if err := w.v.VerifyCheckpoint(&c); err != nil {
		return w.fail(e.Seq, "the checkpoint certificate of slot %d before the gap: %v", e.Seq-1, err)
	}
	w.rep.Gaps = append(w.rep.Gaps, e.Seq)
	w.replay = false
	return true
}

// certified checks e's certificate and batch.
func (w *walk) certified(e *storage.LedgerEntry) bool {
	c := &e.Cert
	switch {
	case c.Seq != e.Seq || (c.Type != pbft.CommitCert && c.Type != pbft.FullCommitProof):
		return w.fail(e.Seq, "the entry holds a %s for slot %d, not a commit certificate for it", c.Type, c.Seq)
	case pbft.BatchDigest(e.Batch) != c.Digest:
		return w.fail(e.Seq, "the batch (%d requests) does not match the certificate's digest %s", len(e.Batch), c.Digest)
	}
	if err := w.v.VerifyCert(c); err != nil {
		return w.fail(e.Seq, "the %s does not verify: %v", c.Type, err)
	}
	return true
}

// replayed executes e and compares the state with the checkpoint certificate of its slot.
func (w *walk) replayed(e *storage.LedgerEntry) bool {
	if !w.replay {
		return true
	}
	state, atCheckpoint, err := w.aud.Execute(e.Cert, e.Batch)
	if err != nil {
		return w.fail(e.Seq, "replay: %v", err)
	}
	w.rep.StateChecked = e.Seq
	c, ok := w.ckpts[e.Seq]
	if !atCheckpoint || !ok {
		return true
	}
	if err := w.v.VerifyCheckpoint(&c); err != nil {
		return w.fail(e.Seq, "the checkpoint certificate of slot %d: %v", e.Seq, err)
	}
	if c.State != state {
		return w.fail(e.Seq, "the state after slot %d is %s, its checkpoint certificate says %s", e.Seq, state, c.State)
	}
	w.rep.Checkpoints++
	return true
}
