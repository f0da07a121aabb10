package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/smallbank"
)

// testTimeout bounds every call of these tests; the fakes answer within milliseconds.
const testTimeout = 10 * time.Second

func encode(t testing.TB, text string) []byte {
	t.Helper()
	op, err := smallbank.ParseOp(text)
	if err != nil {
		t.Fatal(err)
	}
	b, err := smallbank.EncodeOp(op)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func result(t *testing.T, out Outcome) smallbank.Result {
	t.Helper()
	r, err := smallbank.DecodeResult(out.Result)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSubmitAcceptsMatchingReplies(t *testing.T) {
	fc := newFakeCluster(t)
	c := fc.newClient("A", Options{})
	out, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 3)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); !r.OK || out.Seq != 1 || out.ReadOnly || out.Latency <= 0 {
		t.Fatalf("outcome %+v result %v, want ok at seq 1", out, r)
	}
	out, err = c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 30)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); r.OK || r.Reason != smallbank.ReasonInsufficientFunds || out.Seq != 2 {
		t.Fatalf("second transfer: %+v %v, want insufficient funds at seq 2", out, r)
	}
	if fc.balance("A") != 7 || fc.balance("B") != 13 {
		t.Fatalf("balances A=%d B=%d, want 7 and 13", fc.balance("A"), fc.balance("B"))
	}
}

func TestSubmitToleratesFByzantineReplicas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		modes []fakeMode
	}{
		{"two liars", []fakeMode{honest, honest, honest, honest, honest, lying, lying}},
		{"a bad signature and a silent replica", []fakeMode{honest, badSig, honest, silent, honest, honest, honest}},
		{"replies from 2f+1 replicas only", []fakeMode{honest, honest, honest, honest, honest, silent, silent}},
	} {
		for _, shared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/shared=%v", tc.name, shared), func(t *testing.T) {
				fc := newFakeCluster(t, tc.modes...)
				var opts Options
				if shared {
					opts.Network = fc.network()
				}
				c := fc.newClient("A", opts)
				out, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "Balance(B)"))
				if err != nil {
					t.Fatal(err)
				}
				if r := result(t, out); !r.OK || r.Value != 10 {
					t.Fatalf("result %v, want ok with value 10 (not a liar's 999)", r)
				}
			})
		}
	}
}

// f+1 matching replies prove a result but do not complete a write: f of them may be faulty
// replicas, and the one honest replica that executed it may be missing from a later read's
// 2f+1 replies (issue 17). The client waits for 2f+1.
func TestSubmitNeedsTwoFPlusOneMatchingReplies(t *testing.T) {
	fc := newFakeCluster(t, honest, honest, honest, silent, silent, silent, silent)
	c := fc.newClient("A", Options{})
	_, err := c.Submit(ctxTimeout(t, 300*time.Millisecond), encode(t, "(A, B, 1)"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded with f+1 = 3 replies", err)
	}
}

func TestSubmitWithoutQuorumEndsWithContext(t *testing.T) {
	// Only n1 and n2 answer validly: fewer than 2f+1 = 5.
	fc := newFakeCluster(t, honest, honest, badSig, badSig, silent, lying, silent)
	c := fc.newClient("A", Options{})
	_, err := c.Submit(ctxTimeout(t, 300*time.Millisecond), encode(t, "(A, B, 1)"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
}

func TestClientFollowsViewChange(t *testing.T) {
	fc := newFakeCluster(t, silent) // n1, the leader of view 1, is down
	c := fc.newClient("A", Options{Retransmit: 2 * time.Second})
	if _, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	if c.View() != 2 {
		t.Fatalf("client view %d after the view change, want 2", c.View())
	}
	waitFor(t, func() bool { return connectedTo(c) == 7 }) // the first request opened every link
	if _, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	got := fc.received(fc.lastTimestamp("A"))
	if !slices.Equal(got, []pbft.NodeID{2}) {
		t.Fatalf("second request reached %v, want only the new leader n2", got)
	}
}

func TestClientIgnoresViewClaimedByFewReplicas(t *testing.T) {
	fc := newFakeCluster(t, bigView, honest, honest, honest, honest, honest, bigView)
	c := fc.newClient("A", Options{})
	if _, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	if c.View() != 1 {
		t.Fatalf("client moved to view %d on the word of f replicas, want 1", c.View())
	}
}

func TestRetransmitsToEveryReplicaWhenLeaderIsSilent(t *testing.T) {
	fc := newFakeCluster(t)
	c := fc.newClient("A", Options{})
	if _, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)")); err != nil {
		t.Fatal(err)
	}
	// Once every link is open, a new request goes to the leader alone.
	waitFor(t, func() bool { return connectedTo(c) == 7 })
	fc.setMode(1, silent)
	out, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)"))
	if err != nil {
		t.Fatal(err)
	}
	if out.View != 2 {
		t.Fatalf("outcome %+v: want view 2", out)
	}
	// The first backup to get the retransmission answers at once; the others get it too.
	waitFor(t, func() bool { return len(fc.received(fc.lastTimestamp("A"))) >= 3 })
}

