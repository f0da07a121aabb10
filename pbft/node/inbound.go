package node

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/wire"
)

// onPeer is the transport's callback for a replica frame (on the connection's reader
// goroutine): it hands the frame to the pool, or drops it when the inbound budget is spent or
// the link's replica is penalized (penalty.go).
func (nd *node) onPeer(claimed pbft.NodeID, frame []byte) {
	if nd.faults.severed(claimed) { // the transport authenticated the link to claimed
		nd.severedFrames.Add(1)
		return
	}
	at := time.Now()
	if nd.penalties.blocked(claimed, at) {
		return
	}
	share := nd.peers.of(claimed)
	if share == nil || !share.take(len(frame)) {
		nd.rejects.overload.Add(1)
		return
	}
	nd.pool.submitIn(int(claimed), func() { nd.openPeer(claimed, frame, at, share) })
}

// openPeer verifies a replica frame and everything inside it (auth.OpenFrame, then
// auth.Verify unless the signer is penalized), on the pool. The frame stays charged to the
// share of the link that delivered it until the loop handled it.
func (nd *node) openPeer(claimed pbft.NodeID, frame []byte, at time.Time, share *peerShare) {
	from, m, err := nd.auth.OpenFrame(frame)
	if err == nil && from == nd.id {
		err = errFromSelf
	}
	if err == nil && nd.penalties.blocked(from, at) {
		share.give(len(frame))
		return
	}
	if _, reply := m.(*pbft.FetchReply); err == nil && reply && !nd.fetches.take(from) {
		err = errUnasked
	}
	if c, ok := m.(*pbft.Cert); err == nil && ok && nd.belowStable(c.Seq) {
		err = errBelowStable
	}
	if err == nil {
		if err = nd.auth.Verify(m); err != nil && auth.ProvesFaulty(err) {
			w := nd.penalties.strike(from, at)
			nd.log.Warn().Err(err).Msgf("%s: a %s signed by %s carries a bad signature: %s ignored for %v",
				nd.id, m.Kind(), from, from, w)
		}
	}
	if err != nil {
		share.give(len(frame))
		if from == 0 {
			from = claimed
		}
		nd.rejects.add(nd, from.String(), err)
		return
	}
	nd.mail.put(input{From: from, Msg: m, At: at, peer: share, size: len(frame)})
}

// errUnasked rejects a FETCH-REPLY from a peer this replica did not ask (fetchcredit.go),
// before its certificates are checked.
var errUnasked = errors.New("node: FETCH-REPLY not asked for")

// errBelowStable rejects a certificate for a slot at or below the stable checkpoint the loop
// last published, before its pairing: the core has no use for it, and a faulty replica could
// replay old certificates (evicted from the verified-certificate cache) to cost a pairing each.
var errBelowStable = errors.New("node: certificate at or below the stable checkpoint")

// belowStable reports whether slot s is at or below the last published stable checkpoint
// (which lags the core's: it only ever filters less).
func (nd *node) belowStable(s pbft.Seq) bool {
	o := nd.published.Load()
	return o != nil && s <= o.stable
}

// errFromSelf rejects a frame signed by this replica that came back from the network: its own
// messages are delivered locally, so such a frame is a replay.
var errFromSelf = errors.New("node: own frame replayed by a peer")

// errOtherClient rejects a request whose client is not the one its connection proved (for a
// multiplexed connection, the client the frame names, attached on it): a connection speaks
// for its clients only (docs/protocol.md, "Clients", finding C2).
var errOtherClient = errors.New("node: request of another client than its connection's")

// onClient is the transport's callback for a client frame, c the client its connection proved.
func (nd *node) onClient(c pbft.ClientID, frame []byte) {
	nd.received.Add(1)
	if !nd.shares.take(c) {
		return
	}
	if !nd.clients.take() {
		nd.shares.give(c)
		nd.rejects.overload.Add(1)
		return
	}
	at := time.Now()
	// Cheap (it does not alias frame); the signature is checked in a batch (requests.go).
	req, err := wire.DecodeRequestFrame(frame)
	if err == nil && req.Client != c {
		err = errOtherClient
	}
	if err != nil {
		nd.clients.give()
		nd.shares.give(c)
		nd.rejects.add(nd, "client "+string(c), err)
		return
	}
	nd.verifyLater(queuedRequest{client: c, req: req, at: at})
}

// rejections counts inbound frames refused before they reach the core.
type rejections struct {
	badSignature atomic.Uint64 // frame, client or certificate signature
	other        atomic.Uint64 // malformed, unknown sender or client, replays
	overload     atomic.Uint64 // dropped because the inbound budget was spent

	mu     sync.Mutex
	logged map[string]bool // sender and reason already logged
}

// maxLogged bounds the senders and reasons remembered for log-once (client ids are chosen by
// whoever connects).
const maxLogged = 4096

func newRejections() *rejections { return &rejections{logged: map[string]bool{}} }

// isBadSignature reports whether err is a signature that did not verify.
func isBadSignature(err error) bool {
	return errors.Is(err, auth.ErrBadFrame) || errors.Is(err, auth.ErrBadRequest) || errors.Is(err, auth.ErrBadCert)
}

// add counts a rejected frame and logs it at debug level the first time this sender fails
// for this reason.
func (r *rejections) add(nd *node, sender string, err error) {
	reason := "other"
	if isBadSignature(err) {
		reason = "bad signature"
		r.badSignature.Add(1)
	} else {
		r.other.Add(1)
	}
	key := sender + "/" + reason
	r.mu.Lock()
	first := !r.logged[key] && len(r.logged) < maxLogged
	if first {
		r.logged[key] = true
	}
	r.mu.Unlock()
	if first {
		nd.log.Debug().Err(err).Msgf("%s drop frame from %s: %s (logged once)", nd.id, sender, reason)
	}
}
