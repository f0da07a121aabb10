package sim

import (
	"github.com/bftbank/pbft/pbft"
)

// viewPlan is what the adversary does in the view change into view v and in view v itself.
// It is drawn when first needed, from the adversary's PRNG.
type viewPlan struct {
	v      pbft.View
	leader pbft.NodeID
	// A faulty leader's pre-prepares and NEW-VIEW reach this many honest replicas (all of
	// them, or a subset drawn per message); certMode (by CertKind) says who sees certificates.
	ppSize, nvSize int
	certMode       [4]int
	// A faulty leader falls silent (stalls) once it has formed stallAfter commit certificates
	// (0: never), or right after its NEW-VIEW.
	stallAfter   int
	formed       int
	stallAfterNV bool
	// vcMode is what the faulty replicas do with their VIEW-CHANGE(v): send it, strip every
	// certificate and vote from it (amnesia), or withhold it.
	vcMode int
	// hold are honest replicas whose VIEW-CHANGE(v) the new leader gets late (drawn at the
	// first VIEW-CHANGE(v), biased toward the replicas that know most).
	hold        []pbft.NodeID
	holdDecided bool
	// silence holds everything an honest leader sends in view v: a forced view change.
	silence bool
}

const (
	vcHonest = iota
	vcAmnesia
	vcWithhold
)

// plan returns the plan of view v, drawing it on first use.
func (a *Adversary) plan(v pbft.View) *viewPlan {
	if p := a.plans[v]; p != nil {
		return p
	}
	p := &viewPlan{v: v, leader: a.leaderOf(v)}
	a.plans[v] = p
	honest := len(a.honest())
	if !a.isBad[p.leader] {
		p.silence = v > 1 && a.rng.Intn(4) == 0
		if p.silence {
			a.logf("v%d: silence honest leader %s", v, p.leader)
		}
	} else {
		a.drawFaultyLeader(p, honest)
	}
	p.vcMode = pick(a.rng, []int{35, 50, 15})
	return p
}

// drawFaultyLeader draws how a faulty leader shares its view: pre-prepares to all honest
// replicas or to just enough for a certificate; each certificate to all, to a random subset,
// or split (a prepare certificate to every replica lacking the batch and f that have it, a
// commit certificate to a minority of those that can execute it); and when it stalls.
func (a *Adversary) drawFaultyLeader(p *viewPlan, honest int) {
	q := 2*a.s.opts.F + 1
	p.ppSize = honest
	switch pick(a.rng, []int{35, 50, 15}) {
	case 1:
		p.ppSize = min(honest, max(1, q-len(a.faulty)))
	case 2:
		p.ppSize = min(honest, max(1, q-len(a.faulty))+1)
	}
	p.certMode[pbft.PrepareCert] = pick(a.rng, []int{35, 20, 45})
	p.certMode[pbft.CommitCert] = pick(a.rng, []int{35, 25, 40})
	p.certMode[pbft.FullCommitProof] = pick(a.rng, []int{35, 25, 40})
	p.nvSize = honest
	if a.rng.Intn(5) >= 2 {
		p.nvSize = 1 + a.rng.Intn(honest-1)
	}
	if a.rng.Intn(5) >= 1 {
		p.stallAfter = 1 + a.rng.Intn(3)
	}
	p.stallAfterNV = p.v > 1 && a.rng.Intn(2) == 0
	a.logf("v%d: faulty leader %s: pre-prepares to %d, certs %s/%s/%s, NEW-VIEW to %d, stall after %d certs / NEW-VIEW %v",
		p.v, p.leader, p.ppSize, certModes[p.certMode[1]], certModes[p.certMode[2]], certModes[p.certMode[3]],
		p.nvSize, p.stallAfter, p.stallAfterNV)
}

// How a faulty collector shows a certificate (viewPlan.certMode).
const (
	certAll = iota
	certRandom
	certSplit
)

var certModes = [...]string{"all", "random", "split"}

// certRecipients draws the honest replicas that see a faulty collector's certificate c.
func (a *Adversary) certRecipients(p *viewPlan, c *pbft.Cert) []pbft.NodeID {
	honest := a.honest()
	shuffled := a.shuffled(honest)
	f := a.s.opts.F
	switch p.certMode[c.Type] {
	case certAll:
		return honest
	case certRandom:
		if c.Type == pbft.PrepareCert {
			return shuffled[:1+a.rng.Intn(len(honest))]
		}
		return shuffled[:1+a.rng.Intn(f)]
	}
	holders := a.recipients(subsetKey{"PRE-PREPARE", c.View, c.Seq})
	if c.Type == pbft.PrepareCert { // every replica lacking the batch, and f holding it
		var out []pbft.NodeID
		k := 0
		for _, id := range shuffled {
			if !holders[id] {
				out = append(out, id)
			} else if k < f {
				out = append(out, id)
				k++
			}
		}
		return out
	}
	prepared := a.recipients(subsetKey{pbft.PrepareCert.String(), c.View, c.Seq})
	var able []pbft.NodeID // can execute: holds the batch (and, on the slow path, the certificate)
	for _, id := range shuffled {
		if holders[id] && (c.Type == pbft.FullCommitProof || prepared[id]) {
			able = append(able, id)
		}
	}
	if len(able) == 0 {
		able = shuffled
	}
	return able[:min(len(able), 1+a.rng.Intn(f))]
}

// recipients is the set of honest replicas that a faulty message went to (everyone if the
// adversary did not choose).
func (a *Adversary) recipients(key subsetKey) []bool {
	if set, ok := a.subsets[key]; ok && set != nil {
		return set
	}
	set := make([]bool, a.s.N+1)
	for _, id := range a.honest() {
		set[id] = true
	}
	return set
}

func (a *Adversary) shuffled(ids []pbft.NodeID) []pbft.NodeID {
	out := append([]pbft.NodeID(nil), ids...)
	a.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// pick draws an index with the given weights.
func pick(rng interface{ Intn(int) int }, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := rng.Intn(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

// hears reports whether honest replica `to` is among the `size` honest recipients of the
// faulty message named by key (drawn once per key).
func (a *Adversary) hears(key subsetKey, size int, to pbft.NodeID) bool {
	if _, ok := a.subsets[key]; !ok {
		a.choose(key, a.shuffled(a.honest())[:min(size, len(a.honest()))])
	}
	return a.subsets[key][to]
}

// choose fixes the honest recipients of the faulty message named by key.
func (a *Adversary) choose(key subsetKey, chosen []pbft.NodeID) {
	set := make([]bool, a.s.N+1)
	for _, id := range chosen {
		set[id] = true
	}
	a.subsets[key] = set
	if len(chosen) < len(a.honest()) {
		chosen = append([]pbft.NodeID(nil), chosen...)
		sortIDs(chosen)
		a.logf("v%d s%d %s only to %v", key.view, key.seq, key.kind, chosen)
	}
}
