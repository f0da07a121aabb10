package sim

import (
	"github.com/bftbank/pbft/pbft"
)

// noise is the adversary's background of forgeries: what the faulty replicas' keys allow
// (shares for any view, slot and digest, pre-prepares with garbled client signatures or empty
// batches, far-future views and slots, bogus checkpoints and status claims) and replays of
// old messages. It never touches what an honest replica signs: an honest message is replayed
// only to its original recipient, as a late duplicate.
type noise struct {
	a      *Adversary
	rate   int // forgeries per 1000 ticks
	recent []recorded
	reqs   []pbft.Request
}

type recorded struct {
	from, to pbft.NodeID
	m        pbft.Message
}

const maxRecorded = 512

func (n *noise) init(a *Adversary) {
	n.a = a
	n.rate = []int{0, 5, 20}[a.rng.Intn(3)]
}

// record keeps a window of recent messages (for replays) and client requests (to garble).
func (n *noise) record(from, to pbft.NodeID, m pbft.Message) {
	if len(n.recent) >= maxRecorded {
		n.recent = n.recent[1:]
	}
	n.recent = append(n.recent, recorded{from, to, m})
	if pp, ok := m.(*pbft.PrePrepare); ok && len(pp.Batch) > 0 && len(n.reqs) < 64 {
		n.reqs = append(n.reqs, pp.Batch[0])
	}
}

func (n *noise) tick() {
	a := n.a
	if n.rate == 0 || len(a.faulty) == 0 || a.rng.Intn(1000) >= n.rate {
		return
	}
	from := a.faulty[a.rng.Intn(len(a.faulty))]
	honest := a.honest()
	to := honest[a.rng.Intn(len(honest))]
	if r := n.replay(from); r != nil {
		a.inject(r.from, r.to, r.m)
		return
	}
	if m := n.forge(from); m != nil {
		a.inject(from, to, m)
	}
}

// replay picks an old message to send again one time in four: a faulty replica's to anyone,
// an honest one's to its original recipient.
func (n *noise) replay(from pbft.NodeID) *recorded {
	a := n.a
	if len(n.recent) == 0 || a.rng.Intn(4) > 0 {
		return nil
	}
	r := n.recent[a.rng.Intn(len(n.recent))]
	if r.to == pbft.Broadcast || r.from == r.to {
		return nil
	}
	if a.isBad[r.from] {
		honest := a.honest()
		r.to = honest[a.rng.Intn(len(honest))]
	}
	return &r
}

// forge draws a message faulty replica `from` may sign.
func (n *noise) forge(from pbft.NodeID) pbft.Message {
	a := n.a
	cur := a.curView()
	v := []pbft.View{cur, cur, cur + 1, max(cur, 2) - 1, cur + 1000}[a.rng.Intn(5)]
	base := a.s.Replica(a.honest()[0]).Executed()
	s := []pbft.Seq{base + 1, base + 2, base + pbft.Seq(a.rng.Intn(8)), base + 1_000_000}[a.rng.Intn(4)]
	d := n.digest()
	switch a.rng.Intn(8) {
	case 0:
		return &pbft.Prepare{View: v, Seq: s, Digest: d}
	case 1:
		return &pbft.Commit{View: v, Seq: s, Digest: d}
	case 2:
		return n.garbledPrePrepare(v, s)
	case 3:
		return &pbft.PrePrepare{View: v, Seq: s, Digest: pbft.BatchDigest(nil)}
	case 4:
		return &pbft.Checkpoint{Seq: s - s%10 + 10, State: d}
	case 5:
		return &pbft.Status{View: v, Stable: a.s.Replica(from).StableCheckpoint(), Executed: s}
	case 6:
		return &pbft.Fetch{From: 1, To: s}
	}
	return &pbft.ViewChange{View: v, Replica: from, Stable: a.s.Replica(from).StableCheckpoint()}
}

// digest is a digest some batch really has, the no-op's, or garbage.
func (n *noise) digest() pbft.Digest {
	a := n.a
	switch {
	case len(n.reqs) > 0 && a.rng.Intn(2) == 0:
		return pbft.BatchDigest(n.reqs[a.rng.Intn(len(n.reqs)):][:1])
	case a.rng.Intn(2) == 0:
		return pbft.BatchDigest(nil)
	}
	var d pbft.Digest
	a.rng.Read(d[:])
	return d
}

// garbledPrePrepare is a pre-prepare whose batch holds a real request with a damaged client
// signature, or one whose operation was changed under the client's signature.
func (n *noise) garbledPrePrepare(v pbft.View, s pbft.Seq) pbft.Message {
	a := n.a
	if len(n.reqs) == 0 {
		return nil
	}
	req := n.reqs[a.rng.Intn(len(n.reqs))]
	if a.rng.Intn(2) == 0 {
		req.Sig = flipped(req.Sig)
	} else {
		req.Op = append(append([]byte(nil), req.Op...), 'x')
	}
	batch := []pbft.Request{req}
	return &pbft.PrePrepare{View: v, Seq: s, Digest: pbft.BatchDigest(batch), Batch: batch}
}

// flipped is a copy of sig with its last byte changed (an empty one becomes a single byte):
// a garbled signature.
func flipped(sig []byte) []byte {
	if len(sig) == 0 {
		return []byte{0xff}
	}
	c := append([]byte(nil), sig...)
	c[len(c)-1] ^= 0x5a
	return c
}
