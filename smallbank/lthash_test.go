package smallbank

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

func TestLaneArithmeticMatchesUint16(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	edge := []uint64{0, ltHigh, ^uint64(0), 0x7fff_7fff_7fff_7fff, 0x0001_ffff_8000_7fff}
	for k := 0; k < 10000; k++ {
		a, b := rng.Uint64(), rng.Uint64()
		if k < len(edge)*len(edge) {
			a, b = edge[k/len(edge)], edge[k%len(edge)]
		}
		gotAdd, gotSub := add16(a, b), sub16(a, b)
		for lane := 0; lane < 4; lane++ {
			x, y := uint16(a>>(16*lane)), uint16(b>>(16*lane))
			if uint16(gotAdd>>(16*lane)) != x+y || uint16(gotSub>>(16*lane)) != x-y {
				t.Fatalf("a=%#x b=%#x lane %d: add %#x sub %#x", a, b, lane, gotAdd, gotSub)
			}
		}
	}
}

func elems(names ...string) [][]byte {
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = []byte(n)
	}
	return out
}

func hashOf(es [][]byte) LtHash {
	var h LtHash
	for _, e := range es {
		h.Add(e)
	}
	return h
}

func TestLtHashOrderIndependent(t *testing.T) {
	forward := hashOf(elems("a", "b", "c", "d"))
	backward := hashOf(elems("d", "c", "b", "a"))
	if !forward.Equal(&backward) || forward.Sum() != backward.Sum() {
		t.Fatal("hash depends on insertion order")
	}
}

func TestLtHashAddThenRemoveIsEmpty(t *testing.T) {
	h := hashOf(elems("x", "y", "z"))
	h.Remove([]byte("y"))
	h.Remove([]byte("x"))
	h.Remove([]byte("z"))
	var empty LtHash
	if !h.Equal(&empty) {
		t.Fatal("add then remove did not return to the empty hash")
	}
	if want := sha256.Sum256(make([]byte, ltBytes)); h.Sum() != want {
		t.Fatal("empty Sum is not SHA-256 of the zero lane vector")
	}
}

func TestLtHashDistinguishesSets(t *testing.T) {
	sets := [][][]byte{
		elems(), elems("a"), elems("b"), elems("a", "b"), elems("a", "a"), elems("ab"), elems("a", "b", "c"),
	}
	seen := map[[32]byte]int{}
	for i, s := range sets {
		h := hashOf(s)
		if j, dup := seen[h.Sum()]; dup {
			t.Fatalf("sets %d and %d hash the same", j, i)
		}
		seen[h.Sum()] = i
	}
}

func TestLtHashMergeIsUnion(t *testing.T) {
	left, right := hashOf(elems("a", "b")), hashOf(elems("c"))
	left.Merge(&right)
	want := hashOf(elems("c", "b", "a"))
	if !left.Equal(&want) {
		t.Fatal("merge differs from the hash of the union")
	}
}

func TestLtHashLongElement(t *testing.T) {
	long := make([]byte, 1000)
	h := hashOf([][]byte{long})
	long[999] = 1
	other := hashOf([][]byte{long})
	if h.Equal(&other) {
		t.Fatal("elements that differ in their last byte hash the same")
	}
}
