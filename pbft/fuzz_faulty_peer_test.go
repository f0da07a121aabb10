package pbft_test

import (
	"encoding/binary"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// FuzzStepFaultyPeer lets the fuzzer play n4, a faulty replica with valid keys, among three
// honest replicas of the four-replica harness (f = 1, L = 8, K = 2) that order client requests.
// Between deliveries it hands an honest replica a message of its choice from n4: any content
// that n4 can sign itself (its shares, votes, VIEW-CHANGEs, STATUS, FETCH ranges, batches of
// genuine requests), and only certificates and other replicas' VIEW-CHANGEs it has seen
// (signatures cannot be forged), with views and slots drawn from the edges (0, 1, the window,
// 2^63, 2^64-1). Checked after every step: no panic, every footprint within its bounds
// (docs/protocol.md, "Bounds"), and no two honest replicas with different states after the
// same executed slot.
func FuzzStepFaultyPeer(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{7, 2, 1, 9, 9, 0, 8, 2, 2, 4, 3, 3, 1, 1, 0, 0, 15, 15, 7, 4, 4, 4})
	f.Add([]byte{9, 1, 5, 5, 5, 11, 3, 0, 10, 1, 200, 12, 6, 6, 13, 14, 0, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		fz := newFaultyPeerFuzz(t)
		in := fuzzInput{data: data}
		for step := 0; step < 200 && !in.done(); step++ {
			fz.step(&in)
			fz.check()
		}
	})
}

type fuzzInput struct {
	data []byte
	pos  int
}

func (in *fuzzInput) done() bool { return in.pos >= len(in.data) }

func (in *fuzzInput) byte() byte {
	if in.done() {
		return 0
	}
	b := in.data[in.pos]
	in.pos++
	return b
}

func (in *fuzzInput) pick(n int) int { return int(in.byte()) % n }

var edgeNumbers = []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 17, 24, 33, 1 << 32, 1 << 63, 1<<64 - 2, 1<<64 - 1}

func (in *fuzzInput) num() uint64 {
	b := in.byte()
	if b < 128 {
		return uint64(b % 40)
	}
	return edgeNumbers[int(b)%len(edgeNumbers)]
}

func (in *fuzzInput) digest(seen []pbft.Digest) pbft.Digest {
	if len(seen) > 0 && in.byte()%2 == 0 {
		return seen[in.pick(len(seen))]
	}
	return pbft.Digest{in.byte(), in.byte()}
}

type faultyPeerFuzz struct {
	t       *testing.T
	h       *harness
	certs   []pbft.Cert
	ckpts   []pbft.CheckpointCert
	vcs     []pbft.ViewChange // other replicas' VIEW-CHANGEs, as n4 received them
	reqs    []pbft.Request    // genuine client requests n4 saw
	digests []pbft.Digest
	batches [][]pbft.Request
	clients uint64
}

func newFaultyPeerFuzz(t *testing.T) *faultyPeerFuzz {
	fz := &faultyPeerFuzz{t: t}
	fz.h = newHarness(t, func(c *pbft.Config) { c.ViewChangeTicks, c.StatusTicks, c.ResendTicks, c.FetchTicks = 20, 10, 10, 20 })
	fz.h.down[4] = true // n4 is played by the fuzzer
	fz.h.intercept = func(d delivery) pbft.Message {
		fz.observe(d.msg)
		return d.msg
	}
	return fz
}

