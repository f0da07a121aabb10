package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/scenario"
)

// fastTiming keeps fake runs short: an operation without a quorum gives up after 200 ms.
var fastTiming = Timing{Ready: 5 * time.Second, Txn: 200 * time.Millisecond, Converge: time.Second,
	Lagging: 20 * time.Millisecond, Call: time.Second, Stop: time.Second, Poll: 5 * time.Millisecond}

const twoSets = `Set Number,Transactions,Live,Byzantine,Attack
1,"(A, B, 1)","[n1, n2, n3, n4, n5, n6]",[n6],[crash]
,"(B, C, 11)",,,
,(C),,,
,(DepositChecking(K,5)),(Balance(K)),,,
2,"(A, B, 3)","[n1, n2, n3, n4]",[],[]
,(B),,,
`

// runFake runs a scenario on a fake cluster and returns the report and what was printed.
func runFake(t *testing.T, csv string, fc *fakeCluster, in string, interactive bool) (Report, string, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opts := Options{Path: path, ReportPath: filepath.Join(dir, "r.json"), Out: &out, Launcher: fc, Clients: fc,
		Timing: fastTiming, NonInteractive: !interactive, In: strings.NewReader(in)}
	err := Run(context.Background(), opts)
	var rep Report
	if b, rerr := os.ReadFile(opts.ReportPath); rerr == nil {
		if jerr := json.Unmarshal(b, &rep); jerr != nil {
			t.Fatalf("report is not JSON: %v", jerr)
		}
	}
	return rep, out.String(), err
}

func TestRunReportsEverySet(t *testing.T) {
	fc := newFakeCluster()
	rep, out, err := runFake(t, twoSets, fc, "", false)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if len(rep.Sets) != 2 {
		t.Fatalf("%d sets in the report, want 2", len(rep.Sets))
	}
	s1 := rep.Sets[0]
	wantTxns := []struct {
		text, outcome, result string
		seq                   uint64 // 0 for a read, 1 for an ordered operation (any slot)
		value                 int64
	}{
		{"(A, B, 1)", "committed", "ok", 1, -1},
		{"(B, C, 11)", "committed", "ok", 1, -1},
		{"(C)", "committed", "ok", 0, 21},
		{"DepositChecking(K,5)", "committed", "ok", 1, -1},
		{"Balance(K)", "committed", "ok", 0, 15},
	}
	if len(s1.Transactions) != len(wantTxns) {
		t.Fatalf("set 1 has %d operations, want %d", len(s1.Transactions), len(wantTxns))
	}
	for i, w := range wantTxns {
		got := s1.Transactions[i]
		if got.Text != w.text || got.Outcome != w.outcome || got.Result != w.result || (got.Seq > 0) != (w.seq > 0) {
			t.Errorf("operation %d: %+v, want %+v", i, got, w)
		}
		if (w.value >= 0) != (got.Value != nil) || got.Value != nil && *got.Value != w.value {
			t.Errorf("operation %d value %v, want %d", i, got.Value, w.value)
		}
	}
	if s1.Balances["n1"]["A"] != 9 || s1.Balances["n1"]["C"] != 21 || s1.Balances["n1"]["K"] != 15 {
		t.Errorf("n1 balances %v, want A=9 C=21 K=15", s1.Balances["n1"])
	}
	if s1.Balances["n7"]["A"] != 10 || s1.Balances["n7"]["K"] != 10 || len(s1.Balances) != scenarioN {
		t.Errorf("down n7 balances %v (of %d replicas), want initial balances for all 7", s1.Balances["n7"], len(s1.Balances))
	}
	if !equalMaps(s1.Expected, s1.Balances["n1"]) || s1.Status["2"]["n1"] != "E" || s1.Status["2"]["n7"] != "X" {
		t.Errorf("expected %v, status %v", s1.Expected, s1.Status)
	}
	if s1.Byzantine[0] != "n6" || s1.Attacks[0] != "crash" || !s1.Converged {
		t.Errorf("set 1 header %+v", s1)
	}
	s2 := rep.Sets[1]
	for _, tx := range s2.Transactions {
		if tx.Outcome != "not-committed" || tx.Value != nil {
			t.Errorf("set 2 (4 live replicas) operation %+v, want not-committed", tx)
		}
		// docs/scenarios.md, "The report": every row has a result; a not-committed one says why.
		if tx.Result != "no quorum before the deadline" || tx.Error != tx.Result {
			t.Errorf("set 2 operation %+v: result %q, want the reason it did not commit", tx, tx.Result)
		}
	}
	if s2.Balances["n1"]["A"] != 10 || s2.Expected["A"] != 7 || s2.ExpectedCommitted["A"] != 10 {
		t.Errorf("set 2: n1 %v, expected %v, expected committed %v", s2.Balances["n1"], s2.Expected, s2.ExpectedCommitted)
	}
	for _, want := range []string{"=== set 1", "reads: C=21 K=15", "not-committed", "set 2: 0 of 2 committed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(fc.running) != 0 {
		t.Errorf("replicas %v still running after the run", fc.running)
	}
}

