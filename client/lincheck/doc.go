// Package lincheck checks that a history of SmallBank operations, as the clients saw them, is
// linearizable (docs/protocol.md, "Linearizability"), with github.com/anishathalye/porcupine
// against a sequential model of the bank.
//
// A history is a list of Op: each operation's invocation and response times as its client saw
// them (simulator ticks, or monotonic nanoseconds), its input and its result. An operation
// without a response (its client gave up, or the run ended first) may have executed at any time
// after its invocation, or never: it is checked with an unknown result and no response time.
//
// # Model
//
// The state is the set of accounts whose balances differ from the opening balances (Initial
// gives those). A step applies the operation to a throw-away smallbank.Bank holding only the
// accounts it names, so the model is the bank's own code and cannot drift from it. A refusal
// for authorization ("not authorized") depends on the signer, the configuration and, for
// Amalgamate into another client's account, on whether the source is overdrawn; the model runs
// every operation as a teller and accepts an observed refusal as a step that changes nothing.
//
// # Partitions
//
// An operation touches one account, or two (Amalgamate, SendPayment). Operations are
// partitioned by the connected components of the graph whose edges are those pairs: no
// operation of one component reads or writes an account of another, so the history is
// linearizable if and only if every component's is (porcupine checks them in parallel).
//
// # Windows
//
// Log records the first limit invocations of a long run. Operations invoked after the window
// are dropped; an operation of the window that responded after the first dropped invocation may
// have seen a dropped operation, so its result is treated as unknown. Every linearization of
// the whole run restricted to the window is then a linearization of the window: a failure of
// the window is a failure of the run.
package lincheck
