package node

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

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
	p := newPool(1, 7)
	defer p.stop()
	gate := make(chan struct{})
	p.submitIn(3, func() { <-gate }) // occupies the only worker
	var order []string
	done := make(chan struct{})
	p.submitIn(3, func() { order = append(order, "normal") })
	p.submit(func() { order = append(order, "urgent") })
	p.submitIn(3, func() { close(done) })
	close(gate)
	<-done
	if !slices.Equal(order, []string{"urgent", "normal"}) {
		t.Errorf("order %v", order)
	}
}

// A replica that floods its link queued its frames ahead of every other replica's in one
// FIFO queue, so their votes and certificates waited for all of its checks. Lanes are taken
// in turn: another source's job runs within one turn of each lane ahead of it.
func TestPoolTakesLanesInTurn(t *testing.T) {
	p := newPool(1, 7)
	defer p.stop()
	gate := make(chan struct{})
	p.submit(func() { <-gate }) // occupies the only worker
	var order []int
	done := make(chan struct{})
	for range 100 {
		p.submitIn(3, func() { order = append(order, 3) })
	}
	p.submitIn(5, func() { order = append(order, 5) })
	p.submitIn(clientLane, func() { order = append(order, 0) })
	p.submitIn(99, func() { order = append(order, 0) }) // out of range: the client lane
	for range 5 {
		p.submitIn(3, func() {})
	}
	p.submitIn(3, func() { close(done) })
	close(gate)
	<-done
	if len(order) != 103 {
		t.Fatalf("%d jobs ran, want 103", len(order))
	}
	if !slices.Equal(order[:5], []int{3, 5, 0, 3, 0}) {
		t.Errorf("first jobs from lanes %v, want 3 5 0 3 0", order[:5])
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

// TestSignAttackSealsReplies checks that the node seals as its acting behaviour says: under
// the sign attack its replies fail the client's check (auth's TestSignAttackSeals covers the
// shares, frames and VIEW-CHANGEs of the corrupt sealer).
func TestSignAttackSealsReplies(t *testing.T) {
	k := testKeys(t)
	sec := k.Replicas[6]
	clientA, err := auth.NewClient(k.Public, "A", k.Clients["A"])
	if err != nil {
		t.Fatal(err)
	}
	for _, corrupt := range []bool{false, true} {
		var b byzantine.Behavior = byzantine.Honest{}
		if corrupt {
			b = byzantine.Sign{}
		}
		nd := &node{id: 7, auth: auth.New(k.Public, sec), faults: newFaults(7, 7, 1, b, false)}
		rep := pbft.Reply{View: 1, Replica: 7, Client: "A", Timestamp: 3, Result: []byte{1}}
		if _, err := nd.sealReply(&rep); err != nil {
			t.Fatal(err)
		}
		if err := clientA.VerifyReply(&rep); (err != nil) != corrupt {
			t.Errorf("corrupt=%v: reply check gave %v", corrupt, err)
		}
	}
}
