package wire

import (
	"fmt"
	"reflect"

	"github.com/bftbank/pbft/pbft"
	"google.golang.org/protobuf/proto"
)

// marshal is the one marshaler of the package: deterministic, so that equal values encode to
// equal bytes (ViewChangeSignedBytes depends on it).
var marshal = proto.MarshalOptions{Deterministic: true}

// unmarshal rejects nothing that proto accepts; the conversions validate the result.
var unmarshal = proto.UnmarshalOptions{}

// Encode encodes a replica-to-replica message. Combined (a local input) and unknown types are
// errors.
func Encode(m pbft.Message) ([]byte, error) {
	if m == nil || reflect.ValueOf(m).IsNil() {
		return nil, fmt.Errorf("wire: cannot encode a nil message")
	}
	pb, err := messageToPb(m)
	if err != nil {
		return nil, err
	}
	return marshalBounded(pb)
}

// marshalBounded refuses to produce an encoding that Decode would reject as too large.
func marshalBounded(pb proto.Message) ([]byte, error) {
	if n := marshal.Size(pb); n > MaxMessageSize {
		return nil, fmt.Errorf("%w: encoding is %d bytes, max %d", ErrTooLarge, n, MaxMessageSize)
	}
	return marshal.Marshal(pb)
}

func messageToPb(m pbft.Message) (*MessagePb, error) {
	pb := &MessagePb{}
	switch m := m.(type) {
	case *pbft.ForwardRequest:
		pb.Body = &MessagePb_ForwardRequest{ForwardRequest: &ForwardRequestPb{Req: requestToPb(&m.Req, &RequestPb{})}}
	case *pbft.PrePrepare:
		pb.Body = &MessagePb_PrePrepare{PrePrepare: prePrepareToPb(m)}
	case *pbft.Prepare:
		pb.Body = &MessagePb_Prepare{Prepare: prepareToPb(m)}
	case *pbft.Commit:
		pb.Body = &MessagePb_Commit{Commit: commitToPb(m)}
	case *pbft.Cert:
		pb.Body = &MessagePb_Cert{Cert: certToPb(m)}
	case *pbft.Checkpoint:
		pb.Body = &MessagePb_Checkpoint{Checkpoint: checkpointToPb(m)}
	case *pbft.CheckpointCert:
		pb.Body = &MessagePb_CheckpointCert{CheckpointCert: checkpointCertToPb(m)}
	default:
		return compoundToPb(m, pb)
	}
	return pb, nil
}

func compoundToPb(m pbft.Message, pb *MessagePb) (*MessagePb, error) {
	switch m := m.(type) {
	case *pbft.ViewChange:
		pb.Body = &MessagePb_ViewChange{ViewChange: viewChangeToPb(m)}
	case *pbft.NewView:
		pb.Body = &MessagePb_NewView{NewView: newViewToPb(m)}
	case *pbft.Status:
		pb.Body = &MessagePb_Status{Status: statusToPb(m)}
	case *pbft.Fetch:
		pb.Body = &MessagePb_Fetch{Fetch: &FetchPb{From: uint64(m.From), To: uint64(m.To)}}
	case *pbft.FetchReply:
		pb.Body = &MessagePb_FetchReply{FetchReply: fetchReplyToPb(m)}
	case *pbft.FetchBatch:
		pb.Body = &MessagePb_FetchBatch{FetchBatch: &FetchBatchPb{Seq: uint64(m.Seq), Digest: m.Digest[:]}}
	case *pbft.BatchReply:
		pb.Body = &MessagePb_BatchReply{BatchReply: &BatchReplyPb{Seq: uint64(m.Seq), Digest: m.Digest[:], Batch: batchToPb(m.Batch)}}
	default:
		return nil, fmt.Errorf("wire: cannot encode message type %T", m)
	}
	return pb, nil
}

// Decode decodes a replica-to-replica message encoded by Encode. The result is one of the
// pointer types of package pbft (for example *pbft.PrePrepare); it does not alias b.
func Decode(b []byte) (pbft.Message, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: message is %d bytes, max %d", ErrTooLarge, len(b), MaxMessageSize)
	}
	pb := &MessagePb{}
	if err := unmarshal.Unmarshal(b, pb); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return messageFromPb(pb)
}

func messageFromPb(pb *MessagePb) (pbft.Message, error) {
	switch body := pb.Body.(type) {
	case *MessagePb_ForwardRequest:
		return forwardFromPb(body.ForwardRequest)
	case *MessagePb_PrePrepare:
		return prePrepareFromPb(body.PrePrepare)
	case *MessagePb_Prepare:
		return prepareFromPb(body.Prepare)
	case *MessagePb_Commit:
		return commitFromPb(body.Commit)
	case *MessagePb_Cert:
		return certFromPb(body.Cert)
	case *MessagePb_Checkpoint:
		return checkpointFromPb(body.Checkpoint)
	case *MessagePb_CheckpointCert:
		return checkpointCertFromPb(body.CheckpointCert)
	case *MessagePb_ViewChange:
		return viewChangeFromPb(body.ViewChange)
	case *MessagePb_NewView:
		return newViewFromPb(body.NewView)
	case *MessagePb_Status:
		return statusFromPb(body.Status)
	case *MessagePb_Fetch:
		return &pbft.Fetch{From: pbft.Seq(body.Fetch.From), To: pbft.Seq(body.Fetch.To)}, nil
	case *MessagePb_FetchReply:
		return fetchReplyFromPb(body.FetchReply)
	case *MessagePb_FetchBatch:
		return fetchBatchFromPb(body.FetchBatch)
	case *MessagePb_BatchReply:
		return batchReplyFromPb(body.BatchReply)
	case nil:
		return nil, malformed("message has no body")
	}
	return nil, malformed("unknown message body %T", pb.Body)
}
