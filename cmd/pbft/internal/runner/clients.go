package runner

import (
	"context"
	"fmt"
	"sync"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/transport"
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

// ownConnClients is how many clients of a set open their own connections (one per replica);
// the set's further clients share one multiplexed connection per replica, as the
// benchmark's do. A replica accepts a bounded number of client connections per source
// address (docs/design.md, "Bounds at the edges"): a scenario file naming more than about a
// thousand clients lost transactions at "no quorum" before.
const ownConnClients = 256

// keyedClients makes client.Client values with the keys dealt for the run.
type keyedClients struct {
	keys *crypto.ClusterKeys

	mu   sync.Mutex
	sets map[*cluster.Config]*setClients
}

// setClients counts a set's clients and holds their shared network once there are more than
// ownConnClients.
type setClients struct {
	made, open int
	net        *client.Network
}

func (k *keyedClients) NewClient(cfg *cluster.Config, name string) (Submitter, error) {
	key, ok := k.keys.Clients[name]
	if !ok {
		return nil, fmt.Errorf("no key was dealt for client %s", name)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sets == nil {
		k.sets = map[*cluster.Config]*setClients{}
	}
	sc := k.sets[cfg]
	if sc == nil {
		sc = &setClients{}
		k.sets[cfg] = sc
	}
	var opts client.Options
	if sc.made >= ownConnClients {
		if sc.net == nil {
			net, err := client.NewNetwork(cfg, "scenario", transport.Tuning{}, zerolog.Nop())
			if err != nil {
				return nil, err
			}
			sc.net = net
		}
		opts.Network = sc.net
	}
	c, err := client.New(cfg, pbft.ClientID(name), key, k.keys.Public, opts)
	if err != nil {
		return nil, err
	}
	sc.made++
	sc.open++
	return &setClient{Client: c, k: k, cfg: cfg}, nil
}

// setClient closes its set's shared network with the set's last client.
type setClient struct {
	*client.Client
	k    *keyedClients
	cfg  *cluster.Config
	once sync.Once
}

func (c *setClient) Close() error {
	err := c.Client.Close()
	c.once.Do(func() { c.k.closed(c.cfg) })
	return err
}

func (k *keyedClients) closed(cfg *cluster.Config) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sc := k.sets[cfg]
	if sc == nil {
		return
	}
	if sc.open--; sc.open > 0 {
		return
	}
	if sc.net != nil {
		sc.net.Close()
	}
	delete(k.sets, cfg)
}
