package smallbank

import (
	"bytes"
	"strings"
	"testing"
)

var sampleOps = []Op{
	{Kind: OpBalance, Account: "A"},
	{Kind: OpDepositChecking, Account: "C", Amount: 25},
	{Kind: OpTransactSavings, Account: "A", Amount: -3},
	{Kind: OpAmalgamate, Account: "A", Dest: "B"},
	{Kind: OpWriteCheck, Account: "1234", Amount: 5},
	{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 3},
	{Kind: OpSendPayment, Account: "acct_9-x", Dest: strings.Repeat("Z", MaxAccountLen), Amount: -1 << 63},
	{Kind: OpDepositChecking, Account: "A", Amount: 1<<63 - 1},
}

func TestOpRoundTrip(t *testing.T) {
	for _, op := range sampleOps {
		b, err := EncodeOp(op)
		if err != nil {
			t.Fatalf("EncodeOp(%v): %v", op, err)
		}
		got, err := DecodeOp(b)
		if err != nil || got != op {
			t.Fatalf("DecodeOp(EncodeOp(%v)) = %v, %v", op, got, err)
		}
	}
}

func TestOpEncodingIsCompact(t *testing.T) {
	b, _ := EncodeOp(Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 3})
	if want := []byte{6, 1, 'A', 1, 'B', 6}; !bytes.Equal(b, want) {
		t.Fatalf("encoding %x, want %x", b, want)
	}
}

func TestEncodeOpRejectsInvalid(t *testing.T) {
	bad := []Op{
		{},
		{Kind: 7, Account: "A"},
		{Kind: OpBalance},
		{Kind: OpBalance, Account: "A", Dest: "B"},
		{Kind: OpBalance, Account: "A", Amount: 1},
		{Kind: OpAmalgamate, Account: "A"},
		{Kind: OpAmalgamate, Account: "A", Dest: "B", Amount: 2},
		{Kind: OpSendPayment, Account: "A B", Dest: "C", Amount: 1},
		{Kind: OpDepositChecking, Account: strings.Repeat("a", MaxAccountLen+1), Amount: 1},
		{Kind: OpDepositChecking, Account: "é", Amount: 1},
	}
	for _, op := range bad {
		if b, err := EncodeOp(op); err == nil {
			t.Errorf("EncodeOp(%#v) = %x, want an error", op, b)
		}
	}
}

func TestDecodeOpRejectsMalformed(t *testing.T) {
	bad := map[string][]byte{
		"empty":              nil,
		"unknown kind":       {9, 1, 'A'},
		"kind zero":          {0, 1, 'A'},
		"missing name":       {1},
		"empty name":         {1, 0},
		"truncated name":     {1, 3, 'A', 'B'},
		"bad name byte":      {1, 1, ' '},
		"trailing bytes":     {1, 1, 'A', 0},
		"missing amount":     {2, 1, 'A'},
		"truncated varint":   {2, 1, 'A', 0x80},
		"non-minimal varint": {2, 1, 'A', 0x80, 0x00},
		"varint overflow":    {2, 1, 'A', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		"missing dest":       {6, 1, 'A', 4},
		"long name":          append([]byte{1, 65}, bytes.Repeat([]byte{'a'}, 65)...),
	}
	for name, b := range bad {
		if op, err := DecodeOp(b); err == nil {
			t.Errorf("%s: DecodeOp(%x) = %v, want an error", name, b, op)
		}
	}
}

func TestResultRoundTrip(t *testing.T) {
	results := []Result{
		{OK: true},
		{OK: true, Value: 14},
		{OK: true, Value: -6},
		{OK: true, Value: 14, Version: 3},
		{OK: true, Version: 1 << 40},
		{Reason: ReasonInsufficientFunds},
		{Reason: "unknown account A"},
		{Reason: ReasonMalformed},
		{},
	}
	for _, r := range results {
		got, err := DecodeResult(EncodeResult(r))
		if err != nil || got != r {
			t.Fatalf("DecodeResult(EncodeResult(%+v)) = %+v, %v", r, got, err)
		}
	}
}

func TestDecodeResultRejectsMalformed(t *testing.T) {
	bad := map[string][]byte{
		"empty":              nil,
		"bad status":         {3, 0},
		"missing version":    {2, 0},
		"version 0 spelled":  {2, 0, 0},
		"version then bytes": {2, 0, 1, 5},
		"missing value":      {1},
		"ok with reason":     {1, 0, 'x'},
		"non-minimal varint": {1, 0x80, 0x00},
		"invalid utf-8":      {0, 0, 0xff},
		"long reason":        append([]byte{0, 0}, bytes.Repeat([]byte{'x'}, maxReasonLen+1)...),
	}
	for name, b := range bad {
		if r, err := DecodeResult(b); err == nil {
			t.Errorf("%s: DecodeResult(%x) = %+v, want an error", name, b, r)
		}
	}
}

func TestResultString(t *testing.T) {
	if s := (Result{OK: true, Value: 3}).String(); s != "ok" {
		t.Errorf("ok result prints %q", s)
	}
	if s := (Result{Reason: ReasonInsufficientFunds}).String(); s != ReasonInsufficientFunds {
		t.Errorf("failed result prints %q", s)
	}
}
