package transport

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// dialRaw opens a plain connection to addr and writes the given bytes.
func dialRaw(t *testing.T, addr string, data ...[]byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for _, d := range data {
		if _, err := c.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// expectClosed reads c until the transport closes it.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitTimeout))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the transport kept the connection open")
	}
}

func header(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func TestOversizeFrameClosesConnection(t *testing.T) {
	nodes, addrs := startCluster(t, 1, fastTuning)
	good := dialClientRaw(t, addrs[1], "A")
	good.Write(append(header(3), "req"...))
	select {
	case got := <-nodes[0].fromClients:
		if got.frame != "A:req" {
			t.Fatalf("received %q", got.frame)
		}
	case <-waitDeadline():
		t.Fatal("a valid client frame was not delivered")
	}
	bad := dialClientRaw(t, addrs[1], "B")
	bad.Write(header(DefaultClientMaxFrame + 1))
	expectClosed(t, bad)
	waitFor(t, "the protocol error to be counted", func() bool { return nodes[0].Stats().ProtocolErrors == 1 })
}

func TestBadHellosAreRefused(t *testing.T) {
	nodes, addrs := startCluster(t, 2, fastTuning)
	cases := map[string][]byte{
		"bad magic":            []byte("HTTP/1.1 GET /\r\n\r\n"),
		"version 1":            append([]byte(helloMagic), 1, roleReplica, 0, 0, 0, 1, 0, 0, 0, 2),
		"bad role":             append([]byte(helloMagic), helloVersion, 9),
		"empty client":         append([]byte(helloMagic), helloVersion, roleClient, 0, 0),
		"higher replica dials": hello{role: roleReplica, from: 2, to: 1}.encode(),
		"unknown replica":      hello{role: roleReplica, from: 9, to: 1}.encode(),
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) { expectClosed(t, dialRaw(t, addrs[1], h)) })
	}
	wrongTarget := hello{role: roleReplica, from: 1, to: 3}.encode()
	expectClosed(t, dialRaw(t, addrs[2], wrongTarget))
	waitFor(t, "the refusals to be counted", func() bool {
		return nodes[0].Stats().Refused.Handshake == uint64(len(cases)) && nodes[1].Stats().Refused.Handshake == 1
	})
	if e := nodes[0].Stats().ProtocolErrors; e != 0 {
		t.Fatalf("%d protocol errors for refused hellos", e)
	}
}

func TestHelloTimeout(t *testing.T) {
	nodes, addrs := startCluster(t, 1, Tuning{HelloTimeout: 50 * time.Millisecond})
	expectClosed(t, dialRaw(t, addrs[1], []byte("PB")))
	// A complete hello whose dialer never proves anything is cut by the same deadline.
	expectClosed(t, dialRaw(t, addrs[1], hello{role: roleClient, client: "A"}.encode()))
	waitFor(t, "both counted", func() bool { return nodes[0].Stats().Refused.Handshake == 2 })
}

func TestFraming(t *testing.T) {
	pr, pw := net.Pipe()
	defer pr.Close()
	go func() {
		w := bufio.NewWriter(pw)
		for _, f := range [][]byte{{}, []byte("a"), make([]byte, 100)} {
			writeFrame(w, f)
		}
		w.Flush()
		pw.Write(header(101))
		pw.Close()
	}()
	r := bufio.NewReader(pr)
	for _, want := range []int{0, 1, 100} {
		f, err := readFrame(r, 100)
		if err != nil || len(f) != want {
			t.Fatalf("readFrame = %d bytes, %v; want %d", len(f), err, want)
		}
	}
	if _, err := readFrame(r, 100); !errors.Is(err, errFrameTooLarge) {
		t.Fatalf("oversize frame: %v", err)
	}
}

func TestHelloRoundTrip(t *testing.T) {
	for _, h := range []hello{{role: roleReplica, from: 1, to: 7, nonce: freshNonce()}, {role: roleClient, client: "c17", nonce: freshNonce()}} {
		got, err := readHello(bytesReader(h.encode()))
		if err != nil || got != h {
			t.Fatalf("readHello = %+v, %v; want %+v", got, err, h)
		}
	}
	long := hello{role: roleClient, client: pbft.ClientID(make([]byte, maxClientIDLen+1))}
	if _, err := readHello(bytesReader(long.encode())); !errors.Is(err, errBadHello) {
		t.Fatalf("over-long client id: %v", err)
	}
}
