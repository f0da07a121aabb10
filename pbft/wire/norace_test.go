//go:build !race

package wire

// raceEnabled: the race detector changes what escapes to the heap, so allocation counts are
// not checked under it.
const raceEnabled = false
