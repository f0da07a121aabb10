package runner

import (
	"github.com/bftbank/pbft/scenario"
	"github.com/bftbank/pbft/smallbank"
)

// txnPlan is one transaction row of a set, ready to issue.
type txnPlan struct {
	txn scenario.Txn
	ops []opPlan
}

// opPlan is one operation of a transaction.
type opPlan struct {
	text    string // as written in the file
	op      smallbank.Op
	encoded []byte
	client  string // the first account of the operation issues it
}

func (o opPlan) accounts() []string {
	if o.op.Dest != "" {
		return []string{o.op.Account, o.op.Dest}
	}
	return []string{o.op.Account}
}

func planTxn(txn scenario.Txn) (txnPlan, error) {
	p := txnPlan{txn: txn}
	for _, text := range txn.Ops {
		op, err := smallbank.ParseOp(text)
		if err != nil {
			return txnPlan{}, err
		}
		enc, err := smallbank.EncodeOp(op)
		if err != nil {
			return txnPlan{}, err
		}
		p.ops = append(p.ops, opPlan{text: text, op: op, encoded: enc, client: op.Account})
	}
	return p, nil
}

// access is what the schedule needs: the transaction's client (that of its first operation)
// and every account it touches.
func (p txnPlan) access() scenario.Access {
	a := scenario.Access{}
	if len(p.ops) > 0 {
		a.Client = p.ops[0].client
	}
	for _, op := range p.ops {
		a.Accounts = append(a.Accounts, op.accounts()...)
	}
	return a
}
