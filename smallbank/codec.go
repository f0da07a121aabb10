package smallbank

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errMalformed is the error of every strict decoder in this package.
var errMalformed = errors.New("smallbank: malformed encoding")

// EncodeOp encodes op canonically: the kind byte, then each account as a length byte and its
// bytes, then the amount as a zigzag varint, for the operands the kind takes.
func EncodeOp(op Op) ([]byte, error) {
	if err := op.Validate(); err != nil {
		return nil, err
	}
	shape, _ := op.Kind.shape()
	b := make([]byte, 0, 2+len(op.Account)+len(op.Dest)+2+binary.MaxVarintLen64)
	b = append(b, byte(op.Kind))
	b = appendName(b, op.Account)
	if shape.dest {
		b = appendName(b, op.Dest)
	}
	if shape.amount {
		b = binary.AppendVarint(b, op.Amount)
	}
	return b, nil
}

// DecodeOp decodes an operation that EncodeOp produced; any other input is an error.
func DecodeOp(b []byte) (Op, error) {
	if len(b) == 0 {
		return Op{}, errMalformed
	}
	op := Op{Kind: OpKind(b[0])}
	shape, ok := op.Kind.shape()
	if !ok {
		return Op{}, fmt.Errorf("smallbank: unknown operation kind %d", b[0])
	}
	r := reader{buf: b[1:]}
	op.Account = r.name()
	if shape.dest {
		op.Dest = r.name()
	}
	if shape.amount {
		op.Amount = r.varint()
	}
	if err := r.finish(); err != nil {
		return Op{}, err
	}
	return op, nil
}

func appendName(b []byte, name string) []byte {
	return append(append(b, byte(len(name))), name...)
}

// reader decodes strictly and remembers the first error, so that callers check once.
type reader struct {
	buf []byte
	err error
}

func (r *reader) fail() { r.err, r.buf = errMalformed, nil }

// name reads a length-prefixed account name and validates it.
func (r *reader) name() string { return string(r.nameBytes()) }

// nameBytes is name without the copy; the result aliases the input.
func (r *reader) nameBytes() []byte {
	if r.err != nil || len(r.buf) == 0 || int(r.buf[0]) >= len(r.buf) {
		r.fail()
		return nil
	}
	n := int(r.buf[0])
	s := r.buf[1 : 1+n]
	r.buf = r.buf[1+n:]
	if !validAccount(s) {
		r.fail()
		return nil
	}
	return s
}

// ownerBytes reads a length-prefixed owner: a valid name, or empty for the account's own
// client. The result aliases the input.
func (r *reader) ownerBytes() []byte {
	if r.err == nil && len(r.buf) > 0 && r.buf[0] == 0 {
		r.buf = r.buf[1:]
		return nil
	}
	return r.nameBytes()
}

// varint reads a zigzag varint in its shortest form.
func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf)
	if n <= 0 || n != varintLen(v) {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// uvarint reads an unsigned varint in its shortest form.
func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(tmp[:], v) {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// finish returns the first error, or an error if bytes are left over.
func (r *reader) finish() error {
	if r.err == nil && len(r.buf) != 0 {
		r.fail()
	}
	return r.err
}

func varintLen(v int64) int {
	var tmp [binary.MaxVarintLen64]byte
	return binary.PutVarint(tmp[:], v)
}
