package storage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// Pebble is the Store of a data directory, on github.com/cockroachdb/pebble/v2. Every Append
// and SaveCheckpoint is one pebble batch committed with Sync (pebble groups concurrent
// commits into one WAL sync). Pebble's WAL checksums its records and drops a torn tail on
// recovery; the values carry their own CRC as well (Load).
type Pebble struct {
	*engine
}

// OpenPebble opens (or creates) the data directory dir for replica id. fresh reports that the
// directory was missing or empty: the replica starts from genesis. A directory written by
// another replica or cluster is refused with ErrOtherReplica. A directory that holds files but
// no database pebble can open (its manifest marker lost, or files that are not pebble's) is
// refused with ErrNoDatabase and left as it is: opening it as a new database would make pebble
// delete the tables it does not know, the replica's whole history.
func OpenPebble(dir string, id Identity) (p *Pebble, fresh bool, err error) {
	empty, err := emptyOrMissing(dir)
	if err != nil {
		return nil, false, fmt.Errorf("storage: %w", err)
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}, MemTableSize: memTableSize, ErrorIfNotExists: !empty})
	if err != nil {
		return nil, false, openError(dir, err)
	}
	e, fresh, err := openEngine(&pebbleKV{db}, id)
	if err != nil {
		db.Close()
		return nil, false, fmt.Errorf("storage: %s: %w", dir, err)
	}
	return &Pebble{e}, fresh, nil
}

// openPebbleReadOnly opens an existing data directory for reading only.
func openPebbleReadOnly(dir string) (*pebbleKV, error) {
	// Refused before pebble adds its LOCK file.
	if empty, err := emptyOrMissing(dir); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	} else if empty {
		return nil, fmt.Errorf("storage: %s is empty or missing: not a replica's data directory", dir)
	}
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}, ReadOnly: true, ErrorIfNotExists: true})
	if err != nil {
		return nil, openError(dir, err)
	}
	return &pebbleKV{db}, nil
}

// memTableSize is larger than pebble's default (4 MiB): votes and certificates are deleted
// at each stable checkpoint, mostly before their memtable is flushed, so fewer of them are
// ever written to tables and compacted (part of the session-8 changes measured together in
// docs/benchmarks.md, "Durability"; not measured alone).
const memTableSize = 32 << 20

type pebbleKV struct{ db *pebble.DB }

func (p *pebbleKV) get(key []byte) ([]byte, bool, error) {
	v, closer, err := p.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer closer.Close()
	return bytes.Clone(v), true, nil
}

func (p *pebbleKV) scan(lo, hi []byte, fn func(k, v []byte)) error {
	opts := &pebble.IterOptions{LowerBound: lo, UpperBound: hi}
	it, err := p.db.NewIter(opts)
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return err
		}
		fn(it.Key(), v)
	}
	return it.Close()
}

func (p *pebbleKV) apply(ops []op, sync bool) error {
	b := p.db.NewBatch()
	defer b.Close()
	for _, o := range ops {
		var err error
		switch {
		case o.end != nil:
			err = b.DeleteRange(o.key, o.end, nil)
		case o.value != nil:
			err = b.Set(o.key, o.value, nil)
		default:
			err = b.Delete(o.key, nil)
		}
		if err != nil {
			return err
		}
	}
	if sync {
		return b.Commit(pebble.Sync)
	}
	return b.Commit(pebble.NoSync)
}

func (p *pebbleKV) close() error { return p.db.Close() }

// quietLogger drops pebble's informational lines and keeps its errors. Pebble calls Fatalf
// when it finds on-disk corruption it cannot work around (a table whose checksum fails) and
// expects the process to stop: it stops with one line that says what to do, not pebble's
// multi-line error and stack trace.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	pebble.DefaultLogger.Errorf(format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	fmt.Fprintln(os.Stderr, fatalLine(format, args...))
	os.Exit(1)
}

// fatalLine is the line quietLogger.Fatalf prints.
func fatalLine(format string, args ...any) string {
	msg := firstLine(fmt.Sprintf(strings.ReplaceAll(format, "%+v", "%v"), args...))
	return "pbft: storage: " + msg + " (the data directory is damaged: move it aside and restart the replica empty, it catches up from its peers)"
}
