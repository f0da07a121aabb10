package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/admin"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// ChaosFaults injects faults through the replicas' admin endpoints (docs/operations.md)
// instead of killing processes: each round gives 1..min(MaxDown, f) replicas one fault each
// (a pause, a severed link, or one of the Byzantine attacks), keeps it for a random time up to
// Downtime, and clears it. The replicas are started with --allow-faults.
const ChaosFaults = "faults"

// faultAttacks are the Byzantine attacks a fault round draws from; "%s" is a random other
// replica (the attack's target).
var faultAttacks = []string{"sign", "crash", "time", "dark(%s)", "equivocation(%s)"}

// faultClient is the admin client of the fault rounds.
var faultClient = admin.Client{HTTP: &http.Client{Timeout: 5 * time.Second}}

// faultRound injects one fault into each of a random set of at most f replicas, waits, and
// clears them.
func (k *killer) faultRound(ctx context.Context) {
	n, f := k.c.cfg.N(), k.c.cfg.F
	size := 1 + k.rng.IntN(min(k.opts.MaxDown, f))
	r := ChaosRound{AtS: time.Since(k.from).Seconds()}
	down := time.Duration(k.rng.Int64N(int64(k.opts.Downtime) + 1))
	var hit []pbft.NodeID
	for _, p := range k.rng.Perm(n)[:size] {
		id := pbft.NodeID(p + 1)
		req := k.drawFault(id, down)
		if _, err := faultClient.Fault(ctx, k.c.cfg.AdminAddrOf(id), req); err != nil {
			k.failure = fmt.Errorf("injecting %s into %s: %w", describeFault(req), id, err)
			break
		}
		hit = append(hit, id)
		r.Faults = append(r.Faults, id.String()+" "+describeFault(req))
	}
	began := time.Now()
	sleepUntil(ctx, began.Add(down))
	k.clearFaults(hit)
	r.DownMS = ms(time.Since(began))
	k.rounds = append(k.rounds, r)
	fmt.Fprintf(k.stderr, "chaos round %d at %.1fs: %s for %.0f ms\n", len(k.rounds), r.AtS, strings.Join(r.Faults, ", "), r.DownMS)
}

// drawFault picks a pause (as long as the round), a sever from another replica, or an attack.
func (k *killer) drawFault(id pbft.NodeID, down time.Duration) controlapi.FaultRequest {
	other := pbft.NodeID(1 + (int(id)+k.rng.IntN(k.c.cfg.N()-1))%k.c.cfg.N())
	switch k.rng.IntN(3) {
	case 0:
		return controlapi.FaultRequest{Action: controlapi.FaultPause, Duration: max(down, time.Millisecond).Round(time.Millisecond).String()}
	case 1:
		return controlapi.FaultRequest{Action: controlapi.FaultSever, Peers: []string{other.String()}}
	}
	attack := faultAttacks[k.rng.IntN(len(faultAttacks))]
	if strings.Contains(attack, "%s") {
		attack = fmt.Sprintf(attack, other)
	}
	return controlapi.FaultRequest{Action: controlapi.FaultByzantine, Attacks: []string{attack}}
}

// clearFaults clears the replicas' faults, each until it confirms (a failure is the run's).
func (k *killer) clearFaults(ids []pbft.NodeID) {
	for _, id := range ids {
		// A fresh context: the faults must go even when the run was interrupted.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := faultClient.Fault(ctx, k.c.cfg.AdminAddrOf(id), controlapi.FaultRequest{Action: controlapi.FaultClear})
		cancel()
		if err != nil && k.failure == nil {
			k.failure = fmt.Errorf("clearing the faults of %s: %w", id, err)
		}
	}
}

func describeFault(req controlapi.FaultRequest) string {
	switch req.Action {
	case controlapi.FaultPause:
		return "pause " + req.Duration
	case controlapi.FaultSever:
		return "sever " + strings.Join(req.Peers, ",")
	}
	return req.Action + " " + strings.Join(req.Attacks, "; ")
}
