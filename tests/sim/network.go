package sim

import "github.com/bftbank/pbft/pbft"

// drain takes replica id's Ready and turns it into scheduled deliveries.
func (s *Sim) drain(id pbft.NodeID) {
	r := s.replicas[id-1]
	for {
		rd := r.TakeReady()
		if rd.Empty() {
			return
		}
		s.inv.observe(id, &rd)
		if s.dur != nil {
			if s.dur.persist(id, &rd) { // crashed at this write: what binds it never leaves
				for _, env := range rd.Messages {
					if !pbft.NeedsDurability(env.Msg) {
						s.sendEnvelope(id, env)
					}
				}
				if !pbft.RepliesNeedDurability {
					s.sendReplies(id, &rd)
				}
				s.dur.crash(id)
				return
			}
		}
		if err := s.inv.checkVotes(id, &rd); err != nil && s.inv.err == nil {
			s.inv.err = err
		}
		for _, env := range rd.Messages {
			s.sendEnvelope(id, env)
		}
		for _, job := range rd.CombineJobs {
			res := s.opts.Auth.Combine(job)
			s.schedule(&event{at: s.now + 1, to: id, from: id, local: &res})
		}
		s.sendReplies(id, &rd)
	}
}

func (s *Sim) sendReplies(id pbft.NodeID, rd *pbft.Ready) {
	for i := range rd.Replies {
		rep := rd.Replies[i]
		if s.replyFrom(id, &rep) {
			s.sendReply(id, &rep)
		}
	}
}

func (s *Sim) sendEnvelope(from pbft.NodeID, env pbft.Envelope) {
	envs := []pbft.Envelope{env}
	if hook := s.Outbound[from]; hook != nil {
		envs = hook(env)
	}
	for _, e := range envs {
		s.sendByzantine(from, e)
	}
}

// deliverLocal hands replica id its own message after `delay` ticks: a local input, as the node
// delivers it, neither authenticated nor exposed to the network's faults.
func (s *Sim) deliverLocal(id pbft.NodeID, m pbft.Message, delay uint64) {
	if !s.silent[id] {
		s.schedule(&event{at: s.now + delay, to: id, from: id, local: m})
	}
}

// transmit applies the network's faults to one message that its sender holds back for
// `delay` ticks (a Byzantine behaviour's delay; 0 for honest replicas).
func (s *Sim) transmit(from, to pbft.NodeID, sealed any, delay uint64) {
	if from == to {
		if !s.silent[to] {
			s.schedule(&event{at: s.now + delay, to: to, from: from, sealed: sealed})
		}
		return
	}
	if s.silent[from] || s.silent[to] || s.cut[[2]pbft.NodeID{from, to}] {
		return
	}
	for _, at := range s.faultyDelivery() {
		s.schedule(&event{at: at + delay, to: to, from: from, sealed: sealed})
	}
}

// faultyDelivery returns the ticks at which a message arrives: none if dropped, two if
// duplicated.
func (s *Sim) faultyDelivery() []uint64 {
	f := s.opts.Net
	if f.Drop > 0 && s.rng.Float64() < f.Drop {
		return nil
	}
	at := []uint64{s.now + s.delay()}
	if f.Dup > 0 && s.rng.Float64() < f.Dup {
		at = append(at, s.now+s.delay())
	}
	return at
}

func (s *Sim) delay() uint64 {
	f := s.opts.Net
	d := f.MinDelay
	if f.MaxDelay > f.MinDelay {
		d += uint64(s.rng.Int63n(int64(f.MaxDelay - f.MinDelay + 1)))
	}
	return max(d, 1)
}

func (s *Sim) sendReply(from pbft.NodeID, rep *pbft.Reply) {
	c := s.clientByID(rep.Client)
	if c == nil || s.silent[from] {
		return
	}
	for _, at := range s.faultyDelivery() {
		s.schedule(&event{at: at, from: from, reply: rep, client: c.idx, toClient: true})
	}
}

// sendRequest carries a client request to replica `to`.
func (s *Sim) sendRequest(c *simClient, to pbft.NodeID, req *pbft.Request) {
	if s.silent[to] {
		return
	}
	for _, at := range s.faultyDelivery() {
		s.schedule(&event{at: at, to: to, req: req, client: c.idx})
	}
}

// deliver hands one event to its replica or client.
func (s *Sim) deliver(e *event) {
	switch {
	case e.toClient:
		s.clients[e.client].onReply(e.from, e.reply)
		return
	case s.silent[e.to] || s.Down(e.to):
		return
	}
	r := s.replicas[e.to-1]
	switch {
	case e.local != nil:
		r.Step(e.to, e.local)
	case e.req != nil:
		if s.Ignore != nil && s.Ignore(e.to, e.req) {
			return
		}
		if s.opts.Auth.VerifyRequest(e.req) != nil {
			s.inv.rejected++
			s.badSignatures[e.to]++
			return
		}
		r.Propose(*e.req)
	default:
		m, err := s.opts.Auth.Open(e.from, e.sealed)
		if err != nil {
			s.inv.rejected++
			s.badSignatures[e.to]++
			return
		}
		r.Step(e.from, m)
	}
	s.drain(e.to)
}
