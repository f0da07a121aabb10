package pbft_test

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden transcripts in testdata/")

// harness drives four replicas (f = 1) step by step with FIFO delivery and records every
// message, so a transcript shows the protocol exactly as it runs. Shares and certificates are
// FAKE here (a hash naming the signer); the real ones are exercised in tests/sim and pbft/auth.
type harness struct {
	t     *testing.T
	reps  []*pbft.Replica
	queue []delivery
	down  map[pbft.NodeID]bool
	out   bytes.Buffer
	// combine plays the runtime's combination; nil: every job succeeds.
	combine func(job pbft.CombineJob) pbft.Combined
	// intercept, if set, sees every message about to be delivered and returns what to deliver
	// instead (nil: drop it).
	intercept func(d delivery) pbft.Message
}

type delivery struct {
	from, to pbft.NodeID
	msg      pbft.Message
}

func newHarness(t *testing.T, configure func(*pbft.Config)) *harness {
	h := &harness{t: t, down: map[pbft.NodeID]bool{}}
	for id := pbft.NodeID(1); id <= 4; id++ {
		bank := smallbank.NewBank()
		for _, a := range []string{"A", "B"} {
			if err := bank.Open(a, 10, 0); err != nil {
				t.Fatal(err)
			}
		}
		cfg := pbft.TestConfig(id, 1, bank)
		cfg.CheckpointInterval, cfg.Window = 2, 8
		cfg.ViewChangeTicks, cfg.StatusTicks, cfg.ResendTicks = 20, 1000, 1000
		if configure != nil {
			configure(&cfg)
		}
		r, err := pbft.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		h.reps = append(h.reps, r)
	}
	return h
}

func fakeShare(id pbft.NodeID, payload []byte) []byte {
	s := sha256.Sum256(append([]byte(id.String()), payload...))
	return s[:4]
}

// fill plays the signer: it adds the sender's fake shares.
func fill(from pbft.NodeID, m pbft.Message) pbft.Message {
	switch v := m.(type) {
	case *pbft.Prepare:
		c := *v
		p := pbft.SharePayload(pbft.SharePrepare, c.View, c.Seq, c.Digest)
		if !c.SigmaOnly {
			c.Tau = fakeShare(from, p)
		}
		c.Sigma = fakeShare(from, p)
		return &c
	case *pbft.Commit:
		c := *v
		c.Tau = fakeShare(from, pbft.SharePayload(pbft.ShareCommit, c.View, c.Seq, c.Digest))
		return &c
	case *pbft.Checkpoint:
		c := *v
		c.Share = fakeShare(from, pbft.CheckpointPayload(c.Seq, c.State))
		return &c
	}
	return m
}

// collect drains a replica's Ready into the queue and the transcript.
func (h *harness) collect(id pbft.NodeID) {
	rd := h.reps[id-1].TakeReady()
	for _, env := range rd.Messages {
		msg := fill(id, env.Msg)
		for to := pbft.NodeID(1); to <= 4; to++ {
			if env.To == pbft.Broadcast || env.To == to {
				h.queue = append(h.queue, delivery{id, to, msg})
			}
		}
	}
	for _, job := range rd.CombineJobs {
		fmt.Fprintf(&h.out, "%s combines %d shares for %s s=%d\n", id, len(job.Shares), jobName(job), job.Seq)
		res := pbft.Combined{Job: job, Sig: []byte("fake-cert")}
		if h.combine != nil {
			res = h.combine(job)
		}
		h.queue = append(h.queue, delivery{id, id, &res})
	}
	for _, rep := range rd.Replies {
		res, _ := smallbank.DecodeResult(rep.Result)
		fmt.Fprintf(&h.out, "%s replies to %s t=%d s=%d: %s\n", id, rep.Client, rep.Timestamp, rep.Seq, res)
	}
	for _, e := range rd.Executed {
		fmt.Fprintf(&h.out, "%s executes s=%d (%d requests)\n", id, e.Seq, e.Requests)
	}
}

func jobName(j pbft.CombineJob) string {
	if j.Checkpoint {
		return "CHECKPOINT-CERT"
	}
	return j.Cert.String()
}

