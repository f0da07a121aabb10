package sim

import "github.com/bftbank/pbft/pbft"

// Auth is the authentication layer the simulator runs between replicas: it seals outbound
// messages (fills threshold shares, signs), opens inbound ones (verifies frames, client
// signatures and certificates) and combines shares. The real one lives in pbft/auth. corrupt
// asks for the `sign` attack's seal: shares, signatures and reply MACs that fail verification.
type Auth interface {
	// Fill adds replica from's shares and signatures to a copy of m: the message its own copy
	// delivers locally, and what Frame seals for its peers.
	Fill(from pbft.NodeID, m pbft.Message, corrupt bool) (pbft.Message, error)
	// Frame signs a filled message as replica from; the result is what travels.
	Frame(from pbft.NodeID, filled pbft.Message, corrupt bool) (any, error)
	// Open authenticates a sealed message claimed to come from `from` and returns it.
	Open(from pbft.NodeID, sealed any) (pbft.Message, error)
	// Combine runs a CombineJob for the collector.
	Combine(job pbft.CombineJob) pbft.Combined
	// SignRequest signs a client request; VerifyRequest checks one.
	SignRequest(req *pbft.Request)
	VerifyRequest(req *pbft.Request) error
	// SignReply authenticates a reply as its replica; VerifyReply checks one.
	SignReply(rep *pbft.Reply, corrupt bool)
	VerifyReply(rep *pbft.Reply) error
}
