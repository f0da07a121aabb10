package sim

import (
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// twin is a second copy of a faulty replica's honest core: same NodeID, hence the same keys,
// its own state (Twins, Bano et al. 2020). In each view the adversary splits the honest
// replicas into two sides: the twin talks only to one, the simulator's copy only to the other,
// so the pair equivocates, forgets and votes twice exactly as honest code on two sides of a
// partition would. A twin's executions and replies count for nothing (the replica is faulty).
type twin struct {
	id    pbft.NodeID
	r     *pbft.Replica
	inbox []twinMsg
	sides map[pbft.View][]bool // per view, the honest replicas on the twin's side
}

type twinMsg struct {
	from pbft.NodeID
	m    pbft.Message
}

// newTwin builds a copy of replica id with the simulator's configuration and opening state.
func newTwin(s *Sim, id pbft.NodeID) (*twin, error) {
	bank := smallbank.NewBank()
	for c := 0; c < s.opts.Clients; c++ {
		if err := bank.Open(AccountName(c), s.opts.Balance, 0); err != nil {
			return nil, err
		}
	}
	cfg := pbft.TestConfig(id, s.opts.F, bank)
	cfg.LogSize = 0
	if s.opts.Configure != nil {
		s.opts.Configure(&cfg)
	}
	r, err := pbft.New(cfg)
	if err != nil {
		return nil, err
	}
	return &twin{id: id, r: r, sides: map[pbft.View][]bool{}}, nil
}

func (a *Adversary) twinOf(id pbft.NodeID) *twin {
	for _, t := range a.twins {
		if t.id == id {
			return t
		}
	}
	return nil
}

// onTwinSide reports whether peer is on the twin's side of twinned replica id's partition in
// the view of m (the current view for messages without one). Faulty peers hear both copies.
func (a *Adversary) onTwinSide(id, peer pbft.NodeID, m pbft.Message) bool {
	t := a.twinOf(id)
	if t == nil || a.isBad[peer] {
		return false
	}
	v, ok := messageView(m)
	if !ok {
		v = a.curView()
	}
	side, ok := t.sides[v]
	if !ok {
		side = make([]bool, a.s.N+1)
		honest := a.honest()
		var chosen []pbft.NodeID
		for _, i := range a.rng.Perm(len(honest))[:a.rng.Intn(len(honest)+1)] {
			side[honest[i]] = true
			chosen = append(chosen, honest[i])
		}
		t.sides[v] = side
		sortIDs(chosen)
		a.logf("v%d: twin of %s talks to %v, the other copy to the rest", v, id, chosen)
	}
	return side[peer]
}

func (t *twin) receive(from pbft.NodeID, m pbft.Message) {
	t.inbox = append(t.inbox, twinMsg{from, m})
}

// step delivers the twin's inbox, ticks it and sends what it outputs to its side of the
// partition (and to the other faulty replicas), sealed with its keys.
func (t *twin) step(a *Adversary) {
	inbox := t.inbox
	t.inbox = nil
	for _, in := range inbox {
		t.r.Step(in.from, in.m)
		t.drain(a)
	}
	t.r.Tick()
	t.drain(a)
}

func (t *twin) drain(a *Adversary) {
	for {
		rd := t.r.TakeReady()
		if rd.Empty() {
			return
		}
		for _, env := range rd.Messages {
			t.send(a, env)
		}
		for _, job := range rd.CombineJobs {
			res := a.s.opts.Auth.Combine(job)
			t.inbox = append(t.inbox, twinMsg{t.id, &res})
		}
	}
}

func (t *twin) send(a *Adversary, env pbft.Envelope) {
	if nv, ok := env.Msg.(*pbft.NewView); ok {
		a.logNewView(t.id, nv)
	}
	for to := pbft.NodeID(1); int(to) <= a.s.N; to++ {
		switch {
		case env.To != pbft.Broadcast && env.To != to:
		case to == t.id:
			t.inbox = append(t.inbox, twinMsg{t.id, env.Msg})
		case a.isBad[to] || a.onTwinSide(t.id, to, env.Msg):
			a.inject(t.id, to, env.Msg)
		}
	}
}
