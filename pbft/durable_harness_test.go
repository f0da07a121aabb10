package pbft_test

import (
	"fmt"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
	"github.com/bftbank/pbft/smallbank"
)

// durableNet is four replicas (f = 1), each with an in-memory store (storage.Memory, the fake
// of the real store: the same keys and encoded values), a FIFO network and clients that
// resend until f+1 replicas acknowledge. A replica can crash at its k-th write: before the
// write (nothing of that Ready is durable) or after it (durable, nothing sent), and restart
// at once from its store through pbft.Recover. Every vote sent is checked against every
// earlier vote of the same sender (never two digests for one (kind, view, slot)), every
// executed slot against every other replica's.
type durableNet struct {
	t     *testing.T
	name  string
	f     int // n = 3f+1 replicas
	reps  []*pbft.Replica
	banks []*smallbank.Bank
	disks []*storage.Memory
	queue []delivery
	down  map[pbft.NodeID]bool
	cut   map[[2]pbft.NodeID]bool // links down, both ways (key: lower id first)

	// lag > 0 plays the node's group commit: a replica's Readies wait, records and binding
	// messages, until lag of them are pending or the network is quiet, and are then written
	// as one write; what does not bind leaves at once, ahead of earlier Readies' records.
	lag     int
	pending [][]pbft.Ready

	crash       pbft.NodeID // the replica to crash (0: none)
	crashAt     int         // at its crashAt-th write
	afterWrite  bool        // crash after the write instead of before
	crashAll    bool        // every replica restarts then (a power cut), from what it wrote
	writes      []int       // writes so far per replica
	crashed     bool
	restarts    int
	votes       map[voteKey]pbft.Digest
	executed    map[pbft.Seq]pbft.Digest
	acks        map[ack]map[pbft.NodeID]bool
	requests    []pbft.Request
	commitViews map[pbft.NodeID]pbft.View // highest view each replica was in

	// crashOn, if set, picks the write at which a replica crashes (as crash and crashAt do).
	crashOn func(id pbft.NodeID, rds []pbft.Ready) bool
}

type voteKey struct {
	from pbft.NodeID
	kind string
	view pbft.View
	seq  pbft.Seq
}

type ack struct {
	client pbft.ClientID
	t      uint64
}

func durableConfig(id pbft.NodeID, f int) (pbft.Config, *smallbank.Bank) {
	bank := smallbank.NewBank()
	for _, a := range []string{"A", "B", "C"} {
		if err := bank.Open(a, 100, 0); err != nil {
			panic(err)
		}
	}
	for c := 1; c <= 8; c++ { // the script's clients c1..c8 act as tellers for A, B and C
		if err := bank.Grant(smallbank.RoleTeller, fmt.Sprint("c", c)); err != nil {
			panic(err)
		}
	}
	cfg := pbft.TestConfig(id, f, bank)
	cfg.CheckpointInterval, cfg.Window = 2, 8
	cfg.ViewChangeTicks, cfg.StatusTicks, cfg.ResendTicks, cfg.FetchTicks = 30, 10, 10, 10
	cfg.LogSize = 0
	return cfg, bank
}

func newDurableNet(t *testing.T) *durableNet { return newDurableNetOf(t, 1) }

// newDurableNetOf is a durableNet of 3f+1 replicas.
func newDurableNetOf(t *testing.T, f int) *durableNet {
	size := 3*f + 2 // indexed by NodeID: 1..3f+1
	n := &durableNet{t: t, f: f, down: map[pbft.NodeID]bool{}, cut: map[[2]pbft.NodeID]bool{}, votes: map[voteKey]pbft.Digest{},
		executed: map[pbft.Seq]pbft.Digest{}, acks: map[ack]map[pbft.NodeID]bool{}, commitViews: map[pbft.NodeID]pbft.View{},
		reps: make([]*pbft.Replica, size), banks: make([]*smallbank.Bank, size), disks: make([]*storage.Memory, size),
		pending: make([][]pbft.Ready, size), writes: make([]int, size)}
	for id := pbft.NodeID(1); id <= n.last(); id++ {
		cfg, bank := durableConfig(id, f)
		r, err := pbft.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		n.reps[id], n.banks[id], n.disks[id] = r, bank, storage.NewMemory(storage.Identity{Replica: id})
	}
	return n
}

// collect takes replica id's Ready as the node does: what does not bind the replica (replies
// included, pbft.NeedsDurability) leaves at once, then the records are made durable, then
// the votes and view-change messages leave. A crash before the write loses only the latter.
// With lag, the write waits for more Readies (group commit) while what does not bind leaves.
func (n *durableNet) collect(id pbft.NodeID) {
	rd := n.reps[id].TakeReady()
	n.send(id, rd.Messages, false)
	n.acknowledge(id, rd.Replies)
	for _, job := range rd.CombineJobs {
		n.queue = append(n.queue, delivery{id, id, &pbft.Combined{Job: job, Sig: []byte("fake-cert")}})
	}
	for _, e := range rd.Executed {
		if d, ok := n.executed[e.Seq]; ok && d != e.Digest {
			n.t.Fatalf("divergence at s=%d: %s executed %s, another replica %s", e.Seq, id, e.Digest, d)
		}
		n.executed[e.Seq] = e.Digest
	}
	if n.lag == 0 {
		n.commit(id, []pbft.Ready{rd})
		return
	}
	n.pending[id] = append(n.pending[id], rd)
	if len(n.pending[id]) >= n.lag {
		n.flush(id)
	}
}

