package crypto

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestCombineOptimistic(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, 5)
		good := d.sharesOver(t, msg1)
		wrongMsg := d.sharesOver(t, msg2)
		size := len(good[0].Sig)
		garbage := func(i int, b []byte) Share { return Share{Index: i, Sig: b} }
		// with replaces share i (1-based) of the good set by s and puts it first, so that the
		// first combination includes it.
		with := func(bad ...Share) []Share {
			out := append([]Share(nil), bad...)
			for _, g := range good {
				if !slices.ContainsFunc(bad, func(b Share) bool { return b.Index == g.Index }) {
					out = append(out, g)
				}
			}
			return out
		}
		cases := []struct {
			name    string
			shares  []Share
			wantBad []int
			wantErr error
		}{
			{"exactly T good", good[:5], nil, nil},
			{"all n good", good, nil, nil},
			{"bad share among T+1 good", with(wrongMsg[2]), []int{3}, nil},
			{"two bad among five good", with(wrongMsg[0], wrongMsg[6]), []int{1, 7}, nil},
			{"share claiming another index", with(Share{Index: 2, Sig: good[3].Sig}), []int{2}, nil},
			{"wrong length", with(garbage(4, good[3].Sig[1:])), []int{4}, nil},
			{"empty bytes", with(garbage(4, nil)), []int{4}, nil},
			{"not a point", with(garbage(4, bytes.Repeat([]byte{0xff}, size))), []int{4}, nil},
			{"zero bytes", with(garbage(4, make([]byte, size))), []int{4}, nil},
			{"out of range index", append([]Share{{Index: 0, Sig: good[0].Sig}}, good...), []int{0}, nil},
			{"duplicate of a good share", append(good[:5:5], good[0]), nil, nil},
			{"fewer than T", good[:4], nil, ErrNotEnoughShares},
			{"T shares, one bad", with(wrongMsg[0])[:5], []int{1}, ErrNotEnoughShares},
			{"all bad", wrongMsg, []int{1, 2, 3, 4, 5, 6, 7}, ErrNotEnoughShares},
		}
		for _, c := range cases {
			sig, bad, err := CombineOptimistic(d.pub, msg1, c.shares)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Errorf("%s: error %v, want %v", c.name, err, c.wantErr)
			}
			if !slices.Equal(bad, c.wantBad) {
				t.Errorf("%s: bad = %v, want %v", c.name, bad, c.wantBad)
			}
			if err == nil {
				if verr := d.pub.Verify(msg1, sig); verr != nil {
					t.Errorf("%s: result does not verify: %v", c.name, verr)
				}
			} else if sig != nil {
				t.Errorf("%s: signature returned with an error", c.name)
			}
		}
	})
}

// TestSigmaNOfN covers the fast-path key: every one of the n shares is needed.
func TestSigmaNOfN(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, testN)
		good := d.sharesOver(t, msg1)
		if _, bad, err := CombineOptimistic(d.pub, msg1, good); err != nil || bad != nil {
			t.Fatalf("n of n: err %v bad %v", err, bad)
		}
		if _, _, err := CombineOptimistic(d.pub, msg1, good[1:]); !errors.Is(err, ErrNotEnoughShares) {
			t.Fatalf("n-1 of n: err %v, want ErrNotEnoughShares", err)
		}
		broken := append([]Share(nil), good...)
		broken[4] = d.sharesOver(t, msg2)[4]
		_, bad, err := CombineOptimistic(d.pub, msg1, broken)
		if !errors.Is(err, ErrNotEnoughShares) || !slices.Equal(bad, []int{5}) {
			t.Fatalf("one bad σ-share: err %v bad %v, want ErrNotEnoughShares and [5]", err, bad)
		}
	})
}

// TestGarbageNeverPanics feeds pseudo-random byte strings of many lengths to everything that
// parses untrusted input.
func TestGarbageNeverPanics(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, 5)
		good := d.sharesOver(t, msg1)
		rnd := randomReader([]byte("garbage"), scheme)
		for length := range 2*len(good[0].Sig) + 2 {
			b := make([]byte, length)
			rnd.Read(b)
			sh := Share{Index: 1 + length%testN, Sig: b}
			if d.pub.VerifyShare(msg1, sh) == nil {
				t.Fatalf("random share of length %d verified", length)
			}
			if d.pub.Verify(msg1, b) == nil {
				t.Fatalf("random signature of length %d verified", length)
			}
			shares := append([]Share{sh}, good[1:5]...)
			if _, err := d.pub.Combine(msg1, shares); err == nil && length == len(good[0].Sig) {
				// a random string that decodes as a point combines; it must not verify
				if _, _, err := CombineOptimistic(d.pub, msg1, shares); err == nil {
					t.Fatalf("combination with a random share verified")
				}
			}
			if _, err := unmarshalPublicOf(scheme, b); err == nil {
				t.Fatalf("random public key of length %d accepted", length)
			}
			// 35 bytes with the right tag is a valid encoding: any non-zero scalar is a share.
			if _, err := unmarshalSignerOf(scheme, b); err == nil && length != 35 {
				t.Fatalf("random signer of length %d accepted", length)
			}
		}
	})
}

// TestConcurrentCombine shares one public key between goroutines, as the runtime's worker
// pool does; run with -race it checks the plan cache.
func TestConcurrentCombine(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, 5)
		pub, err := unmarshalPublicOf(scheme, first(d.pub.MarshalBinary()))
		if err != nil {
			t.Fatal(err)
		}
		good := d.sharesOver(t, msg1)
		want, _ := pub.Combine(msg1, good[:5])
		errs := make(chan error, 3)
		for g := range 3 {
			go func() {
				sig, err := pub.Combine(msg1, good[g:g+5])
				if err == nil && !bytes.Equal(sig, want) {
					err = errors.New("different signature")
				}
				errs <- err
			}()
		}
		for range 3 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}
