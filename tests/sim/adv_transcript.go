package sim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// transcript is the short story of an adversarial run: the adversary's decisions and the key
// protocol events (NEW-VIEWs with their V and O, the first executions of each slot).
type transcript struct {
	lines   []string
	dropped int
	execs   map[pbft.Seq][]pbft.Digest // digests seen executed per slot (honest replicas)
}

const maxTranscript = 400

func (t *transcript) add(now uint64, line string) {
	if len(t.lines) >= maxTranscript {
		t.lines = t.lines[1:]
		t.dropped++
	}
	t.lines = append(t.lines, fmt.Sprintf("t=%d %s", now, line))
}

// executed logs the first honest execution of each (slot, digest): a second digest for a slot
// is the agreement violation itself.
func (t *transcript) executed(now uint64, id pbft.NodeID, e pbft.ExecutedSlot) {
	if t.execs == nil {
		t.execs = map[pbft.Seq][]pbft.Digest{}
	}
	for _, d := range t.execs[e.Seq] {
		if d == e.Digest {
			return
		}
	}
	t.execs[e.Seq] = append(t.execs[e.Seq], e.Digest)
	t.add(now, fmt.Sprintf("%s executes s%d %s", id, e.Seq, digestName(e.Digest)))
}

// String is the transcript, its last lines only when it is long.
func (t *transcript) String() string {
	const show = 40
	lines := t.lines
	head := "adversary transcript:\n"
	if len(lines) > show {
		head = fmt.Sprintf("adversary transcript (last %d of %d lines):\n", show, len(lines)+t.dropped)
		lines = lines[len(lines)-show:]
	}
	return head + "  " + strings.Join(lines, "\n  ")
}

func digestName(d pbft.Digest) string {
	if d == pbft.BatchDigest(nil) {
		return "no-op"
	}
	return "d=" + d.String()
}

// logNewView records a NEW-VIEW's V (who, with what they report for each slot) and O.
func (a *Adversary) logNewView(from pbft.NodeID, m *pbft.NewView) {
	key := subsetKey{"NEW-VIEW-log", m.View, 0}
	if _, done := a.subsets[key]; done {
		return
	}
	a.subsets[key] = nil
	var v []string
	for i := range m.ViewChanges {
		v = append(v, describeViewChange(&m.ViewChanges[i]))
	}
	var o []string
	for i := range m.PrePrepares {
		pp := &m.PrePrepares[i]
		o = append(o, fmt.Sprintf("s%d:%s", pp.Seq, digestName(pp.Digest)))
	}
	if len(o) > 8 {
		o = append(o[:8], fmt.Sprintf("+%d", len(o)-8))
	}
	a.logf("%s NEW-VIEW(v%d) V=[%s] O=[%s]", from, m.View, strings.Join(v, "; "), strings.Join(o, " "))
}

// describeViewChange prints a VIEW-CHANGE as "n3{ckpt0 P:s1@v1 d=.. V:s1@v2 d=..}".
func describeViewChange(vc *pbft.ViewChange) string {
	var parts []string
	for _, e := range vc.Prepared {
		parts = append(parts, fmt.Sprintf("%s:s%d@v%d %s", shortKind(e.Cert.Type), e.Cert.Seq, e.Cert.View, digestName(e.Cert.Digest)))
	}
	for _, e := range vc.Votes {
		parts = append(parts, fmt.Sprintf("vote:s%d@v%d %s", e.Seq, e.View, digestName(e.Digest)))
	}
	if len(parts) > 4 {
		parts = append(parts[:4], fmt.Sprintf("+%d", len(parts)-4))
	}
	return fmt.Sprintf("%s{h=%d %s}", vc.Replica, vc.Stable.Seq, strings.Join(parts, " "))
}

func shortKind(k pbft.CertKind) string {
	switch k {
	case pbft.PrepareCert:
		return "PC"
	case pbft.CommitCert:
		return "CC"
	case pbft.FullCommitProof:
		return "FCP"
	}
	return "?"
}

func sortIDs(ids []pbft.NodeID) { sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] }) }

func sortStable(ids []pbft.NodeID, less func(x, y pbft.NodeID) bool) {
	sort.SliceStable(ids, func(i, j int) bool { return less(ids[i], ids[j]) })
}
