package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
)

// TestEndToEndScenarioWithManyClients: a set whose transactions come from 1,100 different
// clients commits every one. Each client had its own connection to each replica, and a
// replica accepts about a thousand client connections per source address: the ones beyond
// failed at "no quorum" (a CLI probe); clients beyond the first few hundred now share
// multiplexed connections.
func TestEndToEndScenarioWithManyClients(t *testing.T) {
	const clients = 1100
	var b strings.Builder
	b.WriteString("Set Number,Transactions,Live,Byzantine,Attack\n")
	b.WriteString(`1,"(A, B, 1)","[n1, n2, n3, n4, n5, n6, n7]",[],[]` + "\n")
	for i := 1; i < clients; i++ {
		fmt.Fprintf(&b, ",\"(X%d, Y%d, 1)\",,,\n", i, i)
	}
	bin := pbftBinary(t)
	dir := t.TempDir()
	csv, report := filepath.Join(dir, "many.csv"), filepath.Join(dir, "report.json")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--test", csv, "--non-interactive", "--report", report, "--base-port", itoa(freePorts(t, 7)))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := runWithin(cmd, 180*time.Second); err != nil {
		t.Fatalf("pbft --test: %v\n%s", err, out.String())
	}
	var rep runner.Report
	raw, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(raw, &rep) != nil || len(rep.Sets) != 1 {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	committed := 0
	for _, tx := range rep.Sets[0].Transactions {
		if tx.Outcome == "committed" {
			committed++
		}
	}
	if committed != clients {
		t.Fatalf("%d of %d transactions committed\n%s", committed, clients, out.String())
	}
}
