package storage

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/cockroachdb/pebble/v2"
)

// ErrNoDatabase: a data directory holds files but no database that pebble can open.
var ErrNoDatabase = errors.New("holds files but no database (its MANIFEST marker is missing, or the files are not a replica's)")

// ErrLocked: another process (a running replica, or `pbft ledger verify`) has the data
// directory open.
var ErrLocked = errors.New("is in use by another process (a replica running on it?)")

// emptyOrMissing reports whether dir does not exist or has no entries. A directory with
// entries but without pebble's manifest marker is refused with ErrNoDatabase before pebble
// touches it (pebble would add its LOCK file; pebble.Open's ErrorIfNotExists stays the second
// guard).
func emptyOrMissing(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	others := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "marker.manifest.") {
			return false, nil
		}
		if e.Name() != "LOCK" { // pebble's lock file alone: a creation that stopped at once
			others++
		}
	}
	if others == 0 {
		return true, nil
	}
	return false, noDatabase(dir)
}

// noDatabase is the refusal of dir as holding files but no database, with what to do.
func noDatabase(dir string) error {
	return fmt.Errorf("%s %w; it was left as it is: move it aside to start an empty replica that catches up from its peers", dir, ErrNoDatabase)
}

// openError turns pebble's refusal to open dir into one line that says what to do.
func openError(dir string, err error) error {
	switch {
	case errors.Is(err, pebble.ErrDBDoesNotExist):
		return fmt.Errorf("storage: %w", noDatabase(dir))
	case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EWOULDBLOCK),
		strings.Contains(err.Error(), "lock held by current process"): // pebble's own error, unexported
		return fmt.Errorf("storage: %s %w", dir, ErrLocked)
	}
	return fmt.Errorf("storage: open %s: %s", dir, firstLine(err.Error()))
}

// firstLine is s up to its first newline: pebble's errors may carry a stack trace after it.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
