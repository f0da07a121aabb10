package wire

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/bftbank/pbft/pbft"
)

// Field numbers of ReplyPb (wire.proto), which TestReplyFieldNumbers checks against the
// generated descriptor.
const (
	replyViewField      protowire.Number = 1
	replyReplicaField   protowire.Number = 2
	replyClientField    protowire.Number = 3
	replyTimestampField protowire.Number = 4
	replyReadOnlyField  protowire.Number = 5
	replyResultField    protowire.Number = 6
	replySeqField       protowire.Number = 7
	replySigField       protowire.Number = 8
)

// errMalformedReply reports a reply that is not a protobuf encoding.
var errMalformedReply = fmt.Errorf("%w: reply", ErrMalformed)

// DecodeReplyFor decodes a reply (a bare ReplyPb) addressed to client self into rep. It
// accepts what DecodeReply accepts and refuses a reply to another client, without
// allocating: rep.Result and rep.Sig alias frame, and rep.Client is self. It is the
// client's hot path (n replies per request); DecodeReply, through the generated code, is the
// reference it is tested against. As protobuf decoding does, it takes the last occurrence of
// a field and skips unknown fields and fields of an unexpected wire type.
func DecodeReplyFor(frame []byte, self pbft.ClientID, rep *pbft.Reply) error {
	if len(frame) > MaxMessageSize {
		return fmt.Errorf("%w: reply is %d bytes", ErrTooLarge, len(frame))
	}
	*rep = pbft.Reply{}
	var client []byte
	for b := frame; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformedReply
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errMalformedReply
			}
			b = b[n:]
			setReplyVarint(rep, num, v)
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errMalformedReply
			}
			b = b[n:]
			setReplyBytes(rep, &client, num, v)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errMalformedReply
			}
			b = b[n:]
		}
	}
	return finishReply(rep, client, self)
}

func setReplyVarint(rep *pbft.Reply, num protowire.Number, v uint64) {
	switch num {
	case replyViewField:
		rep.View = pbft.View(v)
	case replyReplicaField:
		rep.Replica = pbft.NodeID(uint32(v))
	case replyTimestampField:
		rep.Timestamp = v
	case replyReadOnlyField:
		rep.ReadOnly = protowire.DecodeBool(v)
	case replySeqField:
		rep.Seq = pbft.Seq(v)
	}
}

func setReplyBytes(rep *pbft.Reply, client *[]byte, num protowire.Number, v []byte) {
	switch num {
	case replyClientField:
		*client = v
	case replyResultField:
		rep.Result = v
	case replySigField:
		rep.Sig = v
	}
}

// finishReply checks the fields as DecodeReply does and names the client.
func finishReply(rep *pbft.Reply, client []byte, self pbft.ClientID) error {
	switch {
	case len(client) == 0:
		return fmt.Errorf("%w: empty client id", ErrMalformed)
	case string(client) != string(self):
		return fmt.Errorf("%w: reply to %q, not %s", ErrMalformed, client, self)
	case len(rep.Sig) > MaxSigLen:
		return fmt.Errorf("%w: reply signature is %d bytes, max %d", ErrTooLarge, len(rep.Sig), MaxSigLen)
	}
	rep.Client = self
	if len(rep.Result) == 0 {
		rep.Result = nil
	}
	if len(rep.Sig) == 0 {
		rep.Sig = nil
	}
	return nil
}
