// Package wire is the protobuf wire format of the replicated bank (docs/protocol.md,
// "Authentication"; docs/design.md, "Processes, transport, configuration").
//
// Encode and Decode convert replica-to-replica messages (the types of package pbft) to and from a
// MessagePb whose oneof body names the type. Client traffic has its own codecs, written by hand for
// its hot paths: AppendRequestFrame/DecodeRequestFrame for requests and EncodeReply/DecodeReplyFor
// for replies. A Frame wraps an encoded body with its sender and signature; SignedBytes is what the
// sender signs, and a receiver verifies that signature over the exact body bytes before it decodes
// the body. Package wire performs no cryptography itself: package pbft/auth signs and verifies.
//
// Encoding is deterministic (proto.MarshalOptions{Deterministic: true}, and the same encoding
// written by hand for replies, which every request gets n of), so ViewChangeSignedBytes and
// AppendReplySigned are stable byte strings for one version of this package. Decoding is strict:
// digests must be 32 bytes, struct-valued fields must be present, sizes are bounded
// (MaxMessageSize, MaxSigLen, MaxClientIDLen), and every violation is an error, never a panic.
// Decoded values never alias the input buffer (except in DecodeReplyFor, the client's
// allocation-free path, whose doc says which fields do), and every empty slice or byte string
// decodes as nil, so a value that went through the wire compares equal to any other copy of it that
// did.
package wire

//go:generate protoc --go_out=. --go_opt=paths=source_relative wire.proto