func TestRunIssuesIndependentTransactionsInParallel(t *testing.T) {
	// (A, B, 5) may only start once (C, D, 1), independent of it, has started: a sequential
	// runner would never start (C, D, 1) and (A, B, 5) would miss its deadline. (B, E, 15)
	// must wait for (A, B, 5), or B lacks the funds.
	const csv = `1,"(A, B, 5)","[n1, n2, n3, n4, n5, n6, n7]",[],[]
,"(C, D, 1)",,,
,"(B, E, 15)",,,
`
	fc := newFakeCluster()
	started := make(chan struct{})
	fc.onIssue = func(op string) {
		switch op {
		case "SendPayment(C, D, 1)":
			close(started)
		case "SendPayment(A, B, 5)":
			<-started
		}
	}
	rep, out, err := runFake(t, csv, fc, "", false)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, tx := range rep.Sets[0].Transactions {
		if tx.Outcome != "committed" || tx.Result != "ok" {
			t.Errorf("%+v, want committed and ok", tx)
		}
	}
	if rep.Sets[0].Balances["n1"]["E"] != 25 {
		t.Errorf("E=%d, want 25 (file order)", rep.Sets[0].Balances["n1"]["E"])
	}
}

func TestInteractiveCommands(t *testing.T) {
	fc := newFakeCluster()
	fc.newViews = []controlapi.NewView{{View: 2, ViewChanges: []controlapi.ViewChange{{Replica: 3,
		Prepared: []controlapi.Prepared{{Seq: 1, View: 1, Type: "PREPARE-CERT", Digest: "ab12cd34"}}}},
		PrePrepares: []controlapi.PrePrepare{{Seq: 1, Digest: "ab12cd34", Requests: 1}, {Seq: 2, Noop: true}}}}
	in := "1.n1\n2.1\n3.n7\n3.S1\n4\n5.1\n5.n7\nbogus\n1.n9\nhelp\n\n"
	rep, out, err := runFake(t, twoSets, fc, in, true)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"set 1> ",
		"n1 v=1 s=1 recv PRE-PREPARE from n1",
		"seq 1: n1=E n2=E n3=E n4=E n5=E n6=E n7=X",
		"n7: A=10 B=10 C=10 D=10 E=10 F=10 G=10 H=10 I=10 J=10 K=10 (down)",
		"n1: A=9 B=0 C=21 D=10 E=10 F=10 G=10 H=10 I=10 J=10 K=15",
		"NEW-VIEW v=2 from n2",
		"V: VIEW-CHANGE from n3, stable checkpoint 0, prepared [s=1 v=1 PREPARE-CERT d=ab12cd34]",
		"O: s=1 d=ab12cd34 (1 requests); s=2 no-op",
		"n1: throughput 42.0 tx/s",
		"n7: down in this set",
		`unknown command "bogus"`,
		`unknown replica "n9"`,
		"2.<seq>",
		"set 2> ", // EOF at the second prompt: the run goes on to its end
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(rep.Sets) != 2 {
		t.Errorf("%d sets ran, want 2", len(rep.Sets))
	}
}

func TestQuitEndsTheRun(t *testing.T) {
	fc := newFakeCluster()
	rep, out, err := runFake(t, twoSets, fc, "q\n", true)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if len(rep.Sets) != 1 || strings.Contains(out, "=== set 2") {
		t.Fatalf("%d sets ran after q, want 1:\n%s", len(rep.Sets), out)
	}
	if len(fc.running) != 0 {
		t.Errorf("replicas %v still running after q", fc.running)
	}
}

func TestLaunchFailureStopsTheOthers(t *testing.T) {
	fc := newFakeCluster()
	fc.failAt = 3
	_, _, err := runFake(t, twoSets, fc, "", false)
	if err == nil || !strings.Contains(err.Error(), "set 1 (line 2)") || !strings.Contains(err.Error(), "n3") {
		t.Fatalf("err %v, want the set and n3 named", err)
	}
	if len(fc.running) != 0 {
		t.Errorf("replicas %v still running after the failed start", fc.running)
	}
}

