package node

import (
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// TestFaultsApply checks each fault action and its errors on the fault state alone.
func TestFaultsApply(t *testing.T) {
	now := time.Unix(1000, 0)
	off := newFaults(3, 7, 400, byzantine.Honest{}, false)
	if _, err := off.apply(controlapi.FaultRequest{Action: controlapi.FaultClear}, now); err != errFaultsOff {
		t.Errorf("a replica without --allow-faults accepted a fault: %v", err)
	}

	f := newFaults(3, 7, 400, byzantine.Dark{To: []pbft.NodeID{7}}, true)
	for _, tc := range []struct {
		req  controlapi.FaultRequest
		want string // error text, "" for success
	}{
		{controlapi.FaultRequest{Action: "pause", Duration: "abc"}, "want a duration"},
		{controlapi.FaultRequest{Action: "pause", Duration: "-1s"}, "want a duration"},
		{controlapi.FaultRequest{Action: "pause", Duration: "11m"}, "at most 10m"},
		{controlapi.FaultRequest{Action: "sever"}, "name the replicas"},
		{controlapi.FaultRequest{Action: "sever", Peers: []string{"n3"}}, "from itself"},
		{controlapi.FaultRequest{Action: "sever", Peers: []string{"n8"}}, "unknown replica"},
		{controlapi.FaultRequest{Action: "byzantine"}, "name 1 to"},
		{controlapi.FaultRequest{Action: "byzantine", Attacks: []string{"explode"}}, "unknown attack"},
		{controlapi.FaultRequest{Action: "reboot"}, "unknown fault action"},
		{controlapi.FaultRequest{Action: "pause", Duration: "5s"}, ""},
		{controlapi.FaultRequest{Action: "sever", Peers: []string{"n5", "2"}}, ""},
		{controlapi.FaultRequest{Action: "byzantine", Attacks: []string{"sign", "dark(n6)"}}, ""},
	} {
		_, err := f.apply(tc.req, now)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: error %v, want %q", tc.req, err, tc.want)
		}
	}
	if d := f.pausedFor(now.Add(time.Second)); d != 4*time.Second {
		t.Errorf("paused for %v more, want 4s", d)
	}
	if !f.severed(5) || !f.severed(2) || f.severed(4) || f.severed(3) {
		t.Errorf("severed set %v, want n2 and n5", f.severedNames())
	}
	if !f.acting().corrupt {
		t.Error("byzantine sign does not corrupt signatures")
	}
	st := f.state(now)
	if st.PausedUntil == nil || len(st.Severed) != 2 || strings.Join(st.Byzantine, ";") != "sign;dark(n6)" || st.Configured != "dark(n7)" {
		t.Errorf("state %+v", st)
	}

	if _, err := f.apply(controlapi.FaultRequest{Action: "heal"}, now); err != nil || f.severed(5) {
		t.Errorf("heal: %v, n5 still severed %v", err, f.severed(5))
	}
	if _, err := f.apply(controlapi.FaultRequest{Action: "sever", Peers: []string{"all"}}, now); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.severedNames(), ","); got != "n1,n2,n4,n5,n6,n7" {
		t.Errorf("sever all: %s", got)
	}
	if _, err := f.apply(controlapi.FaultRequest{Action: "clear"}, now); err != nil {
		t.Fatal(err)
	}
	if f.pausedFor(now) != 0 || f.severed(1) || f.acting().corrupt || byzantine.Name(f.acting().b) != "dark(n7)" {
		t.Errorf("after clear: paused %v, severed %v, acting %s", f.pausedFor(now), f.severedNames(), byzantine.Name(f.acting().b))
	}
}

// BenchmarkHotPathAdditions measures what the admin endpoint and the fault API add per
// message or request on the hot path: the acting behaviour's load, the sever check and one
// histogram observation.
func BenchmarkHotPathAdditions(b *testing.B) {
	f := newFaults(3, 7, 400, byzantine.Honest{}, true)
	p := newPromMetrics(&node{})
	b.Run("acting", func(b *testing.B) {
		for b.Loop() {
			if f.acting().corrupt {
				b.Fatal("corrupt")
			}
		}
	})
	b.Run("severed", func(b *testing.B) {
		for b.Loop() {
			if f.severed(5) {
				b.Fatal("severed")
			}
		}
	})
	b.Run("histogram", func(b *testing.B) {
		for b.Loop() {
			p.execute.Observe(0.012)
		}
	})
}