// flush writes replica id's pending Readies as one write and sends what they held.
func (n *durableNet) flush(id pbft.NodeID) {
	rds := n.pending[id]
	n.pending[id] = nil
	n.commit(id, rds)
}

// commit makes rds' records durable in one write (crashing there if the test says so), then
// sends their binding messages.
func (n *durableNet) commit(id pbft.NodeID, rds []pbft.Ready) {
	dirty := false
	for i := range rds {
		dirty = dirty || len(rds[i].Persist) > 0 || rds[i].Checkpoint != nil
	}
	if dirty {
		n.writes[id]++
		if n.crashHere(id, rds) {
			if n.afterWrite {
				for i := range rds {
					n.write(id, &rds[i])
				}
			}
			n.restart(id)
			for other := pbft.NodeID(1); other <= n.last() && n.crashAll; other++ {
				if other != id {
					n.restart(other)
				}
			}
			return
		}
		for i := range rds {
			n.write(id, &rds[i])
		}
	}
	for i := range rds {
		n.send(id, rds[i].Messages, true)
	}
}

// send queues replica id's messages that need durability (binding) or not.
func (n *durableNet) send(id pbft.NodeID, envs []pbft.Envelope, binding bool) {
	for _, env := range envs {
		if pbft.NeedsDurability(env.Msg) != binding {
			continue
		}
		n.checkVote(id, env.Msg)
		msg := fill(id, env.Msg)
		for to := pbft.NodeID(1); to <= n.last(); to++ {
			if env.To == pbft.Broadcast || env.To == to {
				n.queue = append(n.queue, delivery{id, to, msg})
			}
		}
	}
}

// acknowledge records replica id's replies: a client counts a request acknowledged once
// enough replicas answered it.
func (n *durableNet) acknowledge(id pbft.NodeID, reps []pbft.Reply) {
	for _, rep := range reps {
		k := ack{rep.Client, rep.Timestamp}
		if n.acks[k] == nil {
			n.acks[k] = map[pbft.NodeID]bool{}
		}
		n.acks[k][id] = true
	}
}

func (n *durableNet) write(id pbft.NodeID, rd *pbft.Ready) {
	if err := n.disks[id].Append(rd.Persist); err != nil {
		n.t.Fatal(err)
	}
	if c := rd.Checkpoint; c != nil {
		if err := n.disks[id].SaveCheckpoint(pbft.Snapshot{Cert: c.Cert, State: c.Snapshot()}); err != nil {
			n.t.Fatal(err)
		}
	}
}

// restart replaces replica id by one recovered from its store; what was queued to it is lost.
func (n *durableNet) restart(id pbft.NodeID) {
	n.crashed = true
	n.restarts++
	kept := n.queue[:0]
	for _, d := range n.queue {
		if d.to != id {
			kept = append(kept, d)
		}
	}
	n.queue = kept
	n.pending[id] = nil
	disk, err := n.disks[id].Reopen(storage.Identity{Replica: id})
	if err != nil {
		n.t.Fatal(err)
	}
	loaded, err := disk.Load()
	if err != nil || len(loaded.Cut) > 0 {
		n.t.Fatalf("load: %v %q", err, loaded.Cut)
	}
	cfg, bank := durableConfig(id, n.f)
	r, _, err := pbft.Recover(cfg, loaded.Recovered)
	if err != nil {
		n.t.Fatalf("recover %s: %v", id, err)
	}
	if r.View() < n.commitViews[id] {
		n.t.Fatalf("%s came back in view %d, it was in view %d", id, r.View(), n.commitViews[id])
	}
	n.reps[id], n.banks[id], n.disks[id] = r, bank, disk
	n.collect(id)
}

// checkVote fails the test if a replica signs two digests for one (kind, view, slot).
func (n *durableNet) checkVote(from pbft.NodeID, m pbft.Message) {
	var k voteKey
	var d pbft.Digest
	switch v := m.(type) {
	case *pbft.PrePrepare:
		k, d = voteKey{from, "PRE-PREPARE", v.View, v.Seq}, v.Digest
	case *pbft.Prepare:
		k, d = voteKey{from, "PREPARE", v.View, v.Seq}, v.Digest
	case *pbft.Commit:
		k, d = voteKey{from, "COMMIT", v.View, v.Seq}, v.Digest
	case *pbft.ViewChange:
		n.commitViews[from] = max(n.commitViews[from], v.View)
		return
	default:
		return
	}
	n.commitViews[from] = max(n.commitViews[from], k.view)
	if old, ok := n.votes[k]; ok && old != d {
		n.t.Fatalf("%s signed conflicting %s for v=%d s=%d: %s then %s", from, k.kind, k.view, k.seq, old, d)
	}
	n.votes[k] = d
}