func TestBadScenarioFileNamesLine(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"1,\"(A, B, 1)\",\"[n1, n9]\",[],[]\n", "s.csv:1: "},
		{"1,\"(A, B, 1)\",[n1],[],[]\n,\"Frobnicate(A)\",,,\n", "s.csv:2: "},
		{"1,\"(A, B, 1)\",[n1],[],[bogus]\n", "s.csv:1: "},
	} {
		_, _, err := runFake(t, tc.csv, newFakeCluster(), "", false)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err %v, want one line containing %q", tc.csv, err, tc.want)
		}
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		line string
		want command
		bad  bool
	}{
		{"", command{kind: cmdContinue}, false},
		{"1.n3", command{kind: cmdLog, node: 3}, false},
		{"1.S3", command{kind: cmdLog, node: 3}, false},
		{"1.3", command{kind: cmdLog, node: 3}, false},
		{" 1 n3 ", command{kind: cmdLog, node: 3}, false},
		{"2.17", command{kind: cmdStatus, seq: 17}, false},
		{"3.n7", command{kind: cmdBalances, node: 7}, false},
		{"3", command{kind: cmdBalances}, false},
		{"4", command{kind: cmdNewViews}, false},
		{"5.n2", command{kind: cmdMetrics, node: 2}, false},
		{"HELP", command{kind: cmdHelp}, false},
		{"q", command{kind: cmdQuit}, false},
		{"1", command{}, true},
		{"1.n8", command{}, true},
		{"2.0", command{}, true},
		{"2.n1", command{}, true},
		{"6.n1", command{}, true},
		{"4.n1", command{}, true},
		{"1.n3 s=17", command{kind: cmdLog, node: 3, log: logFilter{seq: 17}}, false},
		{"1.3 prepare-cert last 5", command{kind: cmdLog, node: 3, log: logFilter{typ: "PREPARE-CERT", limit: 5}}, false},
		{"1.n3 all", command{kind: cmdLog, node: 3, log: logFilter{limit: -1}}, false},
		{"1.n3 last 0", command{}, true},
		{"1.n3 s=0", command{}, true},
		{"1.n3 v=2", command{}, true},
		{"3.n1 extra", command{}, true},
	} {
		got, err := parseCommand(tc.line)
		if (err != nil) != tc.bad || !tc.bad && got != tc.want {
			t.Errorf("parseCommand(%q) = %+v, %v; want %+v (error: %v)", tc.line, got, err, tc.want, tc.bad)
		}
	}
}

