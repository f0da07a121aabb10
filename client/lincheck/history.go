package lincheck

import (
	"math"

	"github.com/anishathalye/porcupine"

	"github.com/bftbank/pbft/smallbank"
)

// Op is one client operation as its client saw it.
type Op struct {
	Client int          // the client's number, from 0 (porcupine draws one row per client)
	Input  smallbank.Op // what was asked
	Call   int64        // invocation time
	Return int64        // response time, when Done
	Result smallbank.Result
	// Done is true when the client accepted a result. False: no response (the client gave up,
	// or the run ended), so the operation may take effect at any time after Call, or never.
	Done bool
}

// operations converts a history into porcupine's operations.
func operations(ops []Op) []porcupine.Operation {
	out := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		ret, o := int64(math.MaxInt64), output{}
		if op.Done {
			ret, o = op.Return, output{res: op.Result, known: true}
		}
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op.Input, Call: op.Call, Output: o, Return: ret}
	}
	return out
}

// partition splits a history into the connected components of its accounts (see the package
// documentation), in the order of their first operation.
func partition(history []porcupine.Operation) [][]porcupine.Operation {
	uf := unionFind{}
	for _, op := range history {
		in := op.Input.(smallbank.Op)
		uf.union(in.Account, in.Dest)
	}
	index := map[string]int{}
	var parts [][]porcupine.Operation
	for _, op := range history {
		root := uf.find(op.Input.(smallbank.Op).Account)
		i, ok := index[root]
		if !ok {
			i = len(parts)
			index[root] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

// unionFind joins account names into components (path halving, no ranks: components are
// small and the history is walked once).
type unionFind map[string]string

func (u unionFind) find(x string) string {
	for {
		p, ok := u[x]
		if !ok || p == x {
			return x
		}
		gp := u[p]
		if gp == "" {
			gp = p
		}
		u[x] = gp
		x = p
	}
}

func (u unionFind) union(a, b string) {
	ra := u.find(a)
	if b == "" {
		if _, ok := u[ra]; !ok {
			u[ra] = ra
		}
		return
	}
	rb := u.find(b)
	u[ra] = ra
	u[rb] = ra
}
