package byzantine

import "github.com/bftbank/pbft/pbft"

// Sign is the `sign` attack (SPEC 5): every signature and share the replica produces is
// invalid, so receivers reject its messages (bad frame signature) and a collector that
// combines its shares finds them bad. The messages themselves are the honest ones; the runtime
// damages them after signing, because only the runtime holds the keys.
type Sign struct{}

// Outbound sends what the core asked.
func (Sign) Outbound(_ pbft.NodeID, n int, env pbft.Envelope) []Out { return Expand(n, env) }

// CorruptSignatures is true.
func (Sign) CorruptSignatures() bool { return true }

// DropReply is false: replies go out, with a bad signature the client rejects.
func (Sign) DropReply(*pbft.Reply) bool { return false }

// String is the attack's name.
func (Sign) String() string { return "sign" }
