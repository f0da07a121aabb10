package transport

import (
	"container/list"
	"net"
	"sync"
)

// pendingPool holds the connections in their handshake, at most max in total and per from
// one source address. A newcomer beyond a bound is admitted and the oldest pending
// connection (of its source, or of all) is shed: an honest handshake ends within about a
// round trip, so an attacker who fills the pool with stalled connections must open new ones
// faster than honest ones complete to keep anyone out (docs/design.md, "Bounds at the edges").
type pendingPool struct {
	mu       sync.Mutex
	max, per int
	all      *list.List // of *pendingConn, oldest first
	bySource map[string]*list.List
}

// pendingConn is one connection's place in a pendingPool.
type pendingConn struct {
	nc          net.Conn
	src         string
	inAll, inSr *list.Element // nil once the place is given back or shed
}

func newPendingPool(max, per int) *pendingPool {
	return &pendingPool{max: max, per: per, all: list.New(), bySource: make(map[string]*list.List)}
}

// admit gives nc from src a place; shed, if not nil, is the connection whose place it took,
// already out of the pool, for the caller to close.
func (p *pendingPool) admit(nc net.Conn, src string) (pc *pendingConn, shed net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sr := p.bySource[src]
	if sr == nil {
		sr = list.New()
		p.bySource[src] = sr
	}
	var victim *pendingConn
	switch {
	case sr.Len() >= p.per:
		victim = sr.Front().Value.(*pendingConn)
	case p.all.Len() >= p.max:
		victim = p.all.Front().Value.(*pendingConn)
	}
	if victim != nil {
		p.remove(victim)
		shed = victim.nc
	}
	pc = &pendingConn{nc: nc, src: src}
	pc.inAll, pc.inSr = p.all.PushBack(pc), sr.PushBack(pc)
	return pc, shed
}

// release gives back pc's place; false if pc was shed (its connection is closed).
func (p *pendingPool) release(pc *pendingConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pc.inAll == nil {
		return false
	}
	p.remove(pc)
	return true
}

func (p *pendingPool) remove(pc *pendingConn) {
	p.all.Remove(pc.inAll)
	sr := p.bySource[pc.src]
	sr.Remove(pc.inSr)
	if sr.Len() == 0 {
		delete(p.bySource, pc.src)
	}
	pc.inAll, pc.inSr = nil, nil
}

// len counts the connections in their handshake.
func (p *pendingPool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.all.Len()
}
