package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestCallTimeoutEndsCallsWithoutQuorum(t *testing.T) {
	// Only n1 and n2 answer validly: fewer than f+1 = 3, and fewer than 2f+1 for a read.
	fc := newFakeCluster(t, honest, honest, badSig, badSig, silent, lying, silent)
	c := fc.newClient("A", Options{CallTimeout: 300 * time.Millisecond})
	if _, err := c.Submit(context.Background(), encode(t, "(A, B, 1)")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit: err %v, want deadline exceeded", err)
	}
	if _, err := c.Read(context.Background(), encode(t, "(A)")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read: err %v, want deadline exceeded", err)
	}
}

func TestCallTimeoutBoundsTheWaitForTheTurn(t *testing.T) {
	fc := newFakeCluster(t, silent, silent, silent, silent, silent, silent, silent)
	c := fc.newClient("A", Options{CallTimeout: 200 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.Submit(context.Background(), encode(t, "(A, B, 1)")) })
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("call %d: err %v, want deadline exceeded", i, err)
		}
	}
}

func TestCallTimeoutKeepsTheRetransmissionTimer(t *testing.T) {
	fc := newFakeCluster(t)
	c := fc.newClient("A", Options{CallTimeout: testTimeout})
	if _, err := c.Submit(context.Background(), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return connectedTo(c) == 7 })
	fc.setMode(1, silent)
	out, err := c.Submit(context.Background(), encode(t, "(A, B, 1)"))
	if err != nil || out.View != 2 {
		t.Fatalf("outcome %+v, err %v: want view 2 after a retransmission", out, err)
	}
}

func TestSplitReadIsAskedAgainThenOrdered(t *testing.T) {
	// Two liars and a replica that ignores reads: 6 read replies, no 2f+1 = 5 of them match.
	fc := newFakeCluster(t, noReads, honest, honest, honest, honest, lying, lying)
	// A client timer long enough for every retry even on a busy machine (the read goes to
	// ordering after its retries, not because the timer expired first); the ordered request
	// then reaches f+1 replicas when the timer expires once.
	c := fc.newClient("A", Options{CallTimeout: testTimeout, Retransmit: 500 * time.Millisecond})
	out, err := c.Read(context.Background(), encode(t, "(A)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); out.ReadOnly || r.Value != 10 {
		t.Fatalf("read %+v %v, want an ordered answer of 10", out, r)
	}
	// The first attempt and readRetries more, each answered by 6 replicas.
	waitFor(t, func() bool {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return fc.reads == 6*(readRetries+1)
	})
}
