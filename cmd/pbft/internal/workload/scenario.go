package workload

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ScenarioSpec describes a generated scenario file (pbft smallbank gen).
type ScenarioSpec struct {
	Sets     int // sets in the file
	Txns     int // transactions per set
	Accounts int // accounts used: A..Z, then 26, 27, ... (each starts with checking 10)
	Hotspot  int // hotspot accounts (0: uniform)
	HotProb  float64
	MaxAmt   int64 // amounts are drawn from [1, MaxAmt]
	Faults   bool  // cycle through the fault configurations of FaultSets, one per set
	Seed     uint64
}

// FaultSet is the replica configuration of one generated set.
type FaultSet struct {
	Live      string // e.g. "[n1, n2, n3, n4, n5, n6]"
	Byzantine string
	Attacks   string
}

// allLive is the live list of a set with every replica up.
const allLive = "[n1, n2, n3, n4, n5, n6, n7]"

// FaultSets are the configurations --faults cycles through: all honest, a replica down, then each
// attack (docs/design.md, "Byzantine module") on one Byzantine replica (the leader n1 for the
// leader attacks).
var FaultSets = []FaultSet{
	{Live: allLive, Byzantine: "[]", Attacks: "[]"},
	{Live: "[n1, n2, n3, n4, n5, n6]", Byzantine: "[]", Attacks: "[]"},
	{Live: allLive, Byzantine: "[n6]", Attacks: "[sign]"},
	{Live: allLive, Byzantine: "[n1]", Attacks: "[crash]"},
	{Live: allLive, Byzantine: "[n1]", Attacks: "[time]"},
	{Live: allLive, Byzantine: "[n1]", Attacks: "[equivocation(n6, n7)]"},
	{Live: allLive, Byzantine: "[n2]", Attacks: "[dark(n3)]"},
}

// ScenarioAccount names account i of a generated scenario: A..Z, then its decimal index.
func ScenarioAccount(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return strconv.Itoa(i)
}

// maxScenarioRows bounds a generated file (about 40 MB): each set runs on a fresh cluster, so a
// larger file is no use, and generating it must end within seconds (it does not watch for
// signals).
const maxScenarioRows = 1_000_000

func (s *ScenarioSpec) validate() error {
	switch {
	case s.Sets < 1 || s.Txns < 1:
		return fmt.Errorf("need at least one set and one transaction per set")
	case s.Sets > maxScenarioRows || s.Txns > maxScenarioRows || s.Sets*s.Txns > maxScenarioRows:
		return fmt.Errorf("%d sets of %d transactions: at most %d rows in all", s.Sets, s.Txns, maxScenarioRows)
	case s.Accounts < 2 || s.Accounts > 1_000_000:
		return fmt.Errorf("accounts %d: want 2..1000000", s.Accounts)
	case s.MaxAmt < 1:
		return fmt.Errorf("maximum amount %d: want at least 1", s.MaxAmt)
	}
	return nil
}

// WriteScenario writes a scenario CSV of SmallBank transactions in the standard mix
// (docs/design.md, "SmallBank benchmark"), one per row, that `pbft --test` runs.
func WriteScenario(w io.Writer, spec ScenarioSpec) error {
	if err := spec.validate(); err != nil {
		return err
	}
	gen, err := New(spec.Seed, Accounts{Count: spec.Accounts, Hotspot: spec.Hotspot, HotProb: spec.HotProb, Name: ScenarioAccount},
		Amounts{Min: 1, Max: spec.MaxAmt})
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "Set Number,Transactions,Live,Byzantine,Attack")
	for set := range spec.Sets {
		fs := FaultSets[0]
		if spec.Faults {
			fs = FaultSets[set%len(FaultSets)]
		}
		for i := range spec.Txns {
			txn := csvQuote(gen.Next().String())
			if i == 0 {
				fmt.Fprintf(bw, "%d,%s,%s,%s,%s\n", set+1, txn, csvQuote(fs.Live), csvQuote(fs.Byzantine), csvQuote(fs.Attacks))
			} else {
				fmt.Fprintf(bw, ",%s,,,\n", txn)
			}
		}
	}
	return bw.Flush()
}

// csvQuote quotes a cell that holds a comma.
func csvQuote(s string) string {
	if strings.ContainsAny(s, `,"`) {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
