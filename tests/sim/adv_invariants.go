package sim

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// MarkFaulty leaves replica id out of the invariants (agreement, exactly-once, money): what a
// faulty replica executes or replies proves nothing, whatever code it runs.
func (s *Sim) MarkFaulty(id pbft.NodeID) {
	if s.inv.faulty == nil {
		s.inv.faulty = map[pbft.NodeID]bool{}
	}
	s.inv.faulty[id] = true
}

// Observe sets f to see every Ready of every replica (faulty ones included) before the
// invariants do; an error it returns fails the run.
func (s *Sim) Observe(f func(id pbft.NodeID, rd *pbft.Ready) error) { s.inv.observer = f }

// batchRegistry remembers every batch that travelled between replicas, by digest, and whether
// some copy of it carried only valid client signatures. A batch digest binds the requests'
// signed bytes but not their signatures, so a copy with a garbled signature shares the digest
// of the genuine batch: the check is that an honest replica never executes a batch of which no
// correctly signed copy exists (a request its client never signed).
type batchRegistry struct {
	auth   Auth
	signed map[pbft.Digest]bool
}

func newBatchRegistry(a Auth) *batchRegistry {
	return &batchRegistry{auth: a, signed: map[pbft.Digest]bool{pbft.BatchDigest(nil): true}}
}

func (b *batchRegistry) add(batch []pbft.Request) {
	if len(batch) == 0 {
		return
	}
	d := pbft.BatchDigest(batch)
	if b.signed[d] {
		return
	}
	ok := true
	for i := range batch {
		ok = ok && b.auth.VerifyRequest(&batch[i]) == nil
	}
	b.signed[d] = ok
}

// addMessage registers the batches a message carries.
func (b *batchRegistry) addMessage(m pbft.Message) {
	switch m := m.(type) {
	case *pbft.PrePrepare:
		b.add(m.Batch)
	case *pbft.NewView:
		for i := range m.PrePrepares {
			b.add(m.PrePrepares[i].Batch)
		}
	case *pbft.ViewChange:
		for i := range m.Prepared {
			b.add(m.Prepared[i].Batch)
		}
		for i := range m.Votes {
			b.add(m.Votes[i].Batch)
		}
	case *pbft.FetchReply:
		for i := range m.Slots {
			b.add(m.Slots[i].PrePrepare.Batch)
		}
	}
}

// checkExecuted is the invariant: every executed request was signed by its client.
func (b *batchRegistry) checkExecuted(id pbft.NodeID, e pbft.ExecutedSlot) error {
	signed, known := b.signed[e.Digest]
	switch {
	case !known:
		return fmt.Errorf("n%d executed slot %d with batch %s that no replica ever sent", id, e.Seq, e.Digest)
	case !signed:
		return fmt.Errorf("n%d executed slot %d with batch %s holding a request its client did not sign", id, e.Seq, e.Digest)
	}
	return nil
}
