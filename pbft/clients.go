package pbft

import (
	"encoding/binary"
	"sort"
)

// clientEntry is the exactly-once record of one client: the last executed timestamp and the reply
// it produced (docs/protocol.md, "Clients"). The table is replicated state: it is part of the state
// digest and of snapshots.
type clientEntry struct {
	T      uint64
	Op     Digest // OpDigest of the operation executed at T (Reply.Op)
	Result []byte
	Seq    Seq
}

type clientTable struct {
	entries map[ClientID]*clientEntry
}

func newClientTable() *clientTable { return &clientTable{entries: make(map[ClientID]*clientEntry)} }

func (t *clientTable) get(c ClientID) *clientEntry { return t.entries[c] }

func (t *clientTable) set(c ClientID, ts uint64, op Digest, result []byte, s Seq) {
	e := t.entries[c]
	if e == nil {
		e = &clientEntry{}
		t.entries[c] = e
	}
	e.T, e.Op, e.Result, e.Seq = ts, op, result, s
}

func (t *clientTable) sortedIDs() []ClientID {
	ids := make([]ClientID, 0, len(t.entries))
	for id := range t.entries {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// encode writes the table in client order. It is hashed only at checkpoints: the table has
// one entry per client (hundreds), unlike the application state, which is hashed incrementally.
func (t *clientTable) encode() []byte {
	var b []byte
	ids := t.sortedIDs()
	b = binary.BigEndian.AppendUint32(b, uint32(len(ids)))
	for _, id := range ids {
		e := t.entries[id]
		b = appendBytes(b, []byte(id))
		b = binary.BigEndian.AppendUint64(b, e.T)
		b = append(b, e.Op[:]...)
		b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
		b = appendBytes(b, e.Result)
	}
	return b
}

func decodeClientTable(b []byte) (*clientTable, []byte, bool) {
	t := newClientTable()
	n, b, ok := readUint32(b)
	if !ok {
		return nil, nil, false
	}
	for i := uint32(0); i < n; i++ {
		var id, res []byte
		var ts, s uint64
		var op Digest
		if id, b, ok = readBytes(b); !ok {
			return nil, nil, false
		}
		if ts, b, ok = readUint64(b); !ok {
			return nil, nil, false
		}
		if len(b) < len(op) {
			return nil, nil, false
		}
		b = b[copy(op[:], b):]
		if s, b, ok = readUint64(b); !ok {
			return nil, nil, false
		}
		if res, b, ok = readBytes(b); !ok {
			return nil, nil, false
		}
		t.set(ClientID(id), ts, op, res, Seq(s))
	}
	return t, b, true
}

// stateDigest combines the application digest with the client table's.
func (r *Replica) stateDigest() Digest { return combineStateDigest(r.cfg.App.Digest(), r.clients) }

// takeSnapshot encodes the replicated state: the client table, then the application.
func (r *Replica) takeSnapshot() []byte {
	b := appendBytes(nil, r.clients.encode())
	return append(b, r.cfg.App.Snapshot()...)
}

// frozenState is the replicated state captured at a checkpoint, encoded (as takeSnapshot
// would have) only when a peer asks for it.
type frozenState struct {
	clients []byte        // the encoded client table (one entry per client: small)
	app     func() []byte // encodes the captured application state
	bytes   []byte        // the encoding, once made
}

// freezeState captures the replicated state; with an application that is not a Freezer it
// encodes it at once.
func (r *Replica) freezeState() *frozenState {
	f := &frozenState{clients: r.clients.encode()}
	if fr, ok := r.cfg.App.(Freezer); ok {
		f.app = fr.Freeze()
		return f
	}
	f.bytes = appendBytes(nil, f.clients)
	f.bytes = append(f.bytes, r.cfg.App.Snapshot()...)
	return f
}

// encoder returns a function that encodes the captured state as encoded does, without touching
// f: it may run on another goroutine (the captured state is never written to, see Freezer).
func (f *frozenState) encoder() func() []byte {
	if b := f.bytes; b != nil {
		return func() []byte { return b }
	}
	clients, app := f.clients, f.app
	return func() []byte { return append(appendBytes(nil, clients), app()...) }
}

// encoded returns the snapshot bytes, encoding them on first use.
func (f *frozenState) encoded() []byte {
	if f.bytes == nil {
		f.bytes = append(appendBytes(nil, f.clients), f.app()...)
		f.app = nil
	}
	return f.bytes
}

func readUint32(b []byte) (uint32, []byte, bool) {
	if len(b) < 4 {
		return 0, nil, false
	}
	return binary.BigEndian.Uint32(b), b[4:], true
}

func readUint64(b []byte) (uint64, []byte, bool) {
	if len(b) < 8 {
		return 0, nil, false
	}
	return binary.BigEndian.Uint64(b), b[8:], true
}

func readBytes(b []byte) ([]byte, []byte, bool) {
	n, b, ok := readUint32(b)
	if !ok || uint64(len(b)) < uint64(n) {
		return nil, nil, false
	}
	return b[:n], b[n:], true
}

// requestQueue is the leader's FIFO of requests waiting for a slot. It holds at most one
// request per client (a newer timestamp takes the place of the client's older request, which
// that client gave up: clients are closed-loop), and skips requests already queued or proposed.
// So its length is bounded by the clients the configuration knows, and a client that signs
// requests faster than they commit gets one request per batch, not the whole batch
// (docs/protocol.md, "Bounds", finding C1).
type requestQueue struct {
	reqs   []Request
	queued map[ClientID]uint64 // highest timestamp queued or proposed per client
	at     map[ClientID]int    // position of the client's request in reqs, plus taken
	taken  int                 // requests taken from the front since the queue was made

	// Filling (fill): requests proposed since the last fill, and the fill in progress.
	cycle    int
	target   int
	deadline uint64 // 0: no fill in progress
}

func (q *requestQueue) init() {
	*q = requestQueue{queued: make(map[ClientID]uint64), at: make(map[ClientID]int)}
}

// push queues req; false if it was queued or proposed already. A request of a client that has
// one queued replaces it in its place.
func (q *requestQueue) push(req Request) bool {
	if t, ok := q.queued[req.Client]; ok && t >= req.Timestamp {
		return false
	}
	q.queued[req.Client] = req.Timestamp
	if i, ok := q.at[req.Client]; ok {
		q.reqs[i-q.taken] = req
		return true
	}
	q.at[req.Client] = q.taken + len(q.reqs)
	q.reqs = append(q.reqs, req)
	return true
}

// markProposed records that a request is in a pre-prepare of this view, so that it is not
// queued again.
func (q *requestQueue) markProposed(req *Request) {
	if t, ok := q.queued[req.Client]; !ok || t < req.Timestamp {
		q.queued[req.Client] = req.Timestamp
	}
}

// take removes up to n requests, and at most maxBytes of them (RequestBytes; at least one),
// from the front (and ends a fill).
func (q *requestQueue) take(n, maxBytes int) []Request {
	if n > len(q.reqs) {
		n = len(q.reqs)
	}
	size := 0
	for i := 0; i < n; i++ {
		if size += RequestBytes(&q.reqs[i]); size > maxBytes && i > 0 {
			n = i
			break
		}
	}
	q.cycle, q.deadline = q.cycle+n, 0
	batch := make([]Request, n)
	copy(batch, q.reqs[:n])
	for i := range batch {
		delete(q.at, batch[i].Client)
	}
	q.taken += n
	q.reqs = q.reqs[n:]
	if len(q.reqs) == 0 {
		q.reqs = nil
	}
	return batch
}

// executed forgets a client's request once it executed.
func (q *requestQueue) executed(c ClientID, t uint64) {
	if qt, ok := q.queued[c]; ok && qt <= t {
		delete(q.queued, c)
	}
}

// reset forgets everything (a new view: the new leader's queue starts empty).
func (q *requestQueue) reset() { q.init() }

// startFill begins a fill (Config.FillTicks) when the leader finds nothing in flight after a
// batch: the clients of the slots proposed since the last fill were just answered and will
// come back together, so it expects them, besides the requests that wait, and waits for all
// but a sixteenth of them (so that a few slow clients cannot hold the others back), for at
// most wait ticks (clients that left make one fill wait; the next expects fewer).
func (q *requestQueue) startFill(now uint64, wait int) {
	if wait > 0 && q.deadline == 0 && q.cycle > 0 {
		expect := q.cycle + len(q.reqs)
		q.target, q.deadline, q.cycle = expect-expect/16, now+uint64(wait), 0
	}
}

// fill is how many requests a leader with nothing in flight at tick now lets wait before it
// proposes: the fill's target until its deadline, and 1 (at once) without a fill.
func (q *requestQueue) fill(now uint64) int {
	if q.deadline == 0 || now >= q.deadline {
		return 1
	}
	return q.target
}

// waitSet holds the requests a replica knows of that have not executed, one per client (clients
// are closed-loop), each with the tick it was learned: the backups' request timers
// (viewChangeTick). Its size is bounded by the number of clients the configuration knows.
type waitSet struct {
	reqs  map[ClientID]*waitEntry
	order []*waitEntry // in the order learned; entries no longer in reqs are skipped
}

type waitEntry struct {
	req       Request
	since     uint64 // tick at which this replica learned the request
	forwarded View   // the view in which this replica forwarded it to the leader (0 = never)
}

func newWaitSet() waitSet { return waitSet{reqs: make(map[ClientID]*waitEntry)} }

func (w *waitSet) add(req Request, now uint64) *waitEntry {
	e := w.reqs[req.Client]
	if e != nil && e.req.Timestamp >= req.Timestamp {
		return e
	}
	e = &waitEntry{req: req, since: now}
	w.reqs[req.Client] = e
	w.order = append(w.order, e)
	w.compact()
	return e
}

// waitSlack is how many superseded entries order may hold beyond as many as live ones before
// add compacts it. Without compaction a client that signs a new timestamp for every request
// behind a request that waits long (a leader that ignores it until the view changes) grew
// order, and the requests it holds, without bound (finding C1).
const waitSlack = 64

// compact drops from order the entries no longer in reqs, keeping the order learned, once
// they are more than the live ones and waitSlack: at most one pass per as many changes.
func (w *waitSet) compact() {
	if len(w.order) <= 2*len(w.reqs)+waitSlack {
		return
	}
	live := w.order[:0]
	for _, e := range w.order {
		if w.reqs[e.req.Client] == e {
			live = append(live, e)
		}
	}
	clear(w.order[len(live):])
	w.order = live
}

// oldest returns the tick at which the longest-waiting request was learned.
func (w *waitSet) oldest() (uint64, bool) {
	for len(w.order) > 0 {
		e := w.order[0]
		if w.reqs[e.req.Client] == e {
			return e.since, true
		}
		w.order[0] = nil
		w.order = w.order[1:]
	}
	w.order = nil
	return 0, false
}

func (w *waitSet) executed(c ClientID, t uint64) {
	if e := w.reqs[c]; e != nil && e.req.Timestamp <= t {
		delete(w.reqs, c)
		w.compact()
	}
}

// sorted returns the waiting requests in client order (deterministic).
func (w *waitSet) sorted() []*waitEntry {
	ids := make([]ClientID, 0, len(w.reqs))
	for id := range w.reqs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*waitEntry, len(ids))
	for i, id := range ids {
		out[i] = w.reqs[id]
	}
	return out
}
