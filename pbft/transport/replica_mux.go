package transport

import (
	"errors"
	"net"

	"github.com/bftbank/pbft/pbft"
)

// serveMux runs a multiplexed client connection whose handshake proved client first: every
// frame names its client; an attach proves one more client (which then routes its replies
// here), and a data frame counts only for a client proven on this connection.
func (t *Transport) serveMux(nc net.Conn, src string, name pbft.ClientID, n nonces, first pbft.ClientID) {
	s, ok := t.newSession(nc, src, name, true)
	if !ok {
		return
	}
	defer t.endSession(s)
	if !t.takeOver(first, s) {
		t.drop(nc) // a connection carries at least one client
		return
	}
	label := t.self.String() + "<->clients " + string(name)
	deliver := func(frame []byte) {
		if err := t.muxFrame(s, n, frame); err != nil {
			t.protocolErrors.Add(1)
			t.opts.log.Debug().Err(err).Msgf("%s protocol error, closing", label)
			s.c.Close()
		}
	}
	t.serve(s.c, t.clientStream(label, s.out, deliver))
}

// muxFrame handles one frame of a multiplexed session; an error closes the connection.
func (t *Transport) muxFrame(s *clientSession, n nonces, frame []byte) error {
	kind, id, payload, err := decodeMux(frame)
	if err != nil {
		return err
	}
	if kind == muxData {
		if !s.has(id) {
			t.refused.unattached.Add(1)
			return nil
		}
		t.onClient(id, payload)
		return nil
	}
	if s.has(id) {
		return nil // proven already on this connection
	}
	switch err := t.checkAttach(id, payload, n); {
	case errors.Is(err, errBadProof) || errors.Is(err, errBadMux):
		t.refused.count(err)
		return err
	case err != nil: // unknown client, or a stale attach: dropped, the others still served
		t.refused.count(err)
		return nil
	}
	t.takeOver(id, s)
	return nil
}