func TestQuorumView(t *testing.T) {
	for _, tc := range []struct {
		views []uint64
		want  uint64
	}{
		{nil, 0},
		{[]uint64{1, 1, 1, 1, 1, 1, 1}, 1},
		{[]uint64{3, 3, 3, 3, 3, 99, 99}, 3}, // two replicas cannot claim a view alone
		{[]uint64{2, 3, 3}, 2},
		{[]uint64{5}, 5},
	} {
		if got := quorumView(tc.views); got != tc.want {
			t.Errorf("quorumView(%v) = %d, want %d", tc.views, got, tc.want)
		}
	}
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestWarningsArePrintedAndReported(t *testing.T) {
	const csv = "1,\"(A, B, 1); (B, C, 1)\",\"[n1, n2, n3, n4, n5]\",[n7]\n1,(C),[],[],[]\n"
	rep, out, err := runFake(t, csv, newFakeCluster(), "", false)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	want := []string{
		"s.csv:1: set 1: Byzantine n7 not in the live list: a replica that is down runs no attack",
		"s.csv:2: set 1: set number used before (line 1); both sets run, in file order",
		"s.csv:2: set 1: empty live list: every replica is down, so no transaction can commit",
	}
	if len(rep.Warnings) != len(want) {
		t.Fatalf("report warnings %q, want %q", rep.Warnings, want)
	}
	for i, w := range want {
		if !strings.HasSuffix(rep.Warnings[i], w) || !strings.Contains(out, "warning: ") {
			t.Errorf("warning %d: %q, want suffix %q; output:\n%s", i, rep.Warnings[i], w, out)
		}
	}
	// The semicolon cell ran as two operations, both committed in file order.
	txns := rep.Sets[0].Transactions
	if len(txns) != 2 || txns[0].Outcome != "committed" || txns[1].Outcome != "committed" ||
		rep.Sets[0].Balances["n1"]["C"] != 11 {
		t.Errorf("set 1: %+v, balances %v; want both transfers committed and C=11", txns, rep.Sets[0].Balances["n1"])
	}
}

func TestLogFiltersAndLimit(t *testing.T) {
	fc := newFakeCluster()
	for s := 1; s <= 60; s++ {
		fc.logLines = append(fc.logLines, fmt.Sprintf("n1 v=1 s=%d recv PRE-PREPARE(v=1, d=ab, 1 reqs) from n1", s),
			fmt.Sprintf("n1 v=1 s=%d recv PREPARE-CERT(v=1, d=ab) from n1", s))
	}
	fc.logLines = append(fc.logLines, "n1 v=1 send VIEW-CHANGE(v=2)")
	in := "1.n1\n1.n1 s=17\n1.n1 view-change\n1.n1 PREPARE-CERT last 2\n1.n1 all\n1.n1 s=x\n1.n1 last\n\n"
	_, out, err := runFake(t, "1,(A, B, 1),[n1, n2, n3, n4, n5],[],[]\n", fc, in, true)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"--- log of n1 (121 lines; the last 40 shown: `1.n1 all` shows all",
		"--- log of n1 (121 lines, 2 match s=17) ---\nn1 v=1 s=17 recv PRE-PREPARE(v=1, d=ab, 1 reqs) from n1\nn1 v=1 s=17 recv PREPARE-CERT(v=1, d=ab) from n1\nset 1> ",
		"--- log of n1 (121 lines, 1 match VIEW-CHANGE) ---\nn1 v=1 send VIEW-CHANGE(v=2)\nset 1> ",
		"--- log of n1 (121 lines, 60 match PREPARE-CERT; the last 2 shown",
		"n1 v=1 s=60 recv PREPARE-CERT(v=1, d=ab) from n1\nset 1> ",
		"--- log of n1 (121 lines) ---\nn1 v=1 s=1 recv PRE-PREPARE",
		`bad sequence number "s=x"`,
		"last needs a number of lines",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The default page holds the last 40 lines: s=41's PREPARE-CERT is the first shown.
	page := out[strings.Index(out, "the last 40 shown"):]
	page = page[:strings.Index(page, "set 1> ")]
	if strings.Count(page, "\n") != 41 || !strings.Contains(page, "s=41 recv PREPARE-CERT") || strings.Contains(page, "s=40 ") {
		t.Errorf("default page:\n%s", page)
	}
}

func TestStatusPastTheLastExecutedSlot(t *testing.T) {
	in := "2.2\n2.99\n\n"
	_, out, err := runFake(t, "1,(A, B, 1),[n1, n2, n3, n4, n5],[],[]\n,(B, C, 1),,,\n", newFakeCluster(), in, true)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "seq 2: n1=E") || strings.Contains(out, "seq 2 is past") {
		t.Errorf("2.2 (executed):\n%s", out)
	}
	if !strings.Contains(out, "seq 99: n1=X") || !strings.Contains(out, "seq 99 is past the last executed slot of set 1 (2)") {
		t.Errorf("2.99 does not say it is past the last executed slot:\n%s", out)
	}
}

func TestViewCountsAgreeAndALoneReplicaIsExplained(t *testing.T) {
	// Set 9 of the official file: view 2's leader sends no NEW-VIEW, the set ends in view 3
	// with one NEW-VIEW; n7 alone asked for view 4.
	fc := newFakeCluster()
	fc.newViews = []controlapi.NewView{{View: 3}}
	fc.views = map[int]fakeView{7: {view: 4, newViews: 1}}
	for id := 1; id <= 6; id++ {
		fc.views[id] = fakeView{view: 3, active: true, newViews: 1}
	}
	rep, out, err := runFake(t, "9,(A, B, 1),[n1, n2, n3, n4, n5, n6, n7],[n1, n2],[crash]\n", fc, "4\n5.n3\n5.n7\n\n", true)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	counts := "view 3, 2 view changes (NEW-VIEW for view 3; view 2 got none: its leader (n2) sent no NEW-VIEW in time, so the replicas moved on)"
	if strings.Count(out, counts) != 2 { // the summary and command 4
		t.Errorf("want %q in the summary and in command 4:\n%s", counts, out)
	}
	for _, want := range []string{
		"set 9> set 9: " + counts,
		"n3: throughput 42.0 tx/s (1 requests in 1 slots); latency avg 0.0 ms, p50 0.0, p90 0.0, p99 0.0, max 0.0 ms; view 3, 2 view changes (1 NEW-VIEW entered)",
		"view 4 (changing view: asked for it, no NEW-VIEW yet), 3 view changes (1 NEW-VIEW entered)",
		"n7 is in view 4 while the set is in view 3: its timer expired",
		"fewer than f+1 = 3 replicas asked with it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "n7 is in view 4"); n != 3 { // summary, command 4, command 5.n7
		t.Errorf("n7 explained %d times, want 3 (summary, 4, 5.n7)", n)
	}
	if s := rep.Sets[0]; s.View != 3 || s.ViewChanges != 2 || len(s.NewViews) != 1 {
		t.Errorf("report: view %d, %d view changes, %d NEW-VIEWs; want 3, 2, 1", s.View, s.ViewChanges, len(s.NewViews))
	}
}