// observe records what n4 learns from the honest replicas' messages.
func (fz *faultyPeerFuzz) observe(m pbft.Message) {
	const keep = 64
	add := func(b []pbft.Request) {
		if len(b) > 0 && len(fz.batches) < keep {
			fz.batches = append(fz.batches, b)
			fz.digests = append(fz.digests, pbft.BatchDigest(b))
			fz.reqs = append(fz.reqs, b...)
		}
	}
	switch v := m.(type) {
	case *pbft.Cert: // the latest certificates seen
		if fz.certs = append(fz.certs, *v); len(fz.certs) > keep {
			fz.certs = fz.certs[1:]
		}
	case *pbft.CheckpointCert:
		if fz.ckpts = append(fz.ckpts, *v); len(fz.ckpts) > keep {
			fz.ckpts = fz.ckpts[1:]
		}
	case *pbft.Status:
		if v.Stable.Seq > 0 {
			fz.observe(&v.Stable)
		}
	case *pbft.PrePrepare:
		add(v.Batch)
	case *pbft.ForwardRequest:
		if len(fz.reqs) < keep {
			fz.reqs = append(fz.reqs, v.Req)
		}
	case *pbft.ViewChange:
		if v.Replica != 4 && len(fz.vcs) < keep {
			fz.vcs = append(fz.vcs, *v.Slim())
		}
		for _, e := range v.Prepared {
			fz.observe(&e.Cert)
			add(e.Batch)
		}
	case *pbft.NewView:
		for i := range v.ViewChanges {
			fz.observe(&v.ViewChanges[i])
		}
	case *pbft.FetchReply:
		for _, cs := range v.Slots {
			fz.observe(&cs.Cert)
			add(cs.PrePrepare.Batch)
		}
	}
}

func (fz *faultyPeerFuzz) stableCert(in *fuzzInput) pbft.CheckpointCert {
	if len(fz.ckpts) > 0 && in.byte()%2 == 0 {
		return fz.ckpts[in.pick(len(fz.ckpts))]
	}
	return pbft.CheckpointCert{} // genesis: needs no signature (its state is not checked)
}

func (fz *faultyPeerFuzz) cert(in *fuzzInput) (pbft.Cert, bool) {
	if len(fz.certs) == 0 {
		return pbft.Cert{}, false
	}
	return fz.certs[in.pick(len(fz.certs))], true
}

// batch is a batch of genuine requests: one seen, a mix of seen requests (possibly repeated),
// or none.
func (fz *faultyPeerFuzz) batch(in *fuzzInput) []pbft.Request {
	switch in.pick(3) {
	case 0:
		if len(fz.batches) > 0 {
			return fz.batches[in.pick(len(fz.batches))]
		}
	case 1:
		if len(fz.reqs) > 0 {
			b := make([]pbft.Request, 1+in.pick(300))
			for i := range b {
				b[i] = fz.reqs[in.pick(len(fz.reqs))]
			}
			return b
		}
	}
	return nil
}

func (fz *faultyPeerFuzz) viewChange(in *fuzzInput, v pbft.View) pbft.ViewChange {
	vc := pbft.ViewChange{View: v, Replica: 4, Stable: fz.stableCert(in), Sig: []byte("n4")}
	for range in.pick(6) {
		if c, ok := fz.cert(in); ok {
			e := pbft.PreparedEntry{Cert: c}
			if in.byte()%2 == 0 {
				e.Batch = fz.batch(in)
			}
			vc.Prepared = append(vc.Prepared, e)
		}
	}
	for range in.pick(6) {
		b := fz.batch(in)
		d := pbft.BatchDigest(b)
		if in.byte()%3 == 0 {
			d, b = fz.h.reps[0].StateDigest(), nil
		}
		vc.Votes = append(vc.Votes, pbft.VoteEntry{View: pbft.View(in.num()), Seq: pbft.Seq(in.num()), Digest: d, Batch: b})
	}
	return vc
}