func TestReadNeedsTwoFPlusOneAndFallsBack(t *testing.T) {
	fc := newFakeCluster(t)
	// The first read also opens (and authenticates) the connections: on a loaded machine
	// the default 40 ms could pass before 2f+1 answers, and the read would be ordered.
	c := fc.newClient("A", Options{Retransmit: 500 * time.Millisecond})
	out, err := c.Read(ctxTimeout(t, testTimeout), encode(t, "(A)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); !out.ReadOnly || out.Seq != 0 || r.Value != 10 {
		t.Fatalf("read %+v %v, want a read-only answer of 10", out, r)
	}

	// Three replicas do not answer reads: 4 < 2f+1, so the read is ordered.
	fc = newFakeCluster(t, noReads, honest, noReads, honest, honest, noReads, honest)
	c = fc.newClient("A", Options{})
	out, err = c.Read(ctxTimeout(t, testTimeout), encode(t, "(A)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); out.ReadOnly || out.Seq != 1 || r.Value != 10 {
		t.Fatalf("read %+v %v, want an ordered answer of 10 at seq 1", out, r)
	}
}

func TestClosedLoopTimestampsIncrease(t *testing.T) {
	fc := newFakeCluster(t)
	c := fc.newClient("A", Options{})
	before := uint64(time.Now().UnixNano())
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "DepositChecking(A, 1)"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if fc.balance("A") != 20 || fc.slots() != 10 {
		t.Fatalf("balance %d after %d slots, want 20 after 10 (each deposit executed once)", fc.balance("A"), fc.slots())
	}
	if last := fc.lastTimestamp("A"); last < before+9 {
		t.Fatalf("last timestamp %d, want wall-clock based and above %d", last, before)
	}
}

func TestCloseEndsOutstandingCall(t *testing.T) {
	fc := newFakeCluster(t, silent, silent, silent, silent, silent, silent, silent)
	c := fc.newClient("A", Options{})
	errc := make(chan error, 1)
	go func() {
		_, err := c.Submit(context.Background(), encode(t, "(A, B, 1)"))
		errc <- err
	}()
	waitFor(t, func() bool { return len(fc.received(fc.lastTimestampSeen())) > 0 })
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("err %v, want ErrClosed", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Submit did not return after Close")
	}
	if _, err := c.Read(context.Background(), encode(t, "(A)")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v, want ErrClosed", err)
	}
}

func TestNewChecksIdentity(t *testing.T) {
	fc := newFakeCluster(t)
	other, err := crypto.GenerateSigningKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	wrongN := cluster.Default(1, 1)
	for _, tc := range []struct {
		name string
		cfg  *cluster.Config
		id   string
		key  *crypto.SigningKey
	}{
		{"unknown client", fc.cfg, "Z", other},
		{"wrong key", fc.cfg, "A", other},
		{"wrong cluster size", wrongN, "A", fc.keys.Clients["A"]},
		{"no key", fc.cfg, "A", nil},
	} {
		if _, err := New(tc.cfg, pbft.ClientID(tc.id), tc.key, fc.keys.Public, Options{}); err == nil {
			t.Errorf("%s: New succeeded, want an error", tc.name)
		}
	}
}

// connectedTo counts the replicas that can reply to the client.
func connectedTo(c *Client) int { return c.n - len(c.conn.unreached()) }

// waitFor polls cond until it holds or the test timeout passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached before the deadline")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestOversizedOperationRefusedLocally(t *testing.T) {
	c := &Client{}
	if _, err := c.Submit(context.Background(), make([]byte, pbft.MaxOpBytes+1)); !errors.Is(err, ErrOpTooLarge) {
		t.Fatalf("Submit of an oversized operation: %v, want ErrOpTooLarge", err)
	}
	if _, err := c.Read(context.Background(), make([]byte, pbft.MaxOpBytes+1)); !errors.Is(err, ErrOpTooLarge) {
		t.Fatalf("Read of an oversized operation: %v, want ErrOpTooLarge", err)
	}
}

// Two processes sharing client A's key sign different operations with one timestamp: the
// replicas execute the first and answer the second with the first's cached reply, which names
// the first operation (pbft.Reply.Op). The second process gets ErrTimestampReused, not the
// first's result as its own (README "Known limitations" before the fix).
func TestReusedTimestampIsReported(t *testing.T) {
	fc := newFakeCluster(t)
	fixed := func() uint64 { return 1_000_000 }
	first, second := fc.newClient("A", Options{}), fc.newClient("A", Options{})
	first.clock, second.clock = fixed, fixed
	out, err := first.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = second.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 5)"))
	if !errors.Is(err, ErrTimestampReused) {
		t.Fatalf("second operation under timestamp 1000000: %v, want ErrTimestampReused (the first got %x)", err, out.Result)
	}
	if c, _, _ := fc.bank.Balances("A"); c != 10-1 {
		t.Fatalf("A holds %d: the second operation must not have executed", c)
	}
}
