package smallbank

import (
	"bytes"
	"testing"
)

func FuzzDecodeOp(f *testing.F) {
	for _, op := range sampleOps {
		enc, _ := EncodeOp(op)
		f.Add(enc)
	}
	f.Add([]byte{2, 1, 'A', 0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		op, err := DecodeOp(b)
		if err == nil {
			enc, err := EncodeOp(op)
			if err != nil || !bytes.Equal(enc, b) {
				t.Fatalf("decoded %v from %x, which encodes to %x, %v", op, b, enc, err)
			}
		}
		bank := scenarioBank(t)
		if _, err := DecodeResult(bank.Execute("A", b)); err != nil {
			t.Fatalf("Execute(%x) gave an undecodable result: %v", b, err)
		}
		checkInvariants(t, bank, bank.Total())
	})
}

func FuzzParseOp(f *testing.F) {
	for _, s := range []string{"SendPayment(A, B, 3)", "(A, B, 1)", "(E)", "(DepositChecking(C,25))", `"Balance(x)"`, "TransactSavings(A,- 3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		op, err := ParseOp(s)
		if err != nil {
			return
		}
		if back, err := ParseOp(op.String()); err != nil || back != op {
			t.Fatalf("ParseOp(%q) = %v, whose String parses to %v, %v", s, op, back, err)
		}
		ParseOps(s)
	})
}

func FuzzDecodeResult(f *testing.F) {
	f.Add(EncodeResult(Result{OK: true, Value: 14}))
	f.Add(EncodeResult(Result{OK: true, Value: 14, Version: 300}))
	f.Add(EncodeResult(Result{Reason: ReasonInsufficientFunds}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeResult(b); err == nil && !bytes.Equal(EncodeResult(r), b) {
			t.Fatalf("decoded %+v from %x, which encodes differently", r, b)
		}
	})
}

func FuzzRestore(f *testing.F) {
	f.Add(scenarioBank(f).Snapshot())
	f.Add(busyBank(f).Snapshot()) // accounts with versions above 0
	f.Fuzz(func(t *testing.T, b []byte) {
		bank := NewBank()
		if bank.Restore(b) == nil && !bytes.Equal(bank.Snapshot(), b) {
			t.Fatalf("restored %x, which snapshots differently", b)
		}
	})
}
