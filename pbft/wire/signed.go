package wire

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
	"google.golang.org/protobuf/proto"
)

// Domains of the signed encodings below, distinct from frameDomain and from the domains of
// package pbft ("pbft/request/v1", "pbft/share/v1", "pbft/batch/v1").
const (
	viewChangeDomain = "pbft/viewchange/v1\x00"
	replyDomain      = "pbft/reply/v1\x00"
)

// ViewChangeSignedBytes is the byte string a replica signs for a VIEW-CHANGE, so that a NEW-VIEW
// can carry it verifiably: a domain tag and the deterministic encoding of vc's slim copy
// (every batch left out: the digests name them) with Sig cleared. The full message and its
// slim copies share it. A receiver recomputes it from the decoded message; nil and empty
// slices encode alike.
func ViewChangeSignedBytes(vc *pbft.ViewChange) []byte {
	pb := viewChangeToPb(vc.Slim())
	pb.Sig = nil
	return appendSigned(viewChangeDomain, pb)
}

func appendSigned(domain string, pb proto.Message) []byte {
	b := make([]byte, 0, len(domain)+marshal.Size(pb))
	b = append(b, domain...)
	b, err := marshal.MarshalAppend(b, pb)
	if err != nil {
		// The schema has no string fields, so marshaling a valid value cannot fail.
		panic(fmt.Sprintf("wire: deterministic marshal of %T failed: %v", pb, err))
	}
	return b
}
