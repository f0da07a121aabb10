package transport

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// Handshake failures, each counted under its own name in Stats.Refused.
var (
	errBadProof      = errors.New("transport: proof does not verify")
	errUnknownClient = errors.New("transport: unknown client")
	errStaleAttach   = errors.New("transport: attach for an earlier connection")
	errReplaceSoon   = errors.New("transport: replica link replaced too soon")
	errClientConns   = errors.New("transport: too many client connections")
	errClientIDs     = errors.New("transport: too many client ids")
)

// authenticate reads the hello of an accepted connection and runs the handshake of its role;
// it returns how to serve the connection once the handshake succeeded.
func (t *Transport) authenticate(nc net.Conn, src string) (serve func(), err error) {
	h, err := readHello(nc)
	if err != nil {
		return nil, err
	}
	n := nonces{dial: h.nonce, accept: freshNonce()}
	switch h.role {
	case roleReplica:
		return t.acceptReplica(nc, h, n)
	case roleClient:
		return t.acceptClient(nc, src, h, n)
	}
	return t.acceptMux(nc, src, h, n)
}

// acceptReplica proves this replica's key to replica h.from and checks its proof in turn.
func (t *Transport) acceptReplica(nc net.Conn, h hello, n nonces) (func(), error) {
	p, ok := t.peers[h.from]
	if !ok || h.to != t.self || h.from > t.self {
		return nil, fmt.Errorf("%w: replica %v to %v", errBadHello, h.from, h.to)
	}
	sig := t.keys.Self.Sign(transcript(labelAcceptor, t.self, h.from, "", n.dial, n.accept))
	if _, err := nc.Write(append(n.accept[:], sig...)); err != nil {
		return nil, err
	}
	if err := readProof(nc, t.keys.Replicas[h.from], transcript(labelDialer, t.self, h.from, "", n.dial, n.accept)); err != nil {
		return nil, err
	}
	return func() { t.handOver(p, nc) }, nil
}

// handOver gives an authenticated connection to its peer, unless the peer's link was
// replaced less than ReplaceInterval ago.
func (t *Transport) handOver(p *peer, nc net.Conn) {
	if !p.mayReplace(t.limits.ReplaceInterval) {
		t.refuse(nc, errReplaceSoon)
		return
	}
	c := &conn{Conn: nc, r: bufio.NewReaderSize(nc, ioBufferSize)}
	select {
	case p.incoming <- c:
	case <-t.done:
		t.drop(c)
	}
}

// acceptClient challenges a client to prove the key of the id it claims.
func (t *Transport) acceptClient(nc net.Conn, src string, h hello, n nonces) (func(), error) {
	key, ok := t.clientKey(h.client)
	if !ok {
		return nil, fmt.Errorf("%w %q", errUnknownClient, h.client)
	}
	if _, err := nc.Write(n.accept[:]); err != nil {
		return nil, err
	}
	if err := readProof(nc, key, transcript(labelClient, t.self, 0, h.client, n.dial, n.accept)); err != nil {
		return nil, err
	}
	return func() { t.serveClient(nc, src, h.client) }, nil
}

// acceptMux challenges a multiplexed connection, which must attach (prove) its first client
// within the handshake.
func (t *Transport) acceptMux(nc net.Conn, src string, h hello, n nonces) (func(), error) {
	if _, err := nc.Write(n.accept[:]); err != nil {
		return nil, err
	}
	frame, err := readSmallFrame(nc, maxAttachFrame)
	if err != nil {
		return nil, err
	}
	kind, id, proof, err := decodeMux(frame)
	if err == nil && kind != muxAttach {
		err = fmt.Errorf("%w: first frame is not an attach", errBadMux)
	}
	if err == nil {
		err = t.checkAttach(id, proof, n)
	}
	if err != nil {
		return nil, err
	}
	return func() { t.serveMux(nc, src, h.client, n, id) }, nil
}

// maxAttachFrame bounds the first frame of a multiplexed connection: an attach.
const maxAttachFrame = 3 + maxClientIDLen + attachTagSize + crypto.SignatureSize

