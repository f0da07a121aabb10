package byzantine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

const n = 7

// describe prints outs as "n2:PRE-PREPARE/s3+0" (destination, kind, slot, delay), in order.
func describe(outs []Out) string {
	parts := make([]string, len(outs))
	for i, o := range outs {
		parts[i] = fmt.Sprintf("%s:%s%s+%d", o.To, o.Msg.Kind(), seqOf(o.Msg), o.DelayTicks)
	}
	return strings.Join(parts, " ")
}

func seqOf(m pbft.Message) string {
	switch m := m.(type) {
	case *pbft.PrePrepare:
		return fmt.Sprintf("/s%d", m.Seq)
	case *pbft.Prepare:
		return fmt.Sprintf("/s%d", m.Seq)
	case *pbft.Cert:
		return fmt.Sprintf("/s%d", m.Seq)
	}
	return ""
}

// every prints the same message to each replica in ids.
func every(format string, ids ...int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf(format, id)
	}
	return strings.Join(parts, " ")
}

func all(format string) string { return every(format, 1, 2, 3, 4, 5, 6, 7) }

var (
	pp          = &pbft.PrePrepare{View: 1, Seq: 3, Digest: pbft.BatchDigest(nil)}
	prepare     = &pbft.Prepare{View: 1, Seq: 3}
	commit      = &pbft.Commit{View: 1, Seq: 3}
	prepareCert = &pbft.Cert{Type: pbft.PrepareCert, View: 1, Seq: 3}
	commitCert  = &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 3}
	fullProof   = &pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: 3}
	newView     = &pbft.NewView{View: 2}
	viewChange  = &pbft.ViewChange{View: 2, Replica: 1}
	checkpoint  = &pbft.Checkpoint{Seq: 10}
)

func bcast(m pbft.Message) pbft.Envelope              { return pbft.Envelope{To: pbft.Broadcast, Msg: m} }
func to(id pbft.NodeID, m pbft.Message) pbft.Envelope { return pbft.Envelope{To: id, Msg: m} }

func nodeID(i int) pbft.NodeID { return pbft.NodeID(i) }

func TestOutbound(t *testing.T) {
	cases := []struct {
		name string
		b    Behavior
		self pbft.NodeID
		env  pbft.Envelope
		want string
	}{
		{"honest broadcast", Honest{}, 1, bcast(pp), all("n%d:PRE-PREPARE/s3+0")},
		{"sign sends as asked", Sign{}, 3, bcast(commitCert), all("n%d:COMMIT-CERT/s3+0")},
		{"crash drops prepare", Crash{}, 2, to(1, prepare), ""},
		{"crash drops own prepare as leader", Crash{}, 1, to(1, prepare), ""},
		{"crash drops prepare-cert", Crash{}, 1, bcast(prepareCert), ""},
		{"crash drops full-commit-proof", Crash{}, 1, bcast(fullProof), ""},
		{"crash drops new-view", Crash{}, 2, bcast(newView), ""},
		{"crash keeps commit", Crash{}, 2, to(1, commit), "n1:COMMIT+0"},
		{"crash keeps commit-cert", Crash{}, 1, bcast(commitCert), all("n%d:COMMIT-CERT/s3+0")},
		{"crash keeps pre-prepare", Crash{}, 1, bcast(pp), all("n%d:PRE-PREPARE/s3+0")},
		{"crash keeps view-change", Crash{}, 1, bcast(viewChange), all("n%d:VIEW-CHANGE+0")},
		{"dark drops listed", Dark{To: []pbft.NodeID{6}}, 1, bcast(pp), every("n%d:PRE-PREPARE/s3+0", 1, 2, 3, 4, 5, 7)},
		{"dark two", Dark{To: []pbft.NodeID{1, 2}}, 7, bcast(checkpoint), every("n%d:CHECKPOINT+0", 3, 4, 5, 6, 7)},
		{"dark unicast to listed", Dark{To: []pbft.NodeID{1}}, 7, to(1, prepare), ""},
		{"dark unicast to other", Dark{To: []pbft.NodeID{1}}, 7, to(2, prepare), "n2:PREPARE/s3+0"},
		{"dark ignores self", Dark{To: []pbft.NodeID{3}}, 3, to(3, prepare), "n3:PREPARE/s3+0"},
		{"time delays others", Time{DelayTicks: 25}, 1, bcast(pp),
			"n1:PRE-PREPARE/s3+0 " + every("n%d:PRE-PREPARE/s3+25", 2, 3, 4, 5, 6, 7)},
		{"time delays unicast", Time{DelayTicks: 25}, 2, to(1, prepare), "n1:PREPARE/s3+25"},
		{"equivocation splits", Equivocation{Listed: []pbft.NodeID{6, 7}}, 1, bcast(pp),
			"n1:PRE-PREPARE/s3+0 " + every("n%d:PRE-PREPARE/s4+0", 2, 3, 4, 5) + " n6:PRE-PREPARE/s3+0 n7:PRE-PREPARE/s3+0"},
		{"equivocation resend to one", Equivocation{Listed: []pbft.NodeID{6}}, 1, to(2, pp), "n2:PRE-PREPARE/s4+0"},
		{"equivocation leaves other kinds", Equivocation{Listed: []pbft.NodeID{6}}, 1, bcast(commitCert), all("n%d:COMMIT-CERT/s3+0")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := describe(c.b.Outbound(c.self, n, c.env)); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestEquivocationKeepsOriginalAndDigest(t *testing.T) {
	outs := Equivocation{Listed: []pbft.NodeID{6}}.Outbound(1, n, bcast(pp))
	for _, o := range outs {
		got := o.Msg.(*pbft.PrePrepare)
		if got.Digest != pp.Digest || got.View != pp.View {
			t.Fatalf("copy to %s changed view or digest: %+v", o.To, got)
		}
	}
	if pp.Seq != 3 {
		t.Fatalf("the core's pre-prepare was modified: seq %d", pp.Seq)
	}
}

func TestFlags(t *testing.T) {
	read := &pbft.Reply{ReadOnly: true}
	ordered := &pbft.Reply{Seq: 4}
	cases := []struct {
		b                  Behavior
		corrupt, dropRead  bool
		dropOrderedReplies bool
	}{
		{Honest{}, false, false, false},
		{Sign{}, true, false, false},
		{Crash{}, false, true, false},
		{Dark{To: []pbft.NodeID{2}}, false, false, false},
		{NewTime(400), false, false, false},
		{Equivocation{Listed: []pbft.NodeID{2}}, false, false, false},
		{Compose(Sign{}, Crash{}), true, true, false},
	}
	for _, c := range cases {
		if c.b.CorruptSignatures() != c.corrupt || c.b.DropReply(read) != c.dropRead || c.b.DropReply(ordered) != c.dropOrderedReplies {
			t.Errorf("%s: corrupt %v dropRead %v dropOrdered %v", Name(c.b), c.b.CorruptSignatures(), c.b.DropReply(read), c.b.DropReply(ordered))
		}
	}
}

func TestNewTimeStaysWellUnderTheTimeout(t *testing.T) {
	for _, timeout := range []int{1, 8, 200, 400, 1000} {
		d := NewTime(timeout).DelayTicks
		if d < 1 || (timeout >= TimeDivisor && 3*d > timeout/2) {
			t.Errorf("timeout %d: delay %d (three delayed hops must stay under half the timeout)", timeout, d)
		}
	}
	if d := NewTime(400).DelayTicks; d != 50 {
		t.Fatalf("default timeout 400: delay %d, want 50", d)
	}
}
