package wire

import "errors"

// Size limits that Decode enforces; inputs beyond them are errors.
const (
	// MaxMessageSize bounds one encoded message or frame (a snapshot of a large bank fits).
	MaxMessageSize = 64 << 20
	// MaxSigLen bounds every signature, share and certificate field.
	MaxSigLen = 1024
	// MaxClientIDLen bounds a client id.
	MaxClientIDLen = 256
)

// Errors that Decode and friends wrap; test with errors.Is.
var (
	// ErrTooLarge reports an input or a field beyond the limits above.
	ErrTooLarge = errors.New("wire: too large")
	// ErrMalformed reports input that is not a valid encoding of the expected message.
	ErrMalformed = errors.New("wire: malformed")
)
