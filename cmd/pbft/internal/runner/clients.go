package runner

import (
	"context"
	"fmt"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
)

// Submitter is one closed-loop client of a set's cluster; *client.Client is one.
type Submitter interface {
	Submit(ctx context.Context, op []byte) (client.Outcome, error)
	Read(ctx context.Context, op []byte) (client.Outcome, error)
	Close() error
}

// ClientFactory makes the client of a name for a set's cluster.
type ClientFactory interface {
	NewClient(cfg *cluster.Config, name string) (Submitter, error)
}

// keyedClients makes client.Client values with the keys dealt for the run.
type keyedClients struct {
	keys *crypto.ClusterKeys
}

func (k *keyedClients) NewClient(cfg *cluster.Config, name string) (Submitter, error) {
	key, ok := k.keys.Clients[name]
	if !ok {
		return nil, fmt.Errorf("no key was dealt for client %s", name)
	}
	return client.New(cfg, pbft.ClientID(name), key, k.keys.Public, client.Options{})
}
