package pbft

import "fmt"

// eventLog is a bounded ring of readable lines, one per message processed, in the shape
// "n3 v=2 s=17 recv PREPARE-CERT from n2" (command 1). A line is kept as its format and
// arguments and formatted only when the log is read: the replica logs every message it
// handles, and formatting each (digests in hex) cost 1.5% of a leader's CPU under load.
type eventLog struct {
	lines []logLine
	next  int
	full  bool
}

// logLine is one line of the event log before formatting.
type logLine struct {
	id     NodeID
	view   View
	format string
	args   []any
}

// String formats the line.
func (l logLine) String() string {
	return fmt.Sprintf("%s v=%d ", l.id, l.view) + fmt.Sprintf(l.format, l.args...)
}

func newEventLog(size int) eventLog {
	if size <= 0 {
		return eventLog{}
	}
	return eventLog{lines: make([]logLine, size)}
}

func (l *eventLog) enabled() bool { return len(l.lines) > 0 }

func (l *eventLog) add(line logLine) {
	l.lines[l.next] = line
	l.next++
	if l.next == len(l.lines) {
		l.next, l.full = 0, true
	}
}

// Log returns the readable log, oldest line first.
func (r *Replica) Log() []string {
	l := &r.log
	if !l.enabled() {
		return nil
	}
	lines := l.lines[:l.next]
	if l.full {
		lines = append(append([]logLine(nil), l.lines[l.next:]...), lines...)
	}
	out := make([]string, len(lines))
	for i, line := range lines {
		out[i] = line.String()
	}
	return out
}

// logf adds a line to the event log. The arguments are formatted when the log is read, so
// they must be values that do not change afterwards (no pointers into the replica's state).
func (r *Replica) logf(format string, args ...any) {
	if !r.log.enabled() {
		return
	}
	r.log.add(logLine{id: r.cfg.ID, view: r.view, format: format, args: args})
}

func (r *Replica) logMsg(from NodeID, m Message) {
	if !r.log.enabled() {
		return
	}
	switch m := m.(type) {
	case *PrePrepare:
		r.logf("s=%d recv PRE-PREPARE(v=%d, d=%s, %d reqs) from %s", m.Seq, m.View, m.Digest, len(m.Batch), from)
	case *Prepare:
		r.logf("s=%d recv PREPARE(v=%d, d=%s) from %s", m.Seq, m.View, m.Digest, from)
	case *Commit:
		r.logf("s=%d recv COMMIT(v=%d, d=%s) from %s", m.Seq, m.View, m.Digest, from)
	case *Cert:
		r.logf("s=%d recv %s(v=%d, d=%s) from %s", m.Seq, m.Type, m.View, m.Digest, from)
	case *Checkpoint:
		r.logf("s=%d recv CHECKPOINT(state=%s) from %s", m.Seq, m.State, from)
	case *CheckpointCert:
		r.logf("s=%d recv CHECKPOINT-CERT(state=%s) from %s", m.Seq, m.State, from)
	case *ViewChange:
		r.logf("recv VIEW-CHANGE(to v=%d, stable=%d, %d prepared, %d votes) from %s", m.View, m.Stable.Seq, len(m.Prepared), len(m.Votes), from)
	case *NewView:
		r.logf("recv NEW-VIEW(v=%d, %d view-changes, %d pre-prepares) from %s", m.View, len(m.ViewChanges), len(m.PrePrepares), from)
	case *ForwardRequest:
		r.logf("recv REQUEST %s t=%d forwarded by %s", m.Req.Client, m.Req.Timestamp, from)
	case *Combined:
		r.logf("s=%d combined %d shares ok=%v bad=%v", m.Job.Seq, len(m.Job.Shares), len(m.Sig) > 0, m.Bad)
	case *Status:
		// Gossip every StatusTicks from every replica: it would drown the log of command 1.
	case *Fetch:
		r.logf("recv FETCH(%d..%d) from %s", m.From, m.To, from)
	case *FetchReply:
		r.logf("recv FETCH-REPLY(%d slots, snapshot=%v) from %s", len(m.Slots), m.Snapshot != nil, from)
	default:
		r.logf("recv %s from %s", m.Kind(), from)
	}
}
