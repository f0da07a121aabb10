package node

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

func TestGroupOuts(t *testing.T) {
	a, b := &pbft.Prepare{Seq: 1}, &pbft.Prepare{Seq: 1} // equal values, distinct messages
	outs := []byzantine.Out{
		{To: 1, Msg: a}, {To: 2, Msg: a, DelayTicks: 3}, {To: 3, Msg: b}, {To: 4, Msg: a},
		{To: pbft.Broadcast, Msg: b, DelayTicks: 2}, {To: 5, Msg: nil},
	}
	got := groupOuts(outs, 4)
	describe := func(gs []group) string {
		s := ""
		for _, g := range gs {
			s += fmt.Sprintf("[%p:", g.msg)
			for _, o := range g.outs {
				s += fmt.Sprintf(" %d+%d", o.To, o.DelayTicks)
			}
			s += "]"
		}
		return s
	}
	want := []group{
		{msg: a, outs: []byzantine.Out{{To: 1, Msg: a}, {To: 2, Msg: a, DelayTicks: 3}}},
		{msg: b, outs: []byzantine.Out{{To: 3, Msg: b}}},
		{msg: a, outs: []byzantine.Out{{To: 4, Msg: a}}},
		{msg: b, outs: []byzantine.Out{{To: 1, Msg: b, DelayTicks: 2}, {To: 2, Msg: b, DelayTicks: 2},
			{To: 3, Msg: b, DelayTicks: 2}, {To: 4, Msg: b, DelayTicks: 2}}},
	}
	if describe(got) != describe(want) {
		t.Errorf("groups\n%s\nwant\n%s", describe(got), describe(want))
	}
}

func TestSequencerReleasesInIssueOrder(t *testing.T) {
	s := newSequencer()
	const n = 200
	tickets := make([]uint64, n)
	for i := range tickets {
		tickets[i] = s.issue()
	}
	var got []uint64
	var wg sync.WaitGroup
	for _, tk := range slices.Backward(tickets) { // finish in reverse, concurrently
		wg.Go(func() { s.finish(tk, func() { got = append(got, tk) }) })
	}
	wg.Wait()
	if len(got) != n || !slices.IsSorted(got) {
		t.Errorf("released %v", got)
	}
	s.finish(s.issue(), nil) // a failed job releases nothing, and does not stall the line
	s.finish(s.issue(), func() { got = append(got, 999) })
	if got[len(got)-1] != 999 {
		t.Errorf("line stalled after a nil action: %v", got[n:])
	}
}

func TestPoolRunsUrgentJobsFirst(t *testing.T) {
	p := newPool(1)
	defer p.stop()
	gate := make(chan struct{})
	p.submit(func() { <-gate }, false) // occupies the only worker
	var order []string
	done := make(chan struct{})
	p.submit(func() { order = append(order, "normal") }, false)
	p.submit(func() { order = append(order, "urgent") }, true)
	p.submit(func() { close(done) }, false)
	close(gate)
	<-done
	if !slices.Equal(order, []string{"urgent", "normal"}) {
		t.Errorf("order %v", order)
	}
}

func TestBudget(t *testing.T) {
	b := budget{limit: 2}
	var taken []bool
	for range 3 {
		taken = append(taken, b.take())
	}
	if !slices.Equal(taken, []bool{true, true, false}) {
		t.Fatalf("budget of 2 allowed %v", taken)
	}
	b.give()
	if !b.take() {
		t.Error("a unit given back cannot be taken again")
	}
}

