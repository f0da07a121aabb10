package byzantine

import "github.com/bftbank/pbft/pbft"

// Crash is the `crash` attack (docs/design.md, "Byzantine module"): the replica takes no part in
// preparing slots and answers no reads, but keeps receiving. It decides from the message type,
// never from who leads, because each dropped type is sent in exactly one role:
//   - PREPARE is only sent by a replica voting for a pre-prepare, so as a backup (and as the
//     leader voting for its own pre-prepare) it never prepares anything. As a side effect a
//     crashed leader never holds all n σ-shares, so no fast path either;
//   - PREPARE-CERT and FULL-COMMIT-PROOF are only formed by the collector: as leader it never
//     lets a slot become prepared, not even at itself (its own copy is dropped too);
//   - NEW-VIEW is only sent by the leader of a new view: it records VIEW-CHANGEs but never
//     starts the view, so the others time out and move on;
//   - replies to read-only requests are withheld (DropReply).
//
// Everything else goes out: COMMIT, CHECKPOINT, VIEW-CHANGE, STATUS, catch-up, ordered replies.
type Crash struct {
	Honest // it signs honestly
}

// Outbound drops PREPARE, PREPARE-CERT, FULL-COMMIT-PROOF and NEW-VIEW.
func (Crash) Outbound(_ pbft.NodeID, n int, env pbft.Envelope) []Out {
	if crashDrops(env.Msg) {
		return nil
	}
	return Expand(n, env)
}

func crashDrops(m pbft.Message) bool {
	switch m := m.(type) {
	case *pbft.Prepare, *pbft.NewView:
		return true
	case *pbft.Cert:
		return m.Type == pbft.PrepareCert || m.Type == pbft.FullCommitProof
	}
	return false
}

// DropReply withholds replies to read-only requests.
func (Crash) DropReply(rep *pbft.Reply) bool { return rep != nil && rep.ReadOnly }

// String is the attack's name.
func (Crash) String() string { return "crash" }
