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
	replyOpField        protowire.Number = 9
)

// errMalformedReply reports a reply that is not a protobuf encoding.
var errMalformedReply = fmt.Errorf("%w: reply", ErrMalformed)

// DecodeReplyFor decodes a reply (a bare ReplyPb) addressed to client self into rep. It
// accepts what the generated code accepts and refuses a reply to another client, without
// allocating: rep.Result and rep.Sig alias frame, and rep.Client is self. It is the client's
// hot path (n replies per request); the tests check it against a decoding through the
// generated code. As protobuf decoding does, it takes the last occurrence of a field and
// skips unknown fields and fields of an unexpected wire type.
func DecodeReplyFor(frame []byte, self pbft.ClientID, rep *pbft.Reply) error {
	if len(frame) > MaxMessageSize {
		return fmt.Errorf("%w: reply is %d bytes", ErrTooLarge, len(frame))
	}
	*rep = pbft.Reply{}
	var client, op []byte
	ok := forEachField(frame, func(num protowire.Number, typ protowire.Type, v uint64, val []byte) {
		switch typ {
		case protowire.VarintType:
			setReplyVarint(rep, num, v)
		case protowire.BytesType:
			if num == replyOpField {
				op = val
			} else {
				setReplyBytes(rep, &client, num, val)
			}
		}
	})
	if !ok {
		return errMalformedReply
	}
	if err := setReplyOp(rep, op); err != nil {
		return err
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

// setReplyOp sets rep.Op from the encoded field: absent (the zero digest) or a digest's size.
func setReplyOp(rep *pbft.Reply, op []byte) error {
	switch len(op) {
	case 0:
	case len(rep.Op):
		copy(rep.Op[:], op)
	default:
		return fmt.Errorf("%w: reply operation digest is %d bytes", ErrMalformed, len(op))
	}
	return nil
}

// finishReply checks the fields as the generated code's decoding does and names the client.
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

// appendReply appends the encoding of r (a bare ReplyPb) to b: the deterministic protobuf
// encoding, written by hand because every request gets n of them (fields in number order,
// zero values left out).
func appendReply(b []byte, r *pbft.Reply) []byte {
	return appendReplyOp(appendBytesField(appendReplyFields(b, r), replySigField, r.Sig), r)
}

// AppendReplySigned appends to b the byte string a replica MACs for a reply to a client: a
// domain tag and the deterministic encoding of r without its Sig.
func AppendReplySigned(b []byte, r *pbft.Reply) []byte {
	return appendReplyOp(appendReplyFields(append(b, replyDomain...), r), r)
}

// appendReplyFields appends the encoding of the fields of r before Sig.
func appendReplyFields(b []byte, r *pbft.Reply) []byte {
	b = appendVarintField(b, replyViewField, uint64(r.View))
	b = appendVarintField(b, replyReplicaField, uint64(uint32(r.Replica)))
	b = appendBytesField(b, replyClientField, []byte(r.Client))
	b = appendVarintField(b, replyTimestampField, r.Timestamp)
	b = appendVarintField(b, replyReadOnlyField, protowire.EncodeBool(r.ReadOnly))
	b = appendBytesField(b, replyResultField, r.Result)
	return appendVarintField(b, replySeqField, uint64(r.Seq))
}

// appendReplyOp appends r.Op's field, absent for the zero digest.
func appendReplyOp(b []byte, r *pbft.Reply) []byte {
	if r.Op == (pbft.Digest{}) {
		return b
	}
	return appendBytesField(b, replyOpField, r.Op[:])
}

// replySize is the length of the encoding of r.
func replySize(r *pbft.Reply) int {
	return varintFieldSize(replyViewField, uint64(r.View)) + varintFieldSize(replyReplicaField, uint64(uint32(r.Replica))) +
		bytesFieldSize(replyClientField, len(r.Client)) + varintFieldSize(replyTimestampField, r.Timestamp) +
		varintFieldSize(replyReadOnlyField, protowire.EncodeBool(r.ReadOnly)) + bytesFieldSize(replyResultField, len(r.Result)) +
		varintFieldSize(replySeqField, uint64(r.Seq)) + bytesFieldSize(replySigField, len(r.Sig)) + opFieldSize(r.Op)
}

func opFieldSize(op pbft.Digest) int {
	if op == (pbft.Digest{}) {
		return 0
	}
	return bytesFieldSize(replyOpField, len(op))
}

func varintFieldSize(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

func bytesFieldSize(num protowire.Number, n int) int {
	if n == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(n)
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}
