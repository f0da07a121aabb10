package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/smallbank"
)

func TestFaultsParseDownAndAttacks(t *testing.T) {
	o := Options{Down: []string{"n7,S6"}, Byzantine: []string{"n1=time;dark(n6)", "3=[sign]"}}
	down, byz, err := o.faults(7)
	if err != nil {
		t.Fatal(err)
	}
	if len(down) != 2 || !down[7] || !down[6] {
		t.Errorf("down %v", down)
	}
	if strings.Join(byz["n1"], "|") != "time|dark(n6)" || strings.Join(byz["n3"], "|") != "sign" {
		t.Errorf("byzantine %v", byz)
	}
	for _, bad := range []Options{{Down: []string{"n8"}}, {Byzantine: []string{"n1"}}, {Byzantine: []string{"n1=fly"}}} {
		if _, _, err := bad.faults(7); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestRecorderCountsMeasuredWindowOnly(t *testing.T) {
	start := time.Now()
	r := newRecorder(start, time.Second, 2*time.Second)
	ok := smallbank.Result{OK: true, Value: 5}
	r.record(smallbank.OpDepositChecking, start, start.Add(500*time.Millisecond), outcomeOK, ok, false) // warm-up
	r.record(smallbank.OpDepositChecking, start.Add(time.Second), start.Add(1010*time.Millisecond), outcomeOK, ok, false)
	r.record(smallbank.OpSendPayment, start.Add(time.Second), start.Add(1020*time.Millisecond), outcomeFailed, smallbank.Result{Reason: "insufficient funds"}, false)
	r.record(smallbank.OpBalance, start.Add(time.Second), start.Add(1030*time.Millisecond), outcomeOK, smallbank.Result{OK: true, Value: 99}, true)
	okN, failed, errs := r.committed()
	if okN != 2 || failed != 1 || errs != 0 {
		t.Errorf("committed %d/%d/%d, want 2/1/0", okN, failed, errs)
	}
	if r.moneyIn != 10 {
		t.Errorf("money change %d, want 10 (reads and failures move nothing)", r.moneyIn)
	}
	if r.kinds[smallbank.OpBalance].ReadFallbacks != 1 {
		t.Error("read fallback not counted")
	}
	if p := r.percentileMS(50); p < 19 || p > 21 {
		t.Errorf("p50 %.2f ms, want 20", p)
	}
}

func TestTicksAreNice(t *testing.T) {
	got := ticks(axis{min: 0, max: 1000})
	if len(got) != 6 || got[1] != 200 {
		t.Errorf("linear ticks %v", got)
	}
	if got := ticks(axis{log: true, min: 1, max: 100}); len(got) != 7 || got[2] != 5 {
		t.Errorf("log ticks %v", got)
	}
	c := &chart{title: "t<1>", series: []series{{name: "s", color: "red", points: []xy{{x: 1, y: 2}, {x: 3, y: 4}}}}}
	svg := c.svg()
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "t&lt;1&gt;") || !strings.Contains(svg, "<polyline") {
		t.Errorf("svg:\n%s", svg)
	}
}
