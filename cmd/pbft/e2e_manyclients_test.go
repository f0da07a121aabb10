package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
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
	rep, out := runScenarioText(t, b.String(), 1, 180*time.Second)
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
