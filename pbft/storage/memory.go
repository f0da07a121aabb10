package storage

import (
	"bytes"
	"errors"
	"sort"
	"sync"
)

// Memory is the in-memory fake of Store: the same keys and encoded values as Pebble, in a map.
// Tests use it to crash a replica at any write (Fail) and restart it from what was written.
type Memory struct {
	*engine
	mem *memKV
}

// NewMemory returns an empty store of replica id.
func NewMemory(id Identity) *Memory {
	m := &memKV{data: map[string][]byte{}}
	e, _, err := openEngine(m, id)
	if err != nil {
		panic("storage: a fresh memory store refused its identity: " + err.Error())
	}
	return &Memory{engine: e, mem: m}
}

// Writes is the number of synced writes so far.
func (m *Memory) Writes() int {
	m.mem.mu.Lock()
	defer m.mem.mu.Unlock()
	return m.mem.writes
}

// FailFrom makes every write from now on fail without writing anything: the process died.
func (m *Memory) FailFrom() {
	m.mem.mu.Lock()
	m.mem.failed = true
	m.mem.mu.Unlock()
}

// Corrupt applies f to the stored value of key (for tests of damaged data).
func (m *Memory) Corrupt(key []byte, f func([]byte) []byte) {
	m.mem.mu.Lock()
	defer m.mem.mu.Unlock()
	if v, ok := m.mem.data[string(key)]; ok {
		m.mem.data[string(key)] = f(bytes.Clone(v))
	}
}

// Keys lists the stored keys in order.
func (m *Memory) Keys() [][]byte {
	var keys [][]byte
	_ = m.mem.scan(nil, nil, func(k, _ []byte) { keys = append(keys, bytes.Clone(k)) })
	return keys
}

// Reopen returns a store over the same data, as a restarted process would open it, with
// writes working again.
func (m *Memory) Reopen(id Identity) (*Memory, error) {
	m.mem.mu.Lock()
	m.mem.failed = false
	m.mem.mu.Unlock()
	e, _, err := openEngine(m.mem, id)
	if err != nil {
		return nil, err
	}
	return &Memory{engine: e, mem: m.mem}, nil
}

var errDead = errors.New("storage: the process died (fake)")

type memKV struct {
	mu     sync.Mutex
	data   map[string][]byte
	writes int
	failed bool
}

func (m *memKV) get(key []byte) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[string(key)]
	return v, ok, nil
}

func (m *memKV) scan(lo, hi []byte, fn func(k, v []byte)) error {
	m.mu.Lock()
	keys := make([]string, 0, len(m.data))
	for k := range m.data {
		if k >= string(lo) && (hi == nil || k < string(hi)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = m.data[k]
	}
	m.mu.Unlock()
	for i, k := range keys {
		fn([]byte(k), vals[i])
	}
	return nil
}

// apply keeps what it is given whether synced or not: the fake models a crash with FailFrom
// (writes fail from then on), not a lost unsynced tail.
func (m *memKV) apply(ops []op, _ bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failed {
		return errDead
	}
	m.writes++
	for _, o := range ops {
		switch {
		case o.end != nil:
			for k := range m.data {
				if k >= string(o.key) && k < string(o.end) {
					delete(m.data, k)
				}
			}
		case o.value != nil:
			m.data[string(o.key)] = bytes.Clone(o.value)
		default:
			delete(m.data, string(o.key))
		}
	}
	return nil
}

func (m *memKV) close() error { return nil }