func TestViewSummary(t *testing.T) {
	for _, tc := range []struct {
		view     uint64
		active   bool
		newViews []uint64
		want     string
	}{
		{1, true, nil, "view 1, 0 view changes"},
		{0, false, nil, "view 1, 0 view changes"},
		{2, true, []uint64{2}, "view 2, 1 view change (NEW-VIEW for view 2)"},
		{2, false, nil, "view 2, 1 view change (view 2 not entered yet: no NEW-VIEW for it, its leader n2 needs 2f+1 = 5 VIEW-CHANGEs)"},
		{4, true, []uint64{4}, "view 4, 3 view changes (NEW-VIEW for view 4; view 2, 3 got none: its leader (n2, n3) sent no NEW-VIEW in time, so the replicas moved on)"},
	} {
		if got := viewSummary(tc.view, tc.active, tc.newViews); got != tc.want {
			t.Errorf("viewSummary(%d, %v, %v) =\n%q, want\n%q", tc.view, tc.active, tc.newViews, got, tc.want)
		}
	}
}

func TestByzantineReplicaNeedNotConverge(t *testing.T) {
	// A Byzantine replica that signs badly or is dark to every replica cannot fetch what it
	// missed; the set converges when the honest live replicas agree. An honest replica that
	// lags still makes the set not converge.
	for _, tc := range []struct {
		name, csv string
		converged bool
		note      string
	}{
		{"byzantine", "1,(A, B, 1),[n1, n2, n3, n4, n5, n6, n7],[n1],[sign]\n", true,
			"n1 (Byzantine) is at slot 0 while the honest replicas agree at slot 1"},
		{"honest", "1,(A, B, 1),[n1, n2, n3, n4, n5, n6, n7],[n2],[sign]\n", false,
			"live replicas did NOT converge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fc := newFakeCluster()
			fc.behind = map[int]bool{1: true}
			rep, out, err := runFake(t, tc.csv, fc, "", false)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			if s := rep.Sets[0]; s.Converged != tc.converged || s.Balances["n2"]["B"] != 11 {
				t.Errorf("converged %v, n2 balances %v; want converged %v, B=11", s.Converged, s.Balances["n2"], tc.converged)
			}
			if !strings.Contains(out, tc.note) {
				t.Errorf("output lacks %q:\n%s", tc.note, out)
			}
		})
	}
}

func TestOperationDeadlineWithoutVoters(t *testing.T) {
	// An operation gives up after one client timer when fewer than 2f+1 live replicas can
	// vote: Byzantine replicas whose attacks invalidate (sign), withhold (crash) or send
	// nowhere (dark to every other live replica) their shares do not count.
	cfg := &cluster.Config{}
	cfg.Timers.Client = 500 * time.Millisecond
	full, short := 3200*time.Millisecond, time.Second
	for _, tc := range []struct {
		row  string
		want time.Duration
	}{
		{"1,(A),[n1, n2, n3, n4, n5, n6, n7],[],[]", full},
		{"1,(A),[n1, n2, n3, n4],[],[]", short},
		{"1,(A),[n1, n2, n3, n4, n5],[n3],[sign]", short},
		{"1,(A),[n1, n2, n3, n4, n5],[n3],[time]", full},
		{"1,(A),[n1, n2, n4, n5, n6, n7],[n1, n2],[crash]", short},
		{"1,(A),[n1, n2, n3, n4, n5, n6, n7],[n1, n2],[crash]", full},
		{"1,(A),[n1, n2, n3, n4, n5],[n1],[dark(n2, n3, n4, n5)]", short},
		{"1,(A),[n1, n2, n3, n4, n5],[n1],[dark(n2)]", full},
		{"1,(A),[n1, n2, n3, n4, n5],[n1],[time; dark(n1, n2, n3, n4, n5, n6, n7)]", short},
	} {
		f, err := scenario.ParseOptions{Replicas: scenarioN}.Parse(strings.NewReader(tc.row+"\n"), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		s := &setRun{set: &f.Sets[0], cfg: cfg, timing: Timing{Txn: full}}
		if got := s.opDeadline(); got != tc.want {
			t.Errorf("%s: deadline %v, want %v", tc.row, got, tc.want)
		}
	}
}
