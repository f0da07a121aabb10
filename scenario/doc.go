// Package scenario reads the scenario CSV files run by `pbft --test` (README, "Scenario file
// grammar") and computes the conflict order in which a set's transactions may be issued.
//
// # File grammar
//
// Each line is one row of up to five columns:
//
//	set number, transaction, live replicas, Byzantine replicas, attacks
//
// A row whose first column is non-empty starts a new set and carries the set's live, Byzantine
// and attack lists; the rows that follow leave those columns empty (or repeat the set's values)
// and add one transaction each. Sets keep file order whatever their numbers; a set number is a
// token of letters, digits, '.', '_' or '-' that contains a digit, such as "1" or "10".
//
// Rows are split by a tolerant splitter rather than a strict RFC 4180 reader: a comma inside
// (), [] or "" belongs to the cell, so `(A, B, 1)` needs no quotes. Double quotes are removed
// wherever they appear ("" inside quotes is a literal quote) and cells are trimmed.
//
// Transaction cells hold one or more operations separated by commas or semicolons:
//
//	(A, B, 1)                             legacy transfer: sender, receiver, amount
//	(E)                                   legacy balance read
//	DepositChecking(C, 25)                SmallBank operation: Name(arg, ...)
//	(DepositChecking(C,25)),(Balance(A))  several operations; outer parentheses are dropped
//	(A, C, 1); (C, E, 2)                  several operations, as files of earlier years wrote them
//
// Arguments are tokens of letters, digits, '_', '.', '+' or '-'; accounts are letters or
// numbers. This package checks only the shape of an operation (a legacy operation has one or
// three arguments); package smallbank gives it meaning, and ParseOptions.ValidateOp lets the
// caller check each operation with file and line in the error.
//
// Replica lists are `[n1, n2]`, `"[n1,n2]"`, `[S1, S2]`, `[1, 2]`, `[]`, `""` or an empty cell;
// names are case-insensitive and must lie in 1..n (n = DefaultReplicas unless
// ParseOptions.Replicas says otherwise). Commas, semicolons or spaces separate names. Lists are
// returned sorted; naming a replica twice is an error. An empty live list means that no replica
// is up during the set.
//
// Attacks are `[sign]`, `[time; dark(n6)]`, `"[equivocation(n6, n7)]"`, bare `time;dark(n2)`,
// `[]`, `""` or an empty cell. Items are separated by ';' (or ','); names are case-insensitive.
// sign, crash, time and stale-read take no replicas; dark and equivocation need at least one. An attack
// named twice is merged into one with the union of its replicas.
//
// A header row is optional: the first non-blank row is a header when its first cell is not a
// set number and its second cell is not a transaction (e.g. "Set Number,Transactions,...").
// A UTF-8 byte order mark, LF, CRLF or CR line ends, a missing final newline, blank lines (or
// rows of empty cells), a 4-column file without the attack column, and extra empty trailing
// columns are accepted. Duplicate set numbers are allowed (sets are identified by position).
//
// Some rows are legal but probably not what their author meant; File.Warnings lists them
// without stopping the run: a set number used before, an empty live list, a Byzantine replica
// that is not live, and attacks with no Byzantine replica.
//
// Every problem is reported as one *Error naming the file, the line and the problem, such as
// `tests/x.csv:7: unknown replica "n9" in live list (want n1..n7)`. No input makes the parser
// panic.
//
// # Schedule
//
// A set must end in the state of executing its transactions one by one in file
// order, with as much parallelism as that allows. Deps computes, from the accounts each
// transaction touches and the client that issues it, the earlier transactions each one must
// wait for; Scheduler releases transactions as their dependencies complete.
package scenario
