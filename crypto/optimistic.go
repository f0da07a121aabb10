package crypto

import "fmt"

// CombineOptimistic turns shares over msg into a verified group signature while tolerating bad
// shares (docs/protocol.md, "Authentication", SBFT's collector). It combines T shares and verifies
// the result once: in the common case that single verification is the only pairing check. Only if
// it fails does it verify every share, drop the bad ones and combine T good ones; shares that
// passed their own verification always combine to a valid signature, so that result is not checked
// again.
//
// bad lists the indices of shares that failed verification (including out-of-range indices), in
// input order; it is empty on the fast path. The error wraps ErrNotEnoughShares when fewer than T
// distinct shares are valid. Garbage share bytes give errors, never panics.
func CombineOptimistic(pub ThresholdPublic, msg []byte, shares []Share) (sig []byte, bad []int, err error) {
	if countDistinct(shares) < pub.T() {
		return nil, nil, fmt.Errorf("%w: %d shares, need %d", ErrNotEnoughShares, len(shares), pub.T())
	}
	sig, err = pub.Combine(msg, shares)
	if err == nil && pub.Verify(msg, sig) == nil {
		return sig, nil, nil
	}
	good, bad := partitionShares(pub, msg, shares)
	if len(good) < pub.T() {
		return nil, bad, fmt.Errorf("%w: %d valid of %d, need %d", ErrNotEnoughShares, len(good), len(shares), pub.T())
	}
	sig, err = pub.Combine(msg, good)
	if err != nil {
		return nil, bad, err
	}
	return sig, bad, nil
}

// partitionShares verifies shares one by one. A share whose index already has a valid share
// is skipped (a duplicate adds nothing); every share that fails is reported once by index.
func partitionShares(pub ThresholdPublic, msg []byte, shares []Share) (good []Share, bad []int) {
	valid := make(map[int]bool, len(shares))
	reported := make(map[int]bool)
	for _, sh := range shares {
		if valid[sh.Index] {
			continue
		}
		if pub.VerifyShare(msg, sh) == nil {
			valid[sh.Index] = true
			good = append(good, sh)
			continue
		}
		if !reported[sh.Index] {
			reported[sh.Index] = true
			bad = append(bad, sh.Index)
		}
	}
	return good, bad
}

// countDistinct counts the distinct indices among shares, valid or not.
func countDistinct(shares []Share) int {
	seen := make(map[int]bool, len(shares))
	for _, sh := range shares {
		seen[sh.Index] = true
	}
	return len(seen)
}