func (h *harness) propose(to pbft.NodeID, client string, t uint64, op smallbank.Op) {
	enc, err := smallbank.EncodeOp(op)
	if err != nil {
		h.t.Fatal(err)
	}
	fmt.Fprintf(&h.out, "client %s sends %s t=%d to %s\n", client, op, t, to)
	h.reps[to-1].Propose(pbft.Request{Client: pbft.ClientID(client), Timestamp: t, Op: enc})
	h.collect(to)
}

// deliverAll delivers queued messages in FIFO order until none is left.
func (h *harness) deliverAll() {
	for len(h.queue) > 0 {
		d := h.queue[0]
		h.queue = h.queue[1:]
		h.deliver(d)
	}
}

// deliver hands one message to its receiver (unless either end is down or intercept drops it).
func (h *harness) deliver(d delivery) {
	if h.down[d.from] || h.down[d.to] {
		return
	}
	if _, local := d.msg.(*pbft.Combined); !local && d.msg.Kind() != "STATUS" {
		fmt.Fprintf(&h.out, "%s -> %s %s\n", d.from, d.to, describe(d.msg))
	}
	if h.intercept != nil {
		if d.msg = h.intercept(d); d.msg == nil {
			return
		}
	}
	h.reps[d.to-1].Step(d.from, d.msg)
	h.collect(d.to)
}

func (h *harness) tick(n int) {
	for i := 0; i < n; i++ {
		for id := pbft.NodeID(1); id <= 4; id++ {
			if !h.down[id] {
				h.reps[id-1].Tick()
				h.collect(id)
			}
		}
	}
	fmt.Fprintf(&h.out, "-- %d ticks\n", n)
}

func (h *harness) status(s pbft.Seq) {
	var parts []string
	for _, r := range h.reps {
		parts = append(parts, fmt.Sprintf("%s=%s", r.ID(), r.SlotStatus(s)))
	}
	fmt.Fprintf(&h.out, "status s=%d: %s\n", s, strings.Join(parts, " "))
}

func describe(m pbft.Message) string {
	switch v := m.(type) {
	case *pbft.PrePrepare:
		ask := ""
		if v.WantTau {
			ask = ", wants τ"
		}
		return fmt.Sprintf("PRE-PREPARE v=%d s=%d d=%s (%d requests%s)", v.View, v.Seq, v.Digest, len(v.Batch), ask)
	case *pbft.Prepare:
		shares := "σ"
		if len(v.Tau) > 0 {
			shares = "τ+σ"
		}
		return fmt.Sprintf("PREPARE v=%d s=%d (%s)", v.View, v.Seq, shares)
	case *pbft.Commit:
		return fmt.Sprintf("COMMIT v=%d s=%d", v.View, v.Seq)
	case *pbft.Cert:
		return fmt.Sprintf("%s v=%d s=%d", v.Type, v.View, v.Seq)
	case *pbft.Checkpoint:
		return fmt.Sprintf("CHECKPOINT s=%d", v.Seq)
	case *pbft.CheckpointCert:
		return fmt.Sprintf("CHECKPOINT-CERT s=%d", v.Seq)
	case *pbft.ViewChange:
		return fmt.Sprintf("VIEW-CHANGE v=%d (stable %d, %d prepared, %d votes)", v.View, v.Stable.Seq, len(v.Prepared), len(v.Votes))
	case *pbft.NewView:
		return fmt.Sprintf("NEW-VIEW v=%d (%d view-changes, %d pre-prepares)", v.View, len(v.ViewChanges), len(v.PrePrepares))
	case *pbft.ForwardRequest:
		return fmt.Sprintf("REQUEST %s t=%d (forwarded)", v.Req.Client, v.Req.Timestamp)
	}
	return m.Kind()
}

