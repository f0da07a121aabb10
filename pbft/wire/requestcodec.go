package wire

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/bftbank/pbft/pbft"
)

// Field numbers of RequestPb and FramePb (wire.proto), which TestRequestFrameFieldNumbers
// checks against the generated descriptors.
const (
	requestClientField    protowire.Number = 1
	requestTimestampField protowire.Number = 2
	requestOpField        protowire.Number = 3
	requestReadOnlyField  protowire.Number = 4
	requestSigField       protowire.Number = 5

	frameFromField   protowire.Number = 1
	frameClientField protowire.Number = 2
	frameBodyField   protowire.Number = 3
	frameSigField    protowire.Number = 4
)

// Errors of input that is not a protobuf encoding.
var (
	errMalformedFrame   = fmt.Errorf("%w: client frame", ErrMalformed)
	errMalformedRequest = fmt.Errorf("%w: request", ErrMalformed)
)

// AppendRequestFrame appends to b the frame a client sends for r: the bytes EncodeFrame returns
// for Frame{Client: r.Client, Body: the deterministic RequestPb encoding of r}, with the same
// errors (b is then returned unchanged). It is the client's hot path: the deterministic protobuf
// encoding written by hand (fields in number order, zero values left out), sized once, with one
// allocation at most, when b lacks room.
func AppendRequestFrame(b []byte, r *pbft.Request) ([]byte, error) {
	if r == nil {
		return b, fmt.Errorf("wire: nil request")
	}
	body := requestSize(r)
	n := bytesFieldSize(frameClientField, len(r.Client)) + bytesFieldSize(frameBodyField, body)
	if n > MaxMessageSize {
		return b, fmt.Errorf("%w: encoding is %d bytes, max %d", ErrTooLarge, n, MaxMessageSize)
	}
	b = slices.Grow(b, n)
	b = appendBytesField(b, frameClientField, stringBytes(string(r.Client)))
	if body == 0 {
		return b, nil
	}
	b = protowire.AppendVarint(protowire.AppendTag(b, frameBodyField, protowire.BytesType), uint64(body))
	return appendRequest(b, r), nil
}

// appendRequest appends the encoding of r (a bare RequestPb) to b.
func appendRequest(b []byte, r *pbft.Request) []byte {
	b = appendBytesField(b, requestClientField, stringBytes(string(r.Client)))
	b = appendVarintField(b, requestTimestampField, r.Timestamp)
	b = appendBytesField(b, requestOpField, r.Op)
	b = appendVarintField(b, requestReadOnlyField, protowire.EncodeBool(r.ReadOnly))
	return appendBytesField(b, requestSigField, r.Sig)
}

// requestSize is the length of the encoding of r.
func requestSize(r *pbft.Request) int {
	return bytesFieldSize(requestClientField, len(r.Client)) + varintFieldSize(requestTimestampField, r.Timestamp) +
		bytesFieldSize(requestOpField, len(r.Op)) + varintFieldSize(requestReadOnlyField, protowire.EncodeBool(r.ReadOnly)) +
		bytesFieldSize(requestSigField, len(r.Sig))
}

// DecodeRequestFrame decodes the request that a client's frame carries. It accepts exactly what
// DecodeFrame and then the generated code's decoding of the frame's body accept, and yields the
// same request:
// like them, it lets the frame name a replica (From > 0) or another client than the request,
// and bounds the frame's signature without keeping it. As protobuf decoding does, it takes the
// last occurrence of a field and skips unknown fields and fields of an unexpected wire type.
// The request does not alias frame. It is the replica's hot path for client traffic, with three
// allocations: the request, its client id, and one array for its op and signature.
func DecodeRequestFrame(frame []byte) (*pbft.Request, error) {
	if len(frame) > MaxMessageSize {
		return nil, fmt.Errorf("%w: frame is %d bytes, max %d", ErrTooLarge, len(frame), MaxMessageSize)
	}
	f, err := parseFrame(frame)
	if err != nil {
		return nil, err
	}
	q, err := parseRequest(f.body)
	if err != nil {
		return nil, err
	}
	return q.request(), nil
}

// frameView holds the fields of an encoded FramePb; its byte fields alias the encoding.
type frameView struct {
	from              uint32
	client, body, sig []byte
}

// parseFrame reads a FramePb and refuses what DecodeFrame refuses, in the same order.
func parseFrame(b []byte) (frameView, error) {
	var f frameView
	ok := forEachField(b, func(num protowire.Number, typ protowire.Type, v uint64, val []byte) {
		switch {
		case typ == protowire.VarintType && num == frameFromField:
			f.from = uint32(v)
		case typ == protowire.BytesType && num == frameClientField:
			f.client = val
		case typ == protowire.BytesType && num == frameBodyField:
			f.body = val
		case typ == protowire.BytesType && num == frameSigField:
			f.sig = val
		}
	})
	if !ok {
		return f, errMalformedFrame
	}
	return f, f.check()
}

