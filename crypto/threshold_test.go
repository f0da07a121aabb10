package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
)

const testN = 7

var (
	msg1 = []byte("pbft/share/v1 prepare v=1 s=1")
	msg2 = []byte("pbft/share/v1 commit v=1 s=1")
)

// dealt caches one deal per (scheme, t) so the tables do not pay for dealing again.
var dealt sync.Map

type dealing struct {
	pub     ThresholdPublic
	signers []ThresholdSigner
	shares  map[string][]Share // message → all n shares
	mu      sync.Mutex
}

func deal(tb testing.TB, scheme string, t int) *dealing {
	tb.Helper()
	key := fmt.Sprintf("%s/%d", scheme, t)
	if d, ok := dealt.Load(key); ok {
		return d.(*dealing)
	}
	// the seed names the scheme, not the backend: both backends of a scheme get the same keys
	seed := fmt.Sprintf("test seed %s/%d", schemeOf(scheme), t)
	pub, signers, err := dealOn(scheme, t, testN, []byte(seed))
	if err != nil {
		tb.Fatal(err)
	}
	d, _ := dealt.LoadOrStore(key, &dealing{pub: pub, signers: signers, shares: map[string][]Share{}})
	return d.(*dealing)
}

// sharesOver returns the n shares over msg (a fresh copy the caller may modify).
func (d *dealing) sharesOver(tb testing.TB, msg []byte) []Share {
	tb.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	all, ok := d.shares[string(msg)]
	if !ok {
		for _, s := range d.signers {
			sh, err := s.Sign(msg)
			if err != nil {
				tb.Fatal(err)
			}
			all = append(all, sh)
		}
		d.shares[string(msg)] = all
	}
	return append([]Share(nil), all...)
}

// forEachScheme runs f as a subtest for every scheme and backend: every crypto table runs on
// each.
func forEachScheme(t *testing.T, f func(t *testing.T, scheme string)) {
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) { f(t, scheme) })
	}
}

func TestShareVerify(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, 5)
		sh := d.sharesOver(t, msg1)
		other := d.sharesOver(t, msg2)
		cases := []struct {
			name  string
			share Share
			msg   []byte
			want  error
		}{
			{"own share", sh[2], msg1, nil},
			{"last index", sh[testN-1], msg1, nil},
			{"other message (domain)", sh[2], msg2, ErrBadSignature},
			{"share of msg2 for msg1", other[2], msg1, ErrBadSignature},
			{"claims another index", Share{Index: 4, Sig: sh[2].Sig}, msg1, ErrBadSignature},
			{"index zero", Share{Index: 0, Sig: sh[0].Sig}, msg1, ErrBadIndex},
			{"index n+1", Share{Index: testN + 1, Sig: sh[0].Sig}, msg1, ErrBadIndex},
			{"nil signature", Share{Index: 1}, msg1, ErrMalformed},
			{"truncated", Share{Index: 1, Sig: sh[0].Sig[:len(sh[0].Sig)-1]}, msg1, ErrMalformed},
			{"trailing byte", Share{Index: 1, Sig: append(append([]byte(nil), sh[0].Sig...), 0)}, msg1, ErrMalformed},
			{"all zero", Share{Index: 1, Sig: make([]byte, len(sh[0].Sig))}, msg1, ErrMalformed},
			{"all 0xff", Share{Index: 1, Sig: bytes.Repeat([]byte{0xff}, len(sh[0].Sig))}, msg1, ErrMalformed},
		}
		for _, c := range cases {
			err := d.pub.VerifyShare(c.msg, c.share)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Errorf("%s: VerifyShare = %v, want %v", c.name, err, c.want)
			}
		}
	})
}

func TestCombine(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		for _, th := range []int{5, testN} { // τ-like and σ-like (n of n)
			d := deal(t, scheme, th)
			sh := d.sharesOver(t, msg1)
			dup := append(append([]Share(nil), sh[:th-1]...), sh[0], sh[1])
			cases := []struct {
				name   string
				shares []Share
				want   error
			}{
				{"exactly T, first", sh[:th], nil},
				{"exactly T, last", sh[testN-th:], nil},
				{"exactly T, reversed", reversed(sh[:th]), nil},
				{"all n", sh, nil},
				{"T-1", sh[:th-1], ErrNotEnoughShares},
				{"T-1 distinct plus duplicates", dup, ErrNotEnoughShares},
				{"none", nil, ErrNotEnoughShares},
				{"out of range index", append([]Share{{Index: 99, Sig: sh[0].Sig}}, sh...), ErrBadIndex},
			}
			var first []byte
			for _, c := range cases {
				sig, err := d.pub.Combine(msg1, c.shares)
				name := fmt.Sprintf("T=%d %s", th, c.name)
				if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
					t.Errorf("%s: Combine error %v, want %v", name, err, c.want)
					continue
				}
				if err != nil {
					continue
				}
				if err := d.pub.Verify(msg1, sig); err != nil {
					t.Errorf("%s: combined signature does not verify: %v", name, err)
				}
				if err := d.pub.Verify(msg2, sig); !errors.Is(err, ErrBadSignature) {
					t.Errorf("%s: combined signature verifies for another message: %v", name, err)
				}
				if first == nil {
					first = sig
				} else if !bytes.Equal(first, sig) {
					t.Errorf("%s: BLS signatures are unique, but this set combined differently", name)
				}
			}
		}
	})
}

func reversed(s []Share) []Share {
	out := make([]Share, len(s))
	for i := range s {
		out[len(s)-1-i] = s[i]
	}
	return out
}

// TestCombineLargeIndexSet covers the fallback to full Lagrange coefficients, used when the
// small integer multipliers of the short path would overflow (large n).
func TestCombineLargeIndexSet(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		const n, th = 40, 27
		if _, _, ok := smallMultipliers(first(lagrangeRational(firstIndices(th), 0))); ok {
			t.Fatalf("t=%d should not fit the short path; pick a larger set", th)
		}
		pub, signers, err := dealOn(scheme, th, n, []byte("large"))
		if err != nil {
			t.Fatal(err)
		}
		var shares []Share
		for _, s := range signers[n-th:] {
			sh, _ := s.Sign(msg1)
			shares = append(shares, sh)
		}
		sig, err := pub.Combine(msg1, shares)
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Verify(msg1, sig); err != nil {
			t.Fatalf("combined over full coefficients does not verify: %v", err)
		}
	})
}

func first[A, B any](a A, _ B) A { return a }