// message builds n4's next message.
func (fz *faultyPeerFuzz) message(in *fuzzInput) pbft.Message {
	v, s := pbft.View(in.num()), pbft.Seq(in.num())
	switch in.pick(15) {
	case 0:
		b := fz.batch(in)
		return &pbft.PrePrepare{View: v, Seq: s, Digest: pbft.BatchDigest(b), Batch: b, WantTau: in.byte()%2 == 0}
	case 1:
		return &pbft.Prepare{View: v, Seq: s, Digest: in.digest(fz.digests), Tau: []byte{in.byte()}, Sigma: []byte{in.byte()}}
	case 2:
		return &pbft.Commit{View: v, Seq: s, Digest: in.digest(fz.digests), Tau: []byte{in.byte()}}
	case 3:
		if c, ok := fz.cert(in); ok {
			return &c
		}
	case 4:
		return &pbft.Checkpoint{Seq: s, State: in.digest(nil), Share: []byte{in.byte()}}
	case 5:
		c := fz.stableCert(in)
		return &c
	case 6:
		vc := fz.viewChange(in, v)
		return &vc
	case 7:
		// A NEW-VIEW of a view n4 leads, from VIEW-CHANGEs it received and its own.
		nv := &pbft.NewView{View: v}
		for _, vc := range fz.vcs {
			if vc.View == v && len(nv.ViewChanges) < 2 {
				nv.ViewChanges = append(nv.ViewChanges, vc)
			}
		}
		own := fz.viewChange(in, v)
		nv.ViewChanges = append(nv.ViewChanges, *own.Slim())
		for range in.pick(10) {
			b := fz.batch(in)
			nv.PrePrepares = append(nv.PrePrepares, pbft.PrePrepare{View: v, Seq: pbft.Seq(in.num()), Digest: pbft.BatchDigest(b), Batch: b})
		}
		return nv
	case 8:
		return &pbft.Status{View: v, Stable: fz.stableCert(in), Executed: s, Changing: in.byte()%2 == 0}
	case 9:
		return &pbft.Fetch{From: s, To: pbft.Seq(in.num())}
	case 10:
		reply := &pbft.FetchReply{}
		if in.byte()%4 == 0 {
			reply.Snapshot = &pbft.Snapshot{Cert: fz.stableCert(in), State: fz.h.reps[in.pick(3)].SnapshotBytes()}
		}
		for range in.pick(4) {
			if c, ok := fz.cert(in); ok {
				b := fz.batch(in)
				reply.Slots = append(reply.Slots, pbft.CommittedSlot{PrePrepare: pbft.PrePrepare{View: c.View, Seq: c.Seq, Digest: c.Digest, Batch: b}, Cert: c})
			}
		}
		return reply
	case 11:
		return &pbft.FetchBatch{Seq: s, Digest: in.digest(fz.digests)}
	case 12:
		b := fz.batch(in)
		return &pbft.BatchReply{Seq: s, Digest: pbft.BatchDigest(b), Batch: b}
	case 13:
		if len(fz.reqs) > 0 {
			return &pbft.ForwardRequest{Req: fz.reqs[in.pick(len(fz.reqs))]}
		}
	}
	return &pbft.Combined{} // not n4's to send: refused
}

func (fz *faultyPeerFuzz) step(in *fuzzInput) {
	h := fz.h
	switch op := in.pick(8); {
	case op == 0: // a client request to an honest replica
		fz.clients++
		client, dest := "A", "B"
		if fz.clients%2 == 0 {
			client, dest = dest, client
		}
		enc, _ := smallbank.EncodeOp(transfer(client, dest, 1))
		var sig [8]byte
		binary.BigEndian.PutUint64(sig[:], fz.clients)
		to := pbft.NodeID(1 + in.pick(3))
		h.reps[to-1].Propose(pbft.Request{Client: pbft.ClientID(client), Timestamp: fz.clients, Op: enc, Sig: sig[:]})
		h.collect(to)
	case op == 1:
		h.tick(1 + in.pick(30))
	default:
		to := pbft.NodeID(1 + in.pick(3))
		h.reps[to-1].Step(4, fz.message(in))
		h.collect(to)
	}
	h.deliverAll()
	h.out.Reset()
}

// check fails on a footprint beyond its bounds or two honest replicas that diverged.
func (fz *faultyPeerFuzz) check() {
	states := map[pbft.Seq]pbft.Digest{}
	for _, r := range fz.h.reps[:3] {
		if fp, limit := r.Footprint(), r.FootprintLimit(); !fp.Within(limit) {
			fz.t.Fatalf("%s footprint %+v exceeds its bounds %+v", r.ID(), fp, limit)
		}
		if d, ok := states[r.Executed()]; ok && d != r.StateDigest() {
			fz.t.Fatalf("%s diverged at s=%d", r.ID(), r.Executed())
		}
		states[r.Executed()] = r.StateDigest()
	}
}
