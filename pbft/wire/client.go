package wire

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// EncodeReply encodes a replica's reply, the body of a frame sent to a client.
func EncodeReply(r *pbft.Reply) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("wire: nil reply")
	}
	n := replySize(r)
	if n > MaxMessageSize {
		return nil, fmt.Errorf("%w: encoding is %d bytes, max %d", ErrTooLarge, n, MaxMessageSize)
	}
	return appendReply(make([]byte, 0, n), r), nil
}
