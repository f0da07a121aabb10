package node

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// line formats a protocol log line in the one shape of the project:
// "n3 v=2 s=17 recv PREPARE-CERT from n2".
func (nd *node) line(verb string, m pbft.Message, peer string) string {
	if s, ok := slotOf(m); ok {
		return fmt.Sprintf("%s v=%d s=%d %s %s %s", nd.id, nd.core.View(), s, verb, m.Kind(), peer)
	}
	return fmt.Sprintf("%s v=%d %s %s %s", nd.id, nd.core.View(), verb, m.Kind(), peer)
}

// slotOf is the slot a message is about, for the messages that have one.
func slotOf(m pbft.Message) (pbft.Seq, bool) {
	switch v := m.(type) {
	case *pbft.PrePrepare:
		return v.Seq, true
	case *pbft.Prepare:
		return v.Seq, true
	case *pbft.Commit:
		return v.Seq, true
	case *pbft.Cert:
		return v.Seq, true
	case *pbft.Checkpoint:
		return v.Seq, true
	case *pbft.CheckpointCert:
		return v.Seq, true
	case *pbft.Combined:
		return v.Job.Seq, true
	}
	return 0, false
}
