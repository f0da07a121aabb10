package wire

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// EncodeRequest encodes a client request, the body of a client's frame.
func EncodeRequest(r *pbft.Request) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("wire: nil request")
	}
	return marshalBounded(requestToPb(r, &RequestPb{}))
}

// DecodeRequest decodes a client request; the client id must be present.
func DecodeRequest(b []byte) (*pbft.Request, error) {
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
