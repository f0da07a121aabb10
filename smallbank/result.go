package smallbank

import (
	"encoding/binary"
	"unicode/utf8"
)

// Failure reasons. An unknown account fails with "unknown account " followed by its name.
const (
	ReasonInsufficientFunds = "insufficient funds"
	ReasonNegativeAmount    = "negative amount"
	ReasonMalformed         = "malformed operation"
	ReasonNotAuthorized     = "not authorized"
	ReasonBalanceLimit      = "over the balance limit"
	ReasonDepositLimit      = "over the deposit limit"
	ReasonNotReadOnly       = "not a read-only operation"
	reasonUnknownAccount    = "unknown account "
)

// maxReasonLen bounds a decoded reason, so that a result stays small.
const maxReasonLen = 256

// Result is the outcome of one operation. OK is false when the operation failed and changed
// nothing; Reason then says why. Value is the balance of a Balance, and for a successful update
// the change it made to the bank's total money (see the package doc). Version is, for a
// Balance, the account's version: how many operations changed it since it was opened (0 for
// every other result).
type Result struct {
	OK      bool
	Reason  string
	Value   int64
	Version uint64
}

// String is "ok" or the failure reason.
func (r Result) String() string {
	if r.OK {
		return "ok"
	}
	return r.Reason
}

func succeed(value int64) Result     { return Result{OK: true, Value: value} }
func fail(reason string) Result      { return Result{Reason: reason} }
func unknownAccount(n string) Result { return fail(reasonUnknownAccount + n) }

// Status bytes of an encoded result.
const (
	statusFailed    = 0
	statusOK        = 1
	statusOKVersion = 2 // a success with a version above 0
)

// EncodeResult encodes r canonically: a status byte (statusFailed, statusOK, or
// statusOKVersion for a success with Version > 0), Value as a zigzag varint, then for a failure
// the reason's bytes and for statusOKVersion the version as a uvarint. A failure carries no
// version.
func EncodeResult(r Result) []byte {
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(r.Reason))
	switch {
	case r.OK && r.Version > 0:
		return binary.AppendUvarint(binary.AppendVarint(append(b, statusOKVersion), r.Value), r.Version)
	case r.OK:
		return binary.AppendVarint(append(b, statusOK), r.Value)
	}
	return append(binary.AppendVarint(append(b, statusFailed), r.Value), r.Reason...)
}

// DecodeResult decodes a result that EncodeResult produced; any other input is an error. A
// failure carries a UTF-8 reason of at most 256 bytes; a success carries none.
func DecodeResult(b []byte) (Result, error) {
	if len(b) == 0 || b[0] > statusOKVersion {
		return Result{}, errMalformed
	}
	r := reader{buf: b[1:]}
	res := Result{OK: b[0] != statusFailed, Value: r.varint()}
	if b[0] == statusOKVersion {
		if res.Version = r.uvarint(); res.Version == 0 && r.err == nil {
			return Result{}, errMalformed // not canonical: version 0 is statusOK
		}
	}
	if r.err != nil {
		return Result{}, r.err
	}
	if res.OK {
		return res, r.finish()
	}
	if len(r.buf) > maxReasonLen || !utf8.Valid(r.buf) {
		return Result{}, errMalformed
	}
	res.Reason = string(r.buf)
	return res, nil
}
