package wire

import (
	"encoding/binary"
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// A reply has a fixed binary layout instead of protobuf: every replica sends one per request to
// its client, and the client reads seven, so encoding, MAC input and decoding must be nearly
// free (with protobuf they took three marshals and a frame per reply, 4% of the benchmark's CPU).
// All integers are big-endian:
//
//	version   1 byte, replyVersion
//	replica   4 bytes
//	view      8 bytes
//	seq       8 bytes
//	timestamp 8 bytes
//	flags     1 byte: bit 0 read-only, the other bits zero
//	client    2-byte length (1..MaxClientIDLen), then the id
//	result    4-byte length, then the result
//	sig       2-byte length (0..MaxSigLen), then the MAC
//
// Everything before sig is the reply body; ReplySignedBytes is replyDomain and the body, so a
// MAC covers every field. Decoding refuses any other version, flag bit, length or trailing
// byte, so a reply has exactly one encoding.
const replyVersion = 1

// replyFixed is the size of the fields before the client id.
const replyFixed = 1 + 4 + 8 + 8 + 8 + 1

const flagReadOnly = 1

// EncodeReply encodes a replica's reply, the payload of a reply on a client connection.
func EncodeReply(r *pbft.Reply) ([]byte, error) {
	if err := checkReply(r); err != nil {
		return nil, err
	}
	b := appendReplyBody(make([]byte, 0, replySize(r)), r)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.Sig)))
	return append(b, r.Sig...), nil
}

// ReplySignedBytes is the byte string a replica MACs for a reply to a client: a domain tag and
// the reply's encoding up to its MAC.
func ReplySignedBytes(r *pbft.Reply) []byte {
	b := make([]byte, 0, len(replyDomain)+replySize(r))
	return appendReplyBody(append(b, replyDomain...), r)
}

// DecodeReply decodes a replica's reply; the client id must be present.
func DecodeReply(b []byte) (*pbft.Reply, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: reply is %d bytes, max %d", ErrTooLarge, len(b), MaxMessageSize)
	}
	if len(b) < replyFixed || b[0] != replyVersion || b[29]&^flagReadOnly != 0 {
		return nil, malformed("reply header")
	}
	r := &pbft.Reply{
		Replica: pbft.NodeID(binary.BigEndian.Uint32(b[1:])), View: pbft.View(binary.BigEndian.Uint64(b[5:])),
		Seq: pbft.Seq(binary.BigEndian.Uint64(b[13:])), Timestamp: binary.BigEndian.Uint64(b[21:]),
		ReadOnly: b[29]&flagReadOnly != 0,
	}
	rest := b[replyFixed:]
	client, rest, err := lengthPrefixed(rest, 2, MaxClientIDLen, "reply client")
	if err != nil {
		return nil, err
	}
	if len(client) == 0 {
		return nil, malformed("reply without client")
	}
	result, rest, err := lengthPrefixed(rest, 4, MaxMessageSize, "reply result")
	if err != nil {
		return nil, err
	}
	sig, rest, err := lengthPrefixed(rest, 2, MaxSigLen, "reply signature")
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, malformed("trailing bytes after reply")
	}
	// The input may be a reused read buffer: the reply keeps copies.
	r.Client, r.Result, r.Sig = pbft.ClientID(client), cloneOrNil(result), cloneOrNil(sig)
	return r, nil
}

// checkReply refuses a reply whose fields do not fit the layout.
func checkReply(r *pbft.Reply) error {
	switch {
	case r == nil:
		return fmt.Errorf("wire: nil reply")
	case len(r.Client) == 0:
		return malformed("reply without client")
	case len(r.Client) > MaxClientIDLen:
		return fmt.Errorf("%w: reply client id of %d bytes", ErrTooLarge, len(r.Client))
	case len(r.Sig) > MaxSigLen:
		return fmt.Errorf("%w: reply signature of %d bytes", ErrTooLarge, len(r.Sig))
	case len(r.Result) > MaxMessageSize:
		return fmt.Errorf("%w: reply result of %d bytes", ErrTooLarge, len(r.Result))
	}
	return nil
}

// replySize is the encoded size of r with its signature.
func replySize(r *pbft.Reply) int {
	return replyFixed + 2 + len(r.Client) + 4 + len(r.Result) + 2 + len(r.Sig)
}

// appendReplyBody appends the encoding of r up to its signature.
func appendReplyBody(b []byte, r *pbft.Reply) []byte {
	b = append(b, replyVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(r.Replica))
	b = binary.BigEndian.AppendUint64(b, uint64(r.View))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Seq))
	b = binary.BigEndian.AppendUint64(b, r.Timestamp)
	var flags byte
	if r.ReadOnly {
		flags |= flagReadOnly
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.Client)))
	b = append(b, r.Client...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(r.Result)))
	return append(b, r.Result...)
}

// lengthPrefixed splits off a field with a big-endian length of size bytes (2 or 4), at most
// max bytes long.
func lengthPrefixed(b []byte, size, max int, what string) (field, rest []byte, err error) {
	if len(b) < size {
		return nil, nil, malformed("%s length", what)
	}
	var n uint64
	if size == 2 {
		n = uint64(binary.BigEndian.Uint16(b))
	} else {
		n = uint64(binary.BigEndian.Uint32(b))
	}
	b = b[size:]
	switch {
	case n > uint64(max):
		return nil, nil, fmt.Errorf("%w: %s of %d bytes, max %d", ErrTooLarge, what, n, max)
	case n > uint64(len(b)):
		return nil, nil, malformed("%s truncated", what)
	}
	return b[:n], b[n:], nil
}

// cloneOrNil copies b; empty is nil.
func cloneOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
