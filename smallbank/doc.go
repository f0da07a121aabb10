// Package smallbank is the replicated application of the bank (docs/protocol.md, "Application state
// and authorization"): the SmallBank state machine of Cahill, Röhm and Fekete ("Serializable
// Isolation for Snapshot Databases", SIGMOD 2008) behind the pbft.Application interface.
//
// # State
//
// Every account has a checking and a savings balance in integer units. Accounts exist only once
// they are opened (Open, LoadAccounts, or a snapshot); an operation that names another account
// fails with "unknown account X". Savings never go negative; checking may, through the overdraft of
// WriteCheck.
//
// # Operations
//
// Op is one of the six SmallBank transactions; the legacy scenario forms "(s, r, amt)" and "(s)"
// are SendPayment and Balance. Semantics follow the original benchmark:
//
//   - Balance(N): checking + savings; read-only.
//   - DepositChecking(N, V): fails if V < 0; checking += V.
//   - TransactSavings(N, V): fails if savings + V < 0; savings += V (V may be negative).
//   - Amalgamate(N1, N2): moves all of N1's savings and checking into N2's checking.
//   - WriteCheck(N, V): fails if V < 0; if checking + savings < V then checking -= V+1
//     (overdraft penalty) else checking -= V.
//   - SendPayment(N1, N2, V): fails if V < 0, or if checking(N1) < V ("insufficient funds");
//     else moves V from N1's checking to N2's checking.
//
// Checks run in this order: malformed encoding, negative amount, a deposit over MaxDeposit
// ("over the deposit limit"), unknown account (N1 before N2), authorization ("not
// authorized"), insufficient funds, then the balance limits ("over the balance limit"). A
// failed operation changes nothing.
//
// # Owners, tellers and limits
//
// Every account has an owner, a client: the client of the account's own name unless it was
// opened for another (OpenOwned). Only the owner, or a client granted the teller role (Grant),
// may run an operation that debits the account: SendPayment and WriteCheck from it, a negative
// TransactSavings, Amalgamate from it (Op.Debits), and Amalgamate into it from an overdrawn
// account, which moves that debt into it. Execution enforces the rule on the effect: no stored
// change lowers an account's checking, savings or their sum unless the signer may debit it
// (Bank.lowers). Anyone may credit any account: deposits and payments into it. Accounts are opened by the bank's configuration only, never by a client
// operation. Owners and tellers are replicated state, in the snapshot and the digest.
//
// Every account stays within MaxBalance (checking and savings each, and their sum), and one
// deposit is at most MaxDeposit. With at most 2^31 accounts the bank's total then always fits
// in an int64, so no client can make the total overflow and fail other clients' operations;
// the worst a client can do is fill an account up to MaxBalance, after which credits to that
// account are refused until its owner spends. See authz.go.
//
// Self-operations keep the sequential meaning of the original transaction, which first updates
// N1 and then N2: SendPayment(A, A, V) checks A's funds and then leaves the state unchanged;
// Amalgamate(A, A) empties A and credits the sum back, so it sweeps A's savings into its checking.
//
// Result.Value is the balance for Balance and, for an update that succeeds, the change it made to
// the bank's total money (DepositChecking +V, TransactSavings +V, WriteCheck -V or -(V+1), 0 for
// the transfers). A benchmark can so check that the final Total equals the initial one plus the
// sum of the committed results.
//
// # Encodings
//
// Operations, results and snapshots have compact, canonical binary encodings: encoding is
// deterministic and decoding is strict (no trailing bytes, no over-long varints), so one value
// has exactly one encoding. Decoding never panics; Execute answers a malformed operation with
// the reason "malformed operation". ParseOp reads the text forms of scenario files.
//
// # Digest
//
// The state digest is the root of a Merkle tree of fixed shape over the elements (name, checking,
// savings, owner) of all accounts, bound to the tellers, so it is maintained in O(changes)
// (docs/protocol.md, "Application state and authorization"). Each account falls in one of 65,536
// leaf buckets by a hash of its name; a leaf hashes its accounts in name order, so the digest
// depends only on the set of accounts and balances, not on the order in which they were opened.
// Four levels of inner nodes with 16 children each lead to the root. An operation marks the leaves
// of the accounts it changes, and Digest rehashes only the marked leaves and the inner nodes above
// them. Large batches of new accounts, such as loading a million of them, are placed and hashed on
// all cores. See digest.go for the details.
//
// A Bank is not safe for concurrent use: the replica executes operations from its protocol loop.
package smallbank
