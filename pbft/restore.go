package pbft

import "crypto/sha256"

// StagedRestorer is implemented by applications that can decode a snapshot into a fresh state
// beside the current one. A replica that fetched a snapshot then checks it against its
// checkpoint certificate before anything changes: a bad snapshot costs one decode, and neither
// an encoding of the current state nor a rollback. Applications that do not implement it are
// restored in place (Application.Restore) and rolled back from their own snapshot on a mismatch.
type StagedRestorer interface {
	// StageRestore decodes snapshot into a new state and returns that state's digest (as
	// Digest would return it once the state is current) and a function that makes it the
	// current state. Until commit is called the current state is unchanged; if commit is
	// never called the staged state is dropped. A snapshot that does not decode is an error.
	StageRestore(snapshot []byte) (digest Digest, commit func(), err error)
}

// restoreVerified replaces the replicated state (client table and application) with the
// snapshot b if its state digest is want, and reports whether it did; otherwise the state is
// left as it was.
func (r *Replica) restoreVerified(b []byte, want Digest) bool {
	st, ok := r.cfg.App.(StagedRestorer)
	if !ok {
		return r.restoreInPlace(b, want)
	}
	t, rest, ok := splitSnapshot(b)
	if !ok {
		return false
	}
	app, commit, err := st.StageRestore(rest)
	if err != nil || commit == nil || combineStateDigest(app, t) != want {
		return false
	}
	commit()
	r.clients = t
	return true
}

// restoreInPlace is restoreVerified for an application that is not a StagedRestorer: it
// restores, checks the digest, and on a mismatch restores the replica's own state again.
func (r *Replica) restoreInPlace(b []byte, want Digest) bool {
	own := r.takeSnapshot()
	if !r.restore(b) || r.stateDigest() != want {
		r.mustf(r.restore(own), "own snapshot restores")
		return false
	}
	return true
}

// combineStateDigest is the state digest of an application digest and a client table: the
// current state's (stateDigest) or a staged one's.
func combineStateDigest(app Digest, t *clientTable) Digest {
	h := sha256.New()
	h.Write([]byte("pbft/state/v2\x00")) // v2: the client table names each operation (Reply.Op)
	h.Write(app[:])
	h.Write(t.encode())
	var d Digest
	h.Sum(d[:0])
	return d
}

// splitSnapshot decodes a snapshot's client table and returns it with the application's part
// (takeSnapshot's layout).
func splitSnapshot(b []byte) (*clientTable, []byte, bool) {
	tb, rest, ok := readBytes(b)
	if !ok {
		return nil, nil, false
	}
	t, tail, ok := decodeClientTable(tb)
	if !ok || len(tail) != 0 {
		return nil, nil, false
	}
	return t, rest, true
}