// check refuses the frames that DecodeFrame refuses once they parse.
func (f *frameView) check() error {
	if len(f.body) == 0 {
		return malformed("frame has no body")
	}
	if _, err := sigFromPb(f.sig, "frame signature"); err != nil {
		return err
	}
	if f.from == 0 || len(f.client) > 0 {
		if err := checkClientID(f.client); err != nil {
			return fmt.Errorf("frame: %w", err)
		}
	}
	return nil
}

// requestView holds the fields of an encoded RequestPb; its byte fields alias the encoding.
type requestView struct {
	client    []byte
	timestamp uint64
	op        []byte
	readOnly  bool
	sig       []byte
}

// parseRequest reads a RequestPb and refuses what the generated code's decoding refuses, in the
// same order.
func parseRequest(b []byte) (requestView, error) {
	var q requestView
	ok := forEachField(b, func(num protowire.Number, typ protowire.Type, v uint64, val []byte) {
		switch typ {
		case protowire.VarintType:
			q.setVarint(num, v)
		case protowire.BytesType:
			q.setBytes(num, val)
		}
	})
	if !ok {
		return q, errMalformedRequest
	}
	if err := checkClientID(q.client); err != nil {
		return q, err
	}
	_, err := sigFromPb(q.sig, "request signature")
	return q, err
}

func (q *requestView) setVarint(num protowire.Number, v uint64) {
	switch num {
	case requestTimestampField:
		q.timestamp = v
	case requestReadOnlyField:
		q.readOnly = protowire.DecodeBool(v)
	}
}

func (q *requestView) setBytes(num protowire.Number, v []byte) {
	switch num {
	case requestClientField:
		q.client = v
	case requestOpField:
		q.op = v
	case requestSigField:
		q.sig = v
	}
}

// request copies the fields out of the encoding into a new request: the client id as a
// string of its own (client tables keep it), Op and Sig in one array, each capped so that
// appending to one cannot write over the other.
func (q *requestView) request() *pbft.Request {
	r := &pbft.Request{Client: pbft.ClientID(q.client), Timestamp: q.timestamp, ReadOnly: q.readOnly}
	buf := make([]byte, len(q.op)+len(q.sig))
	r.Op, buf = carve(buf, q.op)
	r.Sig, _ = carve(buf, q.sig)
	r.Op, r.Sig = bytesOrNil(r.Op), bytesOrNil(r.Sig)
	return r
}

// carve copies src to the start of buf and returns that part, with no room to grow, and the
// rest of buf.
func carve(buf, src []byte) (field, rest []byte) {
	n := copy(buf, src)
	return buf[:n:n], buf[n:]
}

// checkClientID refuses the client ids that clientFromPb refuses, without making a string.
func checkClientID(b []byte) error {
	if len(b) == 0 {
		return malformed("empty client id")
	}
	if len(b) > MaxClientIDLen {
		return fmt.Errorf("%w: client id is %d bytes, max %d", ErrTooLarge, len(b), MaxClientIDLen)
	}
	return nil
}

// forEachField calls field with every field of the protobuf encoding b, in order, and reports
// whether b is one (see nextField); field sees the fields before the first malformed one.
func forEachField(b []byte, field func(num protowire.Number, typ protowire.Type, v uint64, val []byte)) bool {
	for len(b) > 0 {
		num, typ, v, val, n := nextField(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		field(num, typ, v, val)
	}
	return true
}

// nextField reads the field at the start of b: its number, its wire type, and its value when
// that type is varint (v) or bytes (val, aliasing b); a field of another type is skipped. n is
// the length of the field, negative when b does not start with one that protobuf decoding
// accepts (proto.Unmarshal also refuses field numbers that ConsumeTag lets through).
func nextField(b []byte) (num protowire.Number, typ protowire.Type, v uint64, val []byte, n int) {
	num, typ, n = protowire.ConsumeTag(b)
	if n < 0 || num > protowire.MaxValidNumber {
		return 0, 0, 0, nil, -1
	}
	var m int
	switch typ {
	case protowire.VarintType:
		v, m = protowire.ConsumeVarint(b[n:])
	case protowire.BytesType:
		val, m = protowire.ConsumeBytes(b[n:])
	default:
		m = protowire.ConsumeFieldValue(num, typ, b[n:])
	}
	if m < 0 {
		return 0, 0, 0, nil, -1
	}
	return num, typ, v, val, n + m
}
