package bench

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/term"
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

func TestTimelineEndsAtTheMeasuredWindow(t *testing.T) {
	// 2.5 s of run: ten buckets of 250 ms, then the drain's straggler buckets.
	buckets := []uint64{100, 100, 100, 100, 200, 200, 200, 200, 300, 300, 3, 1, 1}
	got := secondsOf(buckets, 2500*time.Millisecond)
	want := []TimelinePoint{{TimeS: 0.5, TPS: 400}, {TimeS: 1.5, TPS: 800}, {TimeS: 2.25, TPS: 1200}}
	if len(got) != len(want) {
		t.Fatalf("timeline %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("second %d: %+v, want %+v (the short last second is not a drop; the drain is left out)", i, got[i], want[i])
		}
	}
	steps, top := throughputSteps(got, 2.5)
	if last := steps[len(steps)-1]; last.X != 2.5 || last.Y != 1200 || top != 1200 {
		t.Errorf("steps %v (top %v): want the line to end at x=2.5 at 1200 tx/s", steps, top)
	}
}

// pointForCharts is a measured point of 2 s warm-up and 3 s measurement with every second
// busy, for the chart tests.
func pointForCharts(clients int, lat time.Duration) *point {
	start := time.Now().Add(-time.Hour)
	rec := newRecorder(start, 2*time.Second, 3*time.Second)
	ok := smallbank.Result{OK: true, Value: 1}
	for ms := 0; ms < 5200; ms += 10 {
		end := start.Add(time.Duration(ms) * time.Millisecond)
		rec.record(smallbank.OpDepositChecking, end.Add(-lat), end, outcomeOK, ok, false)
	}
	return &point{clients: clients, rec: rec, duration: 3 * time.Second}
}

func TestChartsAreWrittenAsPNGAndSVG(t *testing.T) {
	dir := t.TempDir()
	main := pointForCharts(8, 5*time.Millisecond)
	others := []comparePoint{{"relab/hotstuff (mean latency)", "4x200", 9000, 90}, {"relab/hotstuff (mean latency)", "4x50", 6000, 30}}
	names, err := writeCharts(dir, main, []*point{pointForCharts(1, 2*time.Millisecond), main}, others, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"throughput.png", "throughput.svg", "latency_cdf.png", "latency_cdf.svg", "sweep.png", "sweep.svg"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("charts %v, want %v", names, want)
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width < 600 || cfg.Height < 300 {
				t.Errorf("%s: %v, %dx%d", name, err, cfg.Width, cfg.Height)
			}
		} else if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("Throughput")) && name != "latency_cdf.svg" {
			t.Errorf("%s is not the SVG of its chart", name)
		}
	}
	pl, err := throughputPlot(main, 2)
	if err != nil {
		t.Fatal(err)
	}
	if pl.X.Max != 5 || pl.Y.Max < 100*headroom {
		t.Errorf("throughput x axis ends at %v (want 5 s, the end of the run), y max %v", pl.X.Max, pl.Y.Max)
	}
}

func TestProgressIsPlainOffATerminal(t *testing.T) {
	var out term.Capture
	rec := newRecorder(time.Now(), 0, time.Hour)
	rec.completed.Store(42)
	p := startProgressEvery(&out, "8 clients", rec, time.Hour, time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "42 done") && time.Now().Before(deadline) {
		<-time.After(5 * time.Millisecond) // poll the condition until the deadline
	}
	p.stop()
	text := out.String()
	if p.bar != nil || !strings.Contains(text, "8 clients measure") || !strings.Contains(text, "42 done") ||
		strings.ContainsAny(text, "\r\x1b") {
		t.Errorf("progress on a buffer (bar %v): %q; want plain lines with the count, no redraws", p.bar != nil, text)
	}
	t.Setenv("CI", "true")
	if animate(&bytes.Buffer{}) || animate(os.Stdout) {
		t.Error("animated off a terminal or under CI=true")
	}
}