// checkAttach checks an attach's proof of client id for the connection of nonces n.
func (t *Transport) checkAttach(id pbft.ClientID, proof []byte, n nonces) error {
	key, ok := t.clientKey(id)
	switch {
	case !ok:
		return fmt.Errorf("%w %q", errUnknownClient, id)
	case len(proof) != attachTagSize+crypto.SignatureSize:
		return fmt.Errorf("%w: attach proof of %d bytes", errBadMux, len(proof))
	case !bytes.Equal(proof[:attachTagSize], n.accept[:attachTagSize]):
		return errStaleAttach
	case !key.Verify(transcript(labelAttach, t.self, 0, id, n.dial, n.accept), proof[attachTagSize:]):
		return errBadProof
	}
	return nil
}

func (t *Transport) clientKey(id pbft.ClientID) (crypto.VerifyKey, bool) {
	if t.keys.Clients == nil {
		return crypto.VerifyKey{}, false
	}
	return t.keys.Clients(id)
}

// readProof reads a signature and checks it against key and msg.
func readProof(r io.Reader, key crypto.VerifyKey, msg []byte) error {
	var sig [crypto.SignatureSize]byte
	if _, err := io.ReadFull(r, sig[:]); err != nil {
		return err
	}
	if !key.Verify(msg, sig[:]) {
		return errBadProof
	}
	return nil
}

// readSmallFrame reads one frame of at most max bytes with exact reads (nothing buffered).
func readSmallFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [frameHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(hdr[:])
	if uint64(size) > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes, max %d", errFrameTooLarge, size, max)
	}
	frame := make([]byte, size)
	_, err := io.ReadFull(r, frame)
	return frame, err
}

// prover is the dialer's half of a handshake: it reads what the acceptor sent after its
// nonce, checks it, and returns the dialer's proof (nil: none).
type prover func(r io.Reader, n nonces) ([]byte, error)

// dial connects to addr, sends hello h with a fresh nonce, reads the acceptor's nonce and
// completes the handshake with prove, all within HelloTimeout.
func (b *base) dial(addr string, h hello, prove prover) (*conn, error) {
	d := net.Dialer{Timeout: b.opts.dialTimeout}
	nc, err := d.DialContext(b.ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if !b.track(nc) {
		return nil, errClosed
	}
	h.nonce = freshNonce()
	n := nonces{dial: h.nonce}
	nc.SetDeadline(time.Now().Add(b.opts.helloTimeout))
	err = b.dialHandshake(nc, h, &n, prove)
	nc.SetDeadline(time.Time{})
	if err != nil {
		b.drop(nc)
		return nil, err
	}
	return &conn{Conn: nc, r: bufio.NewReaderSize(nc, ioBufferSize), nonces: n}, nil
}

func (b *base) dialHandshake(nc net.Conn, h hello, n *nonces, prove prover) error {
	if _, err := nc.Write(h.encode()); err != nil {
		return err
	}
	if _, err := io.ReadFull(nc, n.accept[:]); err != nil {
		return err
	}
	proof, err := prove(nc, *n)
	if err != nil || proof == nil {
		return err
	}
	_, err = nc.Write(proof)
	return err
}

// replicaProver checks replica to's proof and proves self's key to it.
func replicaProver(keys Keys, self, to pbft.NodeID) prover {
	return func(r io.Reader, n nonces) ([]byte, error) {
		if err := readProof(r, keys.Replicas[to], transcript(labelAcceptor, to, self, "", n.dial, n.accept)); err != nil {
			return nil, err
		}
		return keys.Self.Sign(transcript(labelDialer, to, self, "", n.dial, n.accept)), nil
	}
}

// clientProver proves client id's key to replica to.
func clientProver(key *crypto.SigningKey, id pbft.ClientID, to pbft.NodeID) prover {
	return func(_ io.Reader, n nonces) ([]byte, error) {
		return key.Sign(transcript(labelClient, to, 0, id, n.dial, n.accept)), nil
	}
}

// noProof is the prover of a multiplexed connection: its attaches carry the proofs.
func noProof(io.Reader, nonces) ([]byte, error) { return nil, nil }
