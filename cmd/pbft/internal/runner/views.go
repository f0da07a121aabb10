package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// leaderName names the leader of view v of the scenario cluster (pbft.LeaderOf).
func leaderName(v uint64) string { return nodeName(int(pbft.LeaderOf(pbft.View(v), scenarioN))) }

// One vocabulary for views on every screen (the set summary, command 4, command 5 and the
// report): the set's view is the view at least f+1 live replicas reached (quorumView), and its
// view changes are the views it moved past, view - 1, whether or not each got a NEW-VIEW: in
// set 9 of the official file view 2's leader n2 is crashed and sends none, so the set moves
// from view 1 to view 3 with two view changes and one NEW-VIEW.

// viewSummary is "view 3, 2 view changes (...)": the set's view, the views it moved past, and
// which of them got a NEW-VIEW. active says whether a replica in the set's view has entered it
// (else the view change into it is still under way); newViews lists the views that got one.
func viewSummary(view uint64, active bool, newViews []uint64) string {
	if view <= 1 {
		return "view 1, 0 view changes"
	}
	changes := view - 1
	text := fmt.Sprintf("view %d, %d view change%s", view, changes, plural(changes))
	var notes []string
	if len(newViews) > 0 {
		notes = append(notes, "NEW-VIEW for view "+viewList(newViews))
	}
	var skipped []uint64
	for v := uint64(2); v < view; v++ {
		if !slices.Contains(newViews, v) {
			skipped = append(skipped, v)
		}
	}
	if len(skipped) > 0 {
		leaders := make([]string, len(skipped))
		for i, v := range skipped {
			leaders[i] = leaderName(v)
		}
		notes = append(notes, fmt.Sprintf("view %s got none: its leader (%s) sent no NEW-VIEW in time, so the replicas moved on", viewList(skipped), strings.Join(leaders, ", ")))
	}
	if !active {
		notes = append(notes, fmt.Sprintf("view %d not entered yet: no NEW-VIEW for it, its leader %s needs 2f+1 = %d VIEW-CHANGEs", view, leaderName(view), 2*scenarioF+1))
	}
	if len(notes) > 0 {
		text += " (" + strings.Join(notes, "; ") + ")"
	}
	return text
}

// viewList prints views as "2" or "2, 4".
func viewList(vs []uint64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}

func plural(n uint64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// replicaViewText is command 5's view part for one replica, in the set's vocabulary.
func replicaViewText(m controlapi.Metrics) string {
	changes := uint64(0)
	if m.View > 1 {
		changes = m.View - 1
	}
	state := ""
	if !m.ViewActive && m.View > 1 {
		state = " (changing view: asked for it, no NEW-VIEW yet)"
	}
	return fmt.Sprintf("view %d%s, %d view change%s (%d NEW-VIEW%s entered)", m.View, state, changes, plural(changes), m.ViewChanges, plural(m.ViewChanges))
}

// viewExplanations explains every live replica whose view is not the set's.
func (s *setRun) viewExplanations() []string {
	var out []string
	for _, id := range s.set.Live {
		if m, ok := s.facts.metrics[id]; ok {
			if e := s.viewExplanation(id, m); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// viewExplanation says why a replica's view differs from the set's, or "" when it does not.
func (s *setRun) viewExplanation(id int, m controlapi.Metrics) string {
	setView := s.facts.view
	if setView == 0 || m.View == setView {
		return ""
	}
	who := nodeName(id)
	if slices.Contains(s.set.Byzantine, id) {
		who += " (Byzantine)"
	}
	if m.View > setView {
		others := s.replicasInView(m.View)
		if others <= scenarioF && slices.Contains(s.set.Byzantine, id) {
			return fmt.Sprintf("%s is in view %d while the set is in view %d: a Byzantine replica may ask for view changes on its own; fewer than f+1 = %d replicas joined it, so the others stay in view %d",
				who, m.View, setView, scenarioF+1, setView)
		}
		if others <= scenarioF {
			return fmt.Sprintf("%s is in view %d while the set is in view %d: its timer expired on a request that did not execute in time (e.g. it was kept in the dark), so it asked for view %d, but fewer than f+1 = %d replicas asked with it, so no view change happened; the others stay in view %d, and %s still catches up on what they execute (from their certificates) and rejoins them when they move to a later view",
				who, m.View, setView, m.View, scenarioF+1, setView, nodeName(id))
		}
		return fmt.Sprintf("%s is in view %d, ahead of the set's view %d, with %d replicas in all: a view change is under way", who, m.View, setView, others)
	}
	return fmt.Sprintf("%s is still in view %d while the set is in view %d: it has not received or accepted the NEW-VIEW yet", who, m.View, setView)
}

// replicasInView counts the live replicas that report view v.
func (s *setRun) replicasInView(v uint64) int {
	n := 0
	for _, m := range s.facts.metrics {
		if m.View == v {
			n++
		}
	}
	return n
}
