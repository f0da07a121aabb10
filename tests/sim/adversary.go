package sim

import (
	"fmt"
	"math/rand"
	"sort"

	"github.com/bftbank/pbft/pbft"
)

// Adversary is an adaptive Byzantine adversary on the simulator (docs/adversary.md). It owns up to f
// faulty replicas, which run the honest core (and, for some, a twin: a second copy with the
// same keys on the other side of a per-view partition), and it owns the network's timing: it
// chooses who hears each faulty message, holds honest messages (the VIEW-CHANGEs of replicas
// that know something, from the next leader), strips or withholds faulty VIEW-CHANGEs, silences
// leaders to force view changes, forges what faulty keys allow and replays old messages. Every
// choice is drawn from a PRNG seeded by the run's seed, so a seed replays the run exactly.
//
// The choices are biased toward the patterns that break view changes: a certificate shown to
// a minority, the replicas that hold it kept out of the next leader's quorum, a faulty leader
// that sends its NEW-VIEW to a few replicas and stalls, and a faulty VIEW-CHANGE that forgets.
// Once the attack phase ends (Heal) the faulty replicas behave and the network is fair, and
// every honest client's request must complete.
type Adversary struct {
	s       *Sim
	rng     *rand.Rand
	faulty  []pbft.NodeID // sorted
	isBad   map[pbft.NodeID]bool
	plans   map[pbft.View]*viewPlan
	subsets map[subsetKey][]bool
	know    map[pbft.NodeID]map[pbft.Seq]uint8 // what each honest replica was shown, per slot
	stalled map[pbft.NodeID]stallState         // stalled faulty leaders
	held    []heldMsg
	twins   []*twin
	noise   noise
	byz     *byzClient // a Byzantine client, if any
	batches *batchRegistry
	log     transcript
	// lie, when set (its own PRNG, so that runs without it replay as before), makes faulty
	// replicas serve lying FETCH-REPLYs (lyingFetchReply); oldSnaps are the snapshots seen.
	lie      *rand.Rand
	oldSnaps []*pbft.Snapshot
	healed   bool
	err      error
}

// subsetKey names a faulty message whose recipients are chosen once: every copy and
// retransmission of it reaches the same replicas.
type subsetKey struct {
	kind string
	view pbft.View
	seq  pbft.Seq
}

// heldMsg is an honest message the adversary delays until its recipient has moved past view
// (or until `until`, so that the network stays eventually fair).
type heldMsg struct {
	from, to pbft.NodeID
	m        pbft.Message
	view     pbft.View
	until    uint64
}

// What a replica was shown for one slot (know's flags).
const (
	knowBatch  = 1
	knowPrep   = 2
	knowCommit = 4
)

const maxHeld = 4096

// NewAdversary attaches an adversary to s that controls the faulty replicas (at most f).
// Twins get a second copy of the core. It installs s.Intercept and an observer.
func NewAdversary(s *Sim, faulty []pbft.NodeID, twins []pbft.NodeID) (*Adversary, error) {
	a := &Adversary{s: s, rng: rand.New(rand.NewSource(s.Seed()*7919 + 17)), isBad: map[pbft.NodeID]bool{},
		plans: map[pbft.View]*viewPlan{}, subsets: map[subsetKey][]bool{},
		know: map[pbft.NodeID]map[pbft.Seq]uint8{}, stalled: map[pbft.NodeID]stallState{},
		batches: newBatchRegistry(s.opts.Auth)}
	a.faulty = append(a.faulty, faulty...)
	sort.Slice(a.faulty, func(i, j int) bool { return a.faulty[i] < a.faulty[j] })
	for _, id := range a.faulty {
		a.isBad[id] = true
		s.MarkFaulty(id)
	}
	for _, id := range twins {
		t, err := newTwin(s, id)
		if err != nil {
			return nil, err
		}
		a.twins = append(a.twins, t)
	}
	a.noise.init(a)
	s.Intercept = a.intercept
	s.Observe(a.observe)
	return a, nil
}

// honest lists the replicas the adversary does not control.
func (a *Adversary) honest() []pbft.NodeID {
	var out []pbft.NodeID
	for id := pbft.NodeID(1); int(id) <= a.s.N; id++ {
		if !a.isBad[id] {
			out = append(out, id)
		}
	}
	return out
}

func (a *Adversary) leaderOf(v pbft.View) pbft.NodeID {
	return pbft.LeaderOf(v, a.s.N)
}

// curView is the highest view an honest replica is in.
func (a *Adversary) curView() pbft.View {
	v := pbft.View(1)
	for _, id := range a.honest() {
		v = max(v, a.s.Replica(id).View())
	}
	return v
}

