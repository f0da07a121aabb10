package wire

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// encodeRequest encodes a client request through the generated code: the reference that
// AppendRequestFrame, the hand-written codec clients use, must match byte for byte.
func encodeRequest(r *pbft.Request) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("wire: nil request")
	}
	return marshalBounded(requestToPb(r, &RequestPb{}))
}

// decodeRequest decodes a client request through the generated code: the reference for
// DecodeRequestFrame, the hand-written codec replicas use.
func decodeRequest(b []byte) (*pbft.Request, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: request is %d bytes, max %d", ErrTooLarge, len(b), MaxMessageSize)
	}
	pb := &RequestPb{}
	if err := unmarshal.Unmarshal(b, pb); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	r := &pbft.Request{}
	if err := requestFromPb(pb, r); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeReply decodes a replica's reply through the generated code: the reference for
// DecodeReplyFor, the hand-written codec clients use. The client id must be present.
func decodeReply(b []byte) (*pbft.Reply, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: reply is %d bytes, max %d", ErrTooLarge, len(b), MaxMessageSize)
	}
	pb := &ReplyPb{}
	if err := unmarshal.Unmarshal(b, pb); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return replyFromPb(pb)
}