func (n *durableNet) deliverAll() {
	for steps := 0; len(n.queue) > 0 || n.flushAll(); steps++ {
		if steps > 1_000_000 {
			n.t.Fatal("the network does not quiesce")
		}
		d := n.queue[0]
		n.queue = n.queue[1:]
		if n.down[d.from] || n.down[d.to] || n.linkCut(d.from, d.to) {
			continue
		}
		n.reps[d.to].Step(d.from, d.msg)
		n.collect(d.to)
	}
}

// flushAll writes every replica's pending Readies (the network is quiet); it reports whether
// that queued anything.
func (n *durableNet) flushAll() bool {
	for id := pbft.NodeID(1); id <= n.last(); id++ {
		if len(n.pending[id]) > 0 {
			n.flush(id)
		}
	}
	return len(n.queue) > 0
}

func (n *durableNet) tick(k int) {
	for range k {
		for id := pbft.NodeID(1); id <= n.last(); id++ {
			if !n.down[id] {
				n.reps[id].Tick()
				n.collect(id)
			}
		}
		n.deliverAll()
	}
}

// request sends a client request to replica `to` (and remembers it for resending).
func (n *durableNet) request(to pbft.NodeID, client string, t uint64, op smallbank.Op) {
	enc, err := smallbank.EncodeOp(op)
	if err != nil {
		n.t.Fatal(err)
	}
	req := pbft.Request{Client: pbft.ClientID(client), Timestamp: t, Op: enc}
	n.requests = append(n.requests, req)
	n.propose(to, req)
}

func (n *durableNet) propose(to pbft.NodeID, req pbft.Request) {
	if n.down[to] {
		return
	}
	n.reps[to].Propose(req)
	n.collect(to)
	n.deliverAll()
}

func (n *durableNet) acked(req pbft.Request) bool {
	return len(n.acks[ack{req.Client, req.Timestamp}]) >= n.f+1
}

// settle lets clients resend unacknowledged requests to every replica and ticks until every
// request is acknowledged and every replica has executed the same slots to the same state.
func (n *durableNet) settle() {
	for round := 0; round < 400; round++ {
		done := true
		for _, req := range n.requests {
			if !n.acked(req) {
				done = false
				if round%10 == 0 {
					for id := pbft.NodeID(1); id <= n.last(); id++ {
						n.propose(id, req)
					}
				}
			}
		}
		if done && n.agree() {
			return
		}
		n.tick(1)
	}
	n.t.Fatalf("no agreement: %s", n.summary())
}

func (n *durableNet) agree() bool {
	for id := pbft.NodeID(2); id <= n.last(); id++ {
		if n.down[id] {
			continue
		}
		if n.reps[id].Executed() != n.reps[1].Executed() || n.reps[id].StateDigest() != n.reps[1].StateDigest() {
			return false
		}
	}
	return true
}

func (n *durableNet) summary() string {
	s := ""
	for id := pbft.NodeID(1); id <= n.last(); id++ {
		r := n.reps[id]
		s += fmt.Sprintf("%s v=%d active=%v exec=%d stable=%d; ", id, r.View(), r.ViewActive(), r.Executed(), r.StableCheckpoint().Seq)
	}
	acked := 0
	for _, req := range n.requests {
		if n.acked(req) {
			acked++
		}
	}
	return n.name + ": " + s + fmt.Sprintf("%d/%d requests acknowledged", acked, len(n.requests))
}

// balances returns replica id's checking balances.
func (n *durableNet) balances(id pbft.NodeID) [3]int64 {
	var out [3]int64
	for i, a := range []string{"A", "B", "C"} {
		out[i], _ = n.banks[id].Balance(a)
	}
	return out
}

// last is the highest replica id.
func (n *durableNet) last() pbft.NodeID { return pbft.NodeID(3*n.f + 1) }

// setLink takes the link between a and b down (both ways) or up again.
func (n *durableNet) setLink(a, b pbft.NodeID, down bool) {
	n.cut[[2]pbft.NodeID{min(a, b), max(a, b)}] = down
}

func (n *durableNet) linkCut(a, b pbft.NodeID) bool {
	return n.cut[[2]pbft.NodeID{min(a, b), max(a, b)}]
}

// crashHere reports whether replica id crashes at this write (crash and crashAt, or crashOn).
func (n *durableNet) crashHere(id pbft.NodeID, rds []pbft.Ready) bool {
	if n.crashed {
		return false
	}
	return (id == n.crash && n.writes[id] == n.crashAt) || (n.crashOn != nil && n.crashOn(id, rds))
}
