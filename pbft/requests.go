package pbft

// onRequest handles a client request, directly from the client or forwarded by a backup.
func (r *Replica) onRequest(req Request, fromClient bool) {
	if len(req.Op) > MaxOpBytes {
		r.stats.RejectedMessages++
		return
	}
	if req.ReadOnly {
		if fromClient {
			r.answerRead(req)
		}
		return
	}
	if req.Timestamp == 0 {
		r.stats.RejectedMessages++
		return
	}
	if e := r.clients.get(req.Client); e != nil && req.Timestamp <= e.T {
		if req.Timestamp == e.T && fromClient {
			r.reply(req.Client, req.Timestamp, e.Op, e.Result, e.Seq, false)
		}
		return
	}
	w := r.waiting.add(req, r.now)
	if r.viewActive && r.isLeader() {
		if r.pending.push(req) {
			r.tryPropose()
		}
		return
	}
	if fromClient && r.viewActive && w.forwarded != r.view {
		w.forwarded = r.view
		r.send(r.Leader(), &ForwardRequest{Req: req})
	}
}

// answerRead answers a read-only request from the executed state (docs/protocol.md, "Clients").
func (r *Replica) answerRead(req Request) {
	r.reply(req.Client, req.Timestamp, OpDigest(req.Op), r.cfg.App.Query(req.Op), 0, true)
}

// reply answers a client. The view it names is the last view this replica saw established
// (its NEW-VIEW accepted), not one it is trying to change to: clients move to the view that
// f+1 replies name, and replicas stuck in a failed view change must not lead them to a
// leader that never started. op names the operation answered (Reply.Op).
func (r *Replica) reply(c ClientID, t uint64, op Digest, result []byte, s Seq, readOnly bool) {
	r.out.Replies = append(r.out.Replies, Reply{
		View: r.vc.activeView, Replica: r.cfg.ID, Client: c, Timestamp: t,
		ReadOnly: readOnly, Result: result, Seq: s, Op: op,
	})
}

// forwardWaiting sends the requests this backup waits on to the leader of a new view, so that
// they do not wait for the clients' retransmissions.
func (r *Replica) forwardWaiting() {
	for _, w := range r.waiting.sorted() {
		if r.isLeader() {
			r.pending.push(w.req)
			continue
		}
		if w.forwarded != r.view {
			w.forwarded = r.view
			r.send(r.Leader(), &ForwardRequest{Req: w.req})
		}
	}
}
