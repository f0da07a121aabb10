package byzantine

import (
	"fmt"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// fakeOuts is a FAKE Behavior that sends a fixed list of Outs whatever the envelope.
type fakeOuts struct {
	Honest
	outs []Out
}

func (f fakeOuts) Outbound(pbft.NodeID, int, pbft.Envelope) []Out { return f.outs }

func TestRouteGroupsConsecutiveCopiesAndExpandsBroadcast(t *testing.T) {
	a, b := &pbft.Prepare{Seq: 1}, &pbft.Prepare{Seq: 1} // equal values, distinct messages
	outs := []Out{
		{To: 1, Msg: a}, {To: 2, Msg: a, DelayTicks: 3}, {To: 3, Msg: b}, {To: 4, Msg: a},
		{To: pbft.Broadcast, Msg: b, DelayTicks: 2}, {To: 5, Msg: nil},
	}
	got := Route(fakeOuts{outs: outs}, 1, 4, pbft.Envelope{To: pbft.Broadcast, Msg: a})
	describe := func(gs []Group) string {
		s := ""
		for _, g := range gs {
			s += fmt.Sprintf("[%p:", g.Msg)
			for _, o := range g.Outs {
				s += fmt.Sprintf(" %d+%d", o.To, o.DelayTicks)
			}
			s += "]"
		}
		return s
	}
	want := []Group{
		{Msg: a, Outs: []Out{{To: 1, Msg: a}, {To: 2, Msg: a, DelayTicks: 3}}},
		{Msg: b, Outs: []Out{{To: 3, Msg: b}}},
		{Msg: a, Outs: []Out{{To: 4, Msg: a}}},
		{Msg: b, Outs: []Out{{To: 1, Msg: b, DelayTicks: 2}, {To: 2, Msg: b, DelayTicks: 2},
			{To: 3, Msg: b, DelayTicks: 2}, {To: 4, Msg: b, DelayTicks: 2}}},
	}
	if describe(got) != describe(want) {
		t.Errorf("groups\n%s\nwant\n%s", describe(got), describe(want))
	}
}
