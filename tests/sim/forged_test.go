package sim

import (
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// A leader that slips a forged client request into its pre-prepares gets no votes from honest
// backups (they verify every request signature), so nothing it proposes executes; a view change
// replaces it and every genuine request executes once. The forged operation never runs.
func TestForgedRequestInPrePrepareRefusedByBackups(t *testing.T) {
	a, err := NewRealAuth(crypto.SchemeBLS12381, 2, 10, []byte("forged"))
	if err != nil {
		t.Fatal(err)
	}
	s := newSim(t, Options{Seed: 10, Clients: 10, Net: hostile, Configure: vcTimers, Auth: a})
	forgedTS := uint64(1 << 40)
	s.Outbound[1] = func(e pbft.Envelope) []pbft.Envelope {
		pp, ok := e.Msg.(*pbft.PrePrepare)
		if !ok || len(pp.Batch) == 0 {
			return []pbft.Envelope{e}
		}
		forged := pp.Batch[0]
		forged.Timestamp = forgedTS // not what the client signed
		c := *pp
		c.Batch = append([]pbft.Request{forged}, pp.Batch...)
		c.Digest = pbft.BatchDigest(c.Batch)
		return []pbft.Envelope{{To: e.To, Msg: &c}}
	}
	runTransfers(t, s, 3, except(7, 1), 400_000)
	for _, id := range except(7, 1) {
		r := s.Replica(id)
		if r.View() < 2 {
			t.Fatalf("n%d still in view %d: the forging leader was not replaced", id, r.View())
		}
	}
	if s.Rejected() == 0 {
		t.Fatal("no pre-prepare was refused")
	}
	for k := range s.inv.execOf {
		if k.t == forgedTS {
			t.Fatalf("n%d executed the forged request", k.replica)
		}
	}
}
