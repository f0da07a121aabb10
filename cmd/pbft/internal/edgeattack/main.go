// Command edgeattack attacks the edges of a running cluster, as a peer on the same network
// would, to measure the bounds of the transport (issue 15). It speaks the transport's
// hello by hand: -v 2 (authenticated, current) or -v 1 (the unauthenticated hello before
// it), so the same attack runs against both.
//
//	edgeattack -mode forge -addrs 127.0.0.1:5001,...,127.0.0.1:5007 -rate 100
//	edgeattack -mode bigframe -addrs 127.0.0.1:5001 -conns 6 -send 60
//	edgeattack -mode ids -addrs 127.0.0.1:5001 -ids 100000 -keydir keys -client A
//
// forge: for every pair i < j, connects to replica j as replica i, answers its challenge
// with a signature it cannot make (v2) or just holds (v1), and reconnects; -rate
// connections per second in all. bigframe: -conns connections each say hello as a client
// (proving -client's key when given), announce a frame of 64 MiB, send -send MiB of it and
// hold. ids: one multiplexed connection attaches -ids made-up client ids (after proving
// -client's key when given) and holds. Each runs until -for has passed or it is killed.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bftbank/pbft/crypto"
)

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "forge", "forge, bigframe or ids")
	addrs := flag.String("addrs", "", "replica addresses, n1 first, comma-separated")
	flag.IntVar(&o.version, "v", 2, "hello version: 2 (current) or 1 (before authentication)")
	flag.Float64Var(&o.rate, "rate", 15, "forge: connections per second")
	flag.IntVar(&o.conns, "conns", 6, "bigframe: connections")
	flag.IntVar(&o.sendMiB, "send", 60, "bigframe: MiB of the announced 64 MiB sent")
	flag.IntVar(&o.ids, "ids", 100000, "ids: made-up client ids attached")
	keydir := flag.String("keydir", "", "key directory holding -client's key")
	client := flag.String("client", "", "a real client whose key the attacker holds (optional)")
	flag.DurationVar(&o.duration, "for", time.Minute, "how long to attack")
	flag.Parse()
	o.addrs = strings.Split(*addrs, ",")
	if *client != "" {
		key, err := crypto.ReadClientKey(*keydir, *client)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		o.client, o.key = *client, key
	}
	var err error
	switch o.mode {
	case "forge":
		err = forge(o)
	case "bigframe":
		err = bigFrames(o)
	case "ids":
		err = madeUpIDs(o)
	default:
		err = fmt.Errorf("unknown mode %q", o.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type options struct {
	mode     string
	addrs    []string
	version  int
	rate     float64
	conns    int
	sendMiB  int
	ids      int
	client   string
	key      *crypto.SigningKey
	duration time.Duration
}
