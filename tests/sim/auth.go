package sim

import "github.com/bftbank/pbft/pbft"

// Auth is the authentication layer the simulator runs between replicas: it seals outbound
// messages (fills threshold shares, signs), opens inbound ones (verifies frames, client
// signatures and certificates) and combines shares. The real one lives in pbft/auth.
type Auth interface {
	// Seal fills the shares of m as replica `from` and signs it; the result is what travels.
	Seal(from pbft.NodeID, m pbft.Message) (any, error)
	// Open authenticates a sealed message claimed to come from `from` and returns it.
	Open(from pbft.NodeID, sealed any) (pbft.Message, error)
	// Combine runs a CombineJob for the collector.
	Combine(job pbft.CombineJob) pbft.Combined
	// SignRequest signs a client request; VerifyRequest checks one.
	SignRequest(req *pbft.Request)
	VerifyRequest(req *pbft.Request) error
	// SignReply authenticates a reply as its replica; VerifyReply checks one.
	SignReply(rep *pbft.Reply)
	VerifyReply(rep *pbft.Reply) error
}
