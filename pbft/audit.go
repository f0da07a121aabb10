package pbft

// Auditor re-executes a replica's committed slots from genesis, as the replica executed them
// (exactly-once client table included), and reports the state digest at every checkpoint slot,
// so that an auditor holding only the public keys can check a replica's ledger against its
// checkpoint certificates (`pbft ledger verify`, docs/protocol.md "Ledger"). It keeps one slot
// at a time: its memory does not grow with the ledger.
type Auditor struct {
	r *Replica
}

// NewAuditor returns an auditor at the genesis state held by cfg.App.
func NewAuditor(cfg Config) (*Auditor, error) {
	r, err := New(cfg)
	if err != nil {
		return nil, err
	}
	r.replaying = true
	return &Auditor{r: r}, nil
}

// Executed is the last slot executed.
func (a *Auditor) Executed() Seq { return a.r.executed }

// Execute runs the next slot, committed by c with batch. At a checkpoint slot (every K) it
// returns the state digest after the slot and true.
func (a *Auditor) Execute(c Cert, batch []Request) (Digest, bool, error) {
	r := a.r
	if err := r.executeCommitted(c, batch); err != nil {
		return Digest{}, false, err
	}
	r.out = Ready{}
	delete(r.slots, c.Seq)
	own, ok := r.ownCkpt[c.Seq]
	delete(r.ownCkpt, c.Seq)
	return own.state, ok, nil
}