// Step runs one tick of the simulation and then the adversary's own moves: twins, releases of
// held messages, forgeries.
func (a *Adversary) Step() error {
	if err := a.s.Step(); err != nil {
		return a.failure(err)
	}
	a.release()
	for _, t := range a.twins {
		t.step(a)
	}
	if !a.healed {
		a.noise.tick()
		if a.byz != nil {
			a.byz.tick()
		}
	}
	if a.err != nil {
		return a.failure(a.s.fail(a.err))
	}
	return a.checkFootprints()
}

// checkFootprints checks that no honest replica keeps more than its stated bounds
// (docs/protocol.md, "Bounds"), whatever the faulty replicas and clients sent.
func (a *Adversary) checkFootprints() error {
	for _, id := range a.honest() {
		r := a.s.Replica(id)
		if fp, limit := r.Footprint(), r.FootprintLimit(); !fp.Within(limit) {
			return a.failure(a.s.fail(fmt.Errorf("bounds: n%d keeps %+v, over its limits %+v", id, fp, limit)))
		}
	}
	return nil
}

// Heal ends the attack: held messages go out, twins stop, faulty replicas behave and the
// network is fair from now on.
func (a *Adversary) Heal() {
	a.healed = true
	a.logf("heal: %d held messages released, faulty replicas behave", len(a.held))
	for _, h := range a.held {
		a.inject(h.from, h.to, h.m)
	}
	a.held = nil
	a.twins = nil
}

// intercept is the adversary's hand on every replica-to-replica message (Sim.Intercept).
func (a *Adversary) intercept(from, to pbft.NodeID, m pbft.Message) (uint64, bool) {
	a.batches.addMessage(m)
	a.noise.record(from, to, m)
	if nv, ok := m.(*pbft.NewView); ok {
		a.logNewView(from, nv)
	}
	if a.healed {
		a.noteDelivered(to, m)
		return 0, true
	}
	if t := a.twinOf(to); t != nil && a.onTwinSide(to, from, m) {
		t.receive(from, m) // the twin hears it; the sim's copy does not
		return 0, false
	}
	if t := a.twinOf(from); t != nil && a.onTwinSide(from, to, m) {
		return 0, false // the sim's copy of a twinned replica talks only to its own side
	}
	deliver := true
	if a.isBad[from] {
		deliver = a.faultySend(from, to, m)
	} else {
		deliver = a.honestSend(from, to, m)
	}
	if deliver {
		a.noteDelivered(to, m)
	}
	return 0, deliver
}

// inject sends m as `from` (what its keys allow, or a delayed honest message), noting it.
func (a *Adversary) inject(from, to pbft.NodeID, m pbft.Message) {
	a.batches.addMessage(m)
	a.noteDelivered(to, m)
	if err := a.s.Inject(from, to, m); err != nil && a.err == nil {
		a.err = err
	}
}

// noteDelivered records what an honest replica is shown, for the knowledge-biased choices.
func (a *Adversary) noteDelivered(to pbft.NodeID, m pbft.Message) {
	if a.isBad[to] {
		return
	}
	k := a.know[to]
	if k == nil {
		k = map[pbft.Seq]uint8{}
		a.know[to] = k
	}
	switch m := m.(type) {
	case *pbft.PrePrepare:
		k[m.Seq] |= knowBatch
	case *pbft.NewView:
		for i := range m.PrePrepares {
			k[m.PrePrepares[i].Seq] |= knowBatch
		}
	case *pbft.Cert:
		if m.Type == pbft.PrepareCert {
			k[m.Seq] |= knowPrep
		} else {
			k[m.Seq] |= knowCommit
		}
	}
}

// score ranks what replica id knows that not every honest replica executed: a commit
// certificate with its batch first, then a prepare certificate with its batch.
func (a *Adversary) score(id pbft.NodeID) int {
	low := a.s.Replica(id).Executed()
	for _, h := range a.honest() {
		low = min(low, a.s.Replica(h).Executed())
	}
	best := 0
	for s, k := range a.know[id] {
		if s <= low {
			continue
		}
		sc := 0
		switch {
		case k&knowCommit != 0 && k&knowBatch != 0:
			sc = 4
		case k&knowPrep != 0 && k&knowBatch != 0:
			sc = 3
		case k&(knowCommit|knowPrep) != 0:
			sc = 2
		case k&knowBatch != 0:
			sc = 1
		}
		best = max(best, sc) // max is order-independent: map order decides nothing
	}
	return best
}

func (a *Adversary) observe(id pbft.NodeID, rd *pbft.Ready) error {
	if a.isBad[id] {
		return nil
	}
	for _, e := range rd.Executed {
		a.log.executed(a.s.Now(), id, e)
		if err := a.batches.checkExecuted(id, e); err != nil {
			return err
		}
	}
	return nil
}

func (a *Adversary) logf(format string, args ...any) {
	a.log.add(a.s.Now(), fmt.Sprintf(format, args...))
}

func (a *Adversary) failure(err error) error {
	return fmt.Errorf("%w\nreplay: go test ./tests/sim -run TestAdversary -seed %d\n%s", err, a.s.Seed(), a.log.String())
}
