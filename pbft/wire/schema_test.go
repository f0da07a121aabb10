package wire

import (
	"reflect"
	"slices"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// TestSchemaCoversCoreFields fails when a message type of package pbft gains or loses a field,
// so that wire.proto and the conversions are updated with it. Fields listed in local are
// instructions from the core to the signer that do not travel.
func TestSchemaCoversCoreFields(t *testing.T) {
	local := map[reflect.Type][]string{
		reflect.TypeFor[pbft.Prepare](): {"SigmaOnly"},
	}
	covered := map[reflect.Type][]string{
		reflect.TypeFor[pbft.Request]():        {"Client", "Timestamp", "Op", "ReadOnly", "Sig"},
		reflect.TypeFor[pbft.Reply]():          {"View", "Replica", "Client", "Timestamp", "ReadOnly", "Result", "Seq", "Op", "Sig"},
		reflect.TypeFor[pbft.ForwardRequest](): {"Req"},
		reflect.TypeFor[pbft.PrePrepare]():     {"View", "Seq", "Digest", "Batch", "WantTau"},
		reflect.TypeFor[pbft.Prepare]():        {"View", "Seq", "Digest", "Tau", "Sigma"},
		reflect.TypeFor[pbft.Commit]():         {"View", "Seq", "Digest", "Tau"},
		reflect.TypeFor[pbft.Cert]():           {"Type", "View", "Seq", "Digest", "Sig"},
		reflect.TypeFor[pbft.Checkpoint]():     {"Seq", "State", "Share"},
		reflect.TypeFor[pbft.CheckpointCert](): {"Seq", "State", "Sig"},
		reflect.TypeFor[pbft.PreparedEntry]():  {"Cert", "Batch"},
		reflect.TypeFor[pbft.VoteEntry]():      {"View", "Seq", "Digest", "Batch"},
		reflect.TypeFor[pbft.ViewChange]():     {"View", "Replica", "Stable", "Prepared", "Votes", "Sig"},
		reflect.TypeFor[pbft.NewView]():        {"View", "ViewChanges", "PrePrepares"},
		reflect.TypeFor[pbft.Status]():         {"View", "Stable", "Executed", "Changing"},
		reflect.TypeFor[pbft.Fetch]():          {"From", "To"},
		reflect.TypeFor[pbft.FetchReply]():     {"Snapshot", "Slots"},
		reflect.TypeFor[pbft.Snapshot]():       {"Cert", "State"},
		reflect.TypeFor[pbft.CommittedSlot]():  {"PrePrepare", "Cert"},
		reflect.TypeFor[pbft.FetchBatch]():     {"Seq", "Digest"},
		reflect.TypeFor[pbft.BatchReply]():     {"Seq", "Digest", "Batch"},
	}
	for typ, want := range covered {
		var got []string
		for f := range typ.Fields() {
			if !slices.Contains(local[typ], f.Name) {
				got = append(got, f.Name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("pbft.%s has fields %v; the wire format covers %v", typ.Name(), got, want)
		}
	}
}
