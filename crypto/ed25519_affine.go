package crypto

import (
	"encoding/binary"
	"unsafe"

	"filippo.io/edwards25519/field"
	"github.com/oasisprotocol/curve25519-voi/curve"
)

// curve25519-voi builds points only by decompressing them. A hinted signature gives R's
// coordinates, so setAffine writes them into a voi point directly: on 64-bit platforms a
// voi EdwardsPoint is the extended coordinates X, Y, Z, T, each five little-endian limbs of
// 51 bits. That layout is voi's, not promised by its API, so it is checked once at start
// (affineSelfTest): unless points made this way equal the decompressed ones, hintsWork is
// false, every R is decompressed and hints are computed from the 64 bytes.
// TestAffineMatchesDecompression and TestSignWithHintMatchesSign check it too.

const limbBits, limbMask = 51, 1<<51 - 1

// voiPoint is the memory layout of curve.EdwardsPoint on 64-bit platforms.
type voiPoint struct{ x, y, z, t [5]uint64 }

// hintsWork reports whether setAffine makes correct voi points on this platform.
var hintsWork = unsafe.Sizeof(curve.EdwardsPoint{}) == unsafe.Sizeof(voiPoint{}) && affineSelfTest()

// setAffine sets p to the point with affine coordinates x and y, given by their canonical
// encodings, and t = x·y; the point must be on the curve.
func setAffine(p *curve.EdwardsPoint, x, y []byte, t *field.Element) {
	v := (*voiPoint)(unsafe.Pointer(p))
	v.x, v.y, v.z, v.t = limbs(x), limbs(y), [5]uint64{1}, limbs(t.Bytes())
}

// limbs splits the canonical encoding e of a field element into voi's five 51-bit limbs.
func limbs(e []byte) [5]uint64 {
	var b [40]byte // room to read 8 bytes at every limb's offset
	copy(b[:], e)
	var l [5]uint64
	for i := range l {
		bit := i * limbBits
		l[i] = binary.LittleEndian.Uint64(b[bit/8:]) >> (bit % 8) & limbMask
	}
	return l
}

// affineSelfTest reports whether setAffine and affine (which reads a voi point) agree with
// decompression on a few multiples of the base point.
func affineSelfTest() bool {
	var p, want curve.EdwardsPoint
	want.Set(curve.ED25519_BASEPOINT_POINT)
	for range 8 {
		var c curve.CompressedEdwardsY
		c.SetEdwardsPoint(&want)
		x, ok := recoverX(c[:])
		var y field.Element
		if _, err := y.SetBytes(c[:]); !ok || err != nil {
			return false
		}
		setAffine(&p, x.Bytes(), y.Bytes(), new(field.Element).Multiply(x, &y))
		if p.Equal(&want) != 1 {
			return false
		}
		if ax, ay := affine(&want); ax.Equal(x) != 1 || ay.Equal(&y) != 1 {
			return false
		}
		want.Add(&want, &want)
		want.Add(&want, curve.ED25519_BASEPOINT_POINT)
	}
	return true
}