func TestMetricsLatency(t *testing.T) {
	m := newMetrics()
	t0 := time.Unix(1000, 0)
	req := func(c string, ts uint64) *pbft.Request { return &pbft.Request{Client: pbft.ClientID(c), Timestamp: ts} }
	m.seen(req("A", 1), t0)
	m.seen(req("A", 1), t0.Add(5*time.Millisecond)) // a retransmission does not move the sighting
	m.seen(&pbft.Request{Client: "B", Timestamp: 9, ReadOnly: true}, t0)
	m.executed("A", 1, t0.Add(10*time.Millisecond))
	m.executed("A", 1, t0.Add(50*time.Millisecond)) // a duplicate reply is not measured again
	m.executed("B", 9, t0.Add(50*time.Millisecond)) // reads are not ordered
	m.seen(req("A", 2), t0.Add(20*time.Millisecond))
	m.executed("A", 2, t0.Add(50*time.Millisecond))
	m.executedSlot(t0.Add(50 * time.Millisecond))
	got := m.snapshot().summary()
	want := controlapi.Latency{Avg: 20, P50: 10, P90: 30, P99: 30, Max: 30}
	if got != want {
		t.Errorf("latency %+v, want %+v", got, want)
	}
	if tps := m.throughput(2); tps != 40 {
		t.Errorf("throughput %v, want 2 requests in 50ms = 40/s", tps)
	}
}

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	for p, want := range map[int]time.Duration{50: 50, 90: 90, 99: 99, 100: 100, 1: 1} {
		if got := percentile(s, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	if percentile([]time.Duration{7}, 50) != 7 || percentile(nil, 50) != 0 {
		t.Error("percentile of one sample or none")
	}
}

func TestMetricsReservoirIsBounded(t *testing.T) {
	m := newMetrics()
	for i := range maxSamples + 1000 {
		m.record(time.Duration(i))
	}
	if len(m.samples) != maxSamples || m.count != maxSamples+1000 || m.max != maxSamples+999 {
		t.Errorf("%d samples, count %d, max %d", len(m.samples), m.count, m.max)
	}
}

// TestSignAttackSeals checks the corrupted fill and frame: shares that are well-formed but do
// not verify, and frames that auth.Open rejects; the honest seal passes both checks.
func TestSignAttackSeals(t *testing.T) {
	k := testKeys(t)
	sec := k.Replicas[6]
	mk := func(corrupt bool) *node {
		var b byzantine.Behavior = byzantine.Honest{}
		if corrupt {
			b = byzantine.Sign{}
		}
		return &node{id: 7, secret: sec, auth: auth.New(k.Public, sec), faults: newFaults(7, 7, 1, b, false)}
	}
	verifier := auth.New(k.Public, k.Replicas[0])
	prep := &pbft.Prepare{View: 1, Seq: 4, Digest: pbft.Digest{1, 2, 3}}
	payload := pbft.SharePayload(pbft.SharePrepare, prep.View, prep.Seq, prep.Digest)
	for _, corrupt := range []bool{false, true} {
		nd := mk(corrupt)
		filled, err := nd.fill(prep)
		if err != nil {
			t.Fatal(err)
		}
		p := filled.(*pbft.Prepare)
		tauErr := k.Public.Tau.VerifyShare(payload, crypto.Share{Index: 7, Sig: p.Tau})
		sigmaErr := k.Public.Sigma.VerifyShare(payload, crypto.Share{Index: 7, Sig: p.Sigma})
		if (tauErr != nil) != corrupt || (sigmaErr != nil) != corrupt {
			t.Errorf("corrupt=%v: share checks τ=%v σ=%v", corrupt, tauErr, sigmaErr)
		}
		frame, err := nd.sealFrame(filled)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = verifier.Open(frame)
		if corrupt != errors.Is(err, auth.ErrBadFrame) || (!corrupt && err != nil) {
			t.Errorf("corrupt=%v: Open gave %v", corrupt, err)
		}
		rep := pbft.Reply{View: 1, Replica: 7, Client: "A", Timestamp: 3, Result: []byte{1}}
		if _, err := nd.sealReply(&rep); err != nil {
			t.Fatal(err)
		}
		clientA, err := auth.NewClient(k.Public, "A", k.Clients["A"])
		if err != nil {
			t.Fatal(err)
		}
		if err := clientA.VerifyReply(&rep); (err != nil) != corrupt {
			t.Errorf("corrupt=%v: reply check gave %v", corrupt, err)
		}
	}
	vc, err := mk(true).fill(&pbft.ViewChange{View: 2, Replica: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := verifier.Verify(vc); err == nil {
		t.Error("a corrupted VIEW-CHANGE signature verified")
	}
}
