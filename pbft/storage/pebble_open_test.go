package storage

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// filesOf lists dir's file names, sorted.
func filesOf(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// writtenDir is a data directory of replica 1 holding records, closed.
func writtenDir(t *testing.T) string {
	dir := t.TempDir()
	p, fresh, err := OpenPebble(dir, Identity{Replica: 1})
	if err != nil || !fresh {
		t.Fatalf("open: fresh %v, %v", fresh, err)
	}
	if err := p.Append(sampleRecords()); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLostMarkerIsRefusedNotWiped: a data directory whose manifest marker is gone, or that
// holds files that are not a database, is refused and left as it was. Opened as a new
// database, pebble deleted the tables it did not know: the replica's whole history.
func TestLostMarkerIsRefusedNotWiped(t *testing.T) {
	dir := writtenDir(t)
	markers, _ := filepath.Glob(filepath.Join(dir, "marker.manifest.*"))
	if len(markers) == 0 {
		t.Fatal("no manifest marker in a pebble directory")
	}
	for _, m := range markers {
		os.Remove(m)
	}
	before := filesOf(t, dir)
	if _, _, err := OpenPebble(dir, Identity{Replica: 1}); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("opened a directory without its marker: %v", err)
	}
	if after := filesOf(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Fatalf("files changed: before %v, after %v", before, after)
	}

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if _, _, err := OpenPebble(other, Identity{Replica: 1}); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("opened a directory of other files: %v", err)
	}
	if got := filesOf(t, other); strings.Join(got, " ") != "notes.txt" {
		t.Fatalf("files %v, want notes.txt alone", got)
	}
}

// TestEmptyAndMissingDirsStartFresh: an empty or missing directory is a new replica.
func TestEmptyAndMissingDirsStartFresh(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "new")} {
		p, fresh, err := OpenPebble(dir, Identity{Replica: 1})
		if err != nil || !fresh {
			t.Fatalf("%s: fresh %v, %v", dir, fresh, err)
		}
		p.Close()
	}
	p, fresh, err := OpenPebble(writtenDir(t), Identity{Replica: 1})
	if err != nil || fresh {
		t.Fatalf("a written directory: fresh %v, %v", fresh, err)
	}
	p.Close()
}

// TestLockedDirSaysSo: a directory another process has open is refused with ErrLocked.
func TestLockedDirSaysSo(t *testing.T) {
	dir := writtenDir(t)
	p, _, err := OpenPebble(dir, Identity{Replica: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, _, err := OpenPebble(dir, Identity{Replica: 1}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	if _, _, err := OpenLedger(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("ledger reader on a locked directory: %v", err)
	}
}

// TestFatalLineIsOneLine: pebble's fatal corruption report becomes one line with advice,
// whatever stack trace its error carries.
func TestFatalLineIsOneLine(t *testing.T) {
	line := fatalLine("%+v", errors.New("pebble: corruption in 000058.sst\ngoroutine 1 [running]:\nmain.main()"))
	if strings.Contains(line, "\n") || !strings.Contains(line, "000058.sst") || !strings.Contains(line, "move it aside") {
		t.Fatalf("line %q", line)
	}
}
