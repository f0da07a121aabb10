package byzantine

// Sign is the `sign` attack (docs/design.md, "Byzantine module"): every signature and share the
// replica produces is invalid, so receivers reject its messages (bad frame signature) and a
// collector that combines its shares finds them bad. The messages themselves are the honest ones;
// the runtime damages them after signing, because only the runtime holds the keys.
type Sign struct {
	Honest // it sends what the core asked; replies go out, with a bad signature the client rejects
}

// CorruptSignatures is true.
func (Sign) CorruptSignatures() bool { return true }

// String is the attack's name.
func (Sign) String() string { return "sign" }