// golden compares the transcript with testdata/NAME.golden (go test -rewrite regenerates it).
func (h *harness) golden(name string) {
	path := filepath.Join("testdata", name+".golden")
	if *rewrite {
		if err := os.WriteFile(path, h.out.Bytes(), 0o644); err != nil {
			h.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatalf("%v (run go test ./pbft -rewrite to create it)", err)
	}
	if !bytes.Equal(want, h.out.Bytes()) {
		h.t.Fatalf("transcript differs from %s (review, then go test ./pbft -rewrite):\n%s", path, h.out.String())
	}
}

func transfer(a, b string, v int64) smallbank.Op {
	return smallbank.Op{Kind: smallbank.OpSendPayment, Account: a, Dest: b, Amount: v}
}

func TestInteractionFastPath(t *testing.T) {
	h := newHarness(t, nil)
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	h.status(1)
	h.propose(1, "B", 1, transfer("B", "A", 20))
	h.deliverAll()
	h.tick(1)
	h.deliverAll()
	h.status(2)
	h.golden("fast_path")
}

func TestInteractionSlowPathWithReplicaDown(t *testing.T) {
	h := newHarness(t, nil)
	h.down[4] = true
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	h.tick(3) // the fast-path wait expires
	h.deliverAll()
	h.status(1)
	h.golden("slow_path")
}

func TestInteractionViewChange(t *testing.T) {
	h := newHarness(t, nil)
	h.failLeader("A", transfer("A", "B", 3))
	h.status(1)
	h.golden("view_change")
}

// failLeader takes n1 down, sends client's op to the backups, and runs the view change their
// request timers start.
func (h *harness) failLeader(client string, op smallbank.Op) {
	h.down[1] = true
	for id := pbft.NodeID(2); id <= 4; id++ {
		h.propose(id, client, 1, op)
	}
	h.deliverAll()
	h.tick(20) // the backups' request timers expire
	h.deliverAll()
	h.tick(3)
	h.deliverAll()
}

// TestInteractionViewChangeKeepsCommittedSlots: a slot committed in view 1 lies above the
// stable checkpoint when the leader fails. The NEW-VIEW re-proposes it, but its commit
// certificate (in the VIEW-CHANGEs) decides it: no replica votes on it again in view 2, and
// the request that waits is ordered after it.
func TestInteractionViewChangeKeepsCommittedSlots(t *testing.T) {
	h := newHarness(t, nil)
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	h.tick(1)
	h.deliverAll()
	h.status(1)
	h.failLeader("B", transfer("B", "A", 5))
	h.status(1)
	h.status(2)
	if strings.Contains(h.out.String(), "PREPARE v=2 s=1 ") {
		t.Fatalf("slot 1, committed in view 1, was voted on again in view 2:\n%s", h.out.String())
	}
	for _, r := range h.reps[1:] {
		if got := r.SlotStatus(2); got != pbft.StatusExecuted {
			t.Fatalf("%s: slot 2 is %s after the view change, want executed:\n%s", r.ID(), got, h.out.String())
		}
	}
	h.golden("view_change_committed")
}

// TestLeaderSilenceStartsViewChange: with the leader down and a request waiting, backups
// suspect it once it has been silent for LeaderSilenceTicks (5), long before the request timer
// (20); not a tick earlier, and not at all with the trigger off.
func TestLeaderSilenceStartsViewChange(t *testing.T) {
	for _, silence := range []int{5, 0} {
		h := newHarness(t, func(c *pbft.Config) { c.LeaderSilenceTicks = silence })
		h.down[1] = true
		for id := pbft.NodeID(2); id <= 4; id++ {
			h.propose(id, "A", 1, transfer("A", "B", 3))
		}
		h.deliverAll()
		h.tick(4)
		h.deliverAll()
		if strings.Contains(h.out.String(), "VIEW-CHANGE") {
			t.Fatalf("silence %d: view change after 4 ticks:\n%s", silence, h.out.String())
		}
		h.tick(1)
		h.deliverAll()
		if got := strings.Contains(h.out.String(), "VIEW-CHANGE v=2"); got != (silence > 0) {
			t.Fatalf("silence %d: view change after 5 ticks = %v:\n%s", silence, got, h.out.String())
		}
	}
	// A leader that stopped with nothing in flight: the first request that arrives after 5
	// silent ticks starts the view change at the next tick, and none starts while no
	// request waits.
	h := newHarness(t, func(c *pbft.Config) { c.LeaderSilenceTicks = 5 })
	h.down[1] = true
	h.tick(8)
	h.deliverAll()
	if strings.Contains(h.out.String(), "VIEW-CHANGE") {
		t.Fatalf("a view change with no request waiting:\n%s", h.out.String())
	}
	for id := pbft.NodeID(2); id <= 4; id++ {
		h.propose(id, "A", 1, transfer("A", "B", 3))
	}
	h.deliverAll()
	h.tick(1)
	h.deliverAll()
	if !strings.Contains(h.out.String(), "VIEW-CHANGE v=2") {
		t.Fatalf("no view change one tick after a request reached backups of a silent leader:\n%s", h.out.String())
	}
}
