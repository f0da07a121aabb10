package wire

import (
	"encoding/binary"
	"fmt"
)

// frameDomain separates frame signatures from every other signed byte string.
const frameDomain = "pbft/frame/v1\x00"

// Frame is the signed unit that travels on a connection. A replica's frame names the sender in From
// and is signed by the sender's Ed25519 key over SignedBytes(From, Body); the receiver verifies
// that signature over the exact Body bytes before it decodes Body (docs/protocol.md,
// "Authentication"). A client frame has From 0 and names the client in Client; its Sig may be
// empty, since the Request it carries is signed by the client, as a Reply is by its replica.
type Frame struct {
	From   uint32
	Client string
	Body   []byte
	Sig    []byte
}

// SignedBytes is the domain-separated byte string that the sender of a frame signs:
// "pbft/frame/v1\x00" || from (4 bytes, big-endian) || body.
func SignedBytes(from uint32, body []byte) []byte {
	b := make([]byte, 0, len(frameDomain)+4+len(body))
	b = append(b, frameDomain...)
	b = binary.BigEndian.AppendUint32(b, from)
	return append(b, body...)
}

// EncodeFrame encodes a frame for the transport.
func EncodeFrame(f Frame) ([]byte, error) {
	pb := &FramePb{From: f.From, Client: stringBytes(f.Client), Body: f.Body, Sig: f.Sig}
	return marshalBounded(pb)
}

// DecodeFrame decodes a frame without looking inside its body. A frame must have a body, and a
// sender: a replica id, or a client id when From is 0.
func DecodeFrame(b []byte) (Frame, error) {
	if len(b) > MaxMessageSize {
		return Frame{}, fmt.Errorf("%w: frame is %d bytes, max %d", ErrTooLarge, len(b), MaxMessageSize)
	}
	pb := &FramePb{}
	if err := unmarshal.Unmarshal(b, pb); err != nil {
		return Frame{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(pb.Body) == 0 {
		return Frame{}, malformed("frame has no body")
	}
	sig, err := sigFromPb(pb.Sig, "frame signature")
	if err != nil {
		return Frame{}, err
	}
	f := Frame{From: pb.From, Body: pb.Body, Sig: sig}
	if pb.From == 0 || len(pb.Client) > 0 {
		client, err := clientFromPb(pb.Client)
		if err != nil {
			return Frame{}, fmt.Errorf("frame: %w", err)
		}
		f.Client = string(client)
	}
	return f, nil
}
