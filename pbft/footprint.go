package pbft

// Footprint counts what other replicas have made this replica keep: every structure a peer
// can fill, so that tests and the adversarial simulator can check the bounds of
// docs/protocol.md ("Bounds") after every step.
type Footprint struct {
	Slots            int // slots with protocol state
	ViewChanges      int // VIEW-CHANGE messages kept
	CheckpointSlots  int // checkpoint slots with shares
	CheckpointShares int // checkpoint shares kept
	FutureMsgs       int // messages of views not entered yet
	FutureBytes      int // their batches' bytes
	NewViews         int // NEW-VIEWs in the history of command 4
	AheadClaims      int // far checkpoints claimed by peers

	// What clients can make a replica keep: at most one request per client (finding C1).
	Pending        int // requests queued at the leader for a slot
	PendingClients int // distinct clients among them
	Waiting        int // requests the backups' request timers follow, one per client
	WaitingOrder   int // entries of their order, superseded ones included
}

// Footprint returns the replica's current footprint.
func (r *Replica) Footprint() Footprint {
	fp := Footprint{Slots: len(r.slots), CheckpointSlots: len(r.checkpoints), FutureMsgs: len(r.future.msgs),
		NewViews: len(r.vc.newViews), AheadClaims: len(r.ahead),
		Pending: len(r.pending.reqs), PendingClients: len(r.pending.at),
		Waiting: len(r.waiting.reqs), WaitingOrder: len(r.waiting.order)}
	for _, set := range r.vc.msgs {
		fp.ViewChanges += len(set)
	}
	for _, c := range r.checkpoints {
		fp.CheckpointShares += len(c.shares)
	}
	for _, f := range r.future.msgs {
		fp.FutureBytes += f.bytes
	}
	return fp
}

// FootprintLimit is the most each count of Footprint may reach, whatever the peers send.
func (r *Replica) FootprintLimit() Footprint {
	n, window := r.cfg.N, int(r.cfg.Window)
	ckpts := 4*window/int(r.cfg.CheckpointInterval) + 1
	return Footprint{
		Slots:            2 * window, // the window, and slots fetched ahead of it by catch-up
		ViewChanges:      2 * n,
		CheckpointSlots:  ckpts,
		CheckpointShares: ckpts * n,
		FutureMsgs:       n * r.cfg.futurePerPeer(),
		FutureBytes:      n * maxOBytes,
		NewViews:         maxNewViews,
		AheadClaims:      n,
	}
}

// Within reports whether every count of fp is at most the same count of limit, and the
// clients' counts within their per-client bounds (Pending, WaitingOrder).
func (fp Footprint) Within(limit Footprint) bool {
	return fp.Slots <= limit.Slots && fp.ViewChanges <= limit.ViewChanges &&
		fp.CheckpointSlots <= limit.CheckpointSlots && fp.CheckpointShares <= limit.CheckpointShares &&
		fp.FutureMsgs <= limit.FutureMsgs && fp.FutureBytes <= limit.FutureBytes &&
		fp.NewViews <= limit.NewViews && fp.AheadClaims <= limit.AheadClaims &&
		fp.Pending <= fp.PendingClients && fp.WaitingOrder <= 2*fp.Waiting+waitSlack
}
