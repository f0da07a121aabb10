package main

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"time"

	nfqueue "github.com/florianl/go-nfqueue/v2"
	"golang.org/x/sys/unix"
)

// nfqueueDelayer holds the verdict on each queued packet for its one-way delay (plus a
// uniform jitter), like netem: releases are FIFO per source and destination, so a flow is
// never reordered. It is the namespace test's fallback for kernels without sch_netem.
type nfqueueDelayer struct {
	nf     *nfqueue.Nfqueue
	cancel context.CancelFunc
	delay  func(src, dst string) time.Duration
	jitter time.Duration

	mu      sync.Mutex
	pending releaseHeap
	last    map[[2]netip.Addr]time.Time // the latest release per source and destination
	wake    chan struct{}
	done    chan struct{}
	failed  int    // verdicts the kernel refused
	seq     uint64 // arrival order, which breaks ties between equal release times
}

// startNfqueueDelayer binds queue 0 of the named network namespace.
func startNfqueueDelayer(netns string, delay func(src, dst string) time.Duration, jitter time.Duration) (*nfqueueDelayer, error) {
	f, err := os.Open("/run/netns/" + netns)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	nf, err := nfqueue.Open(&nfqueue.Config{NetNS: int(f.Fd()), NfQueue: 0, MaxQueueLen: 1 << 16,
		MaxPacketLen: 20, Copymode: nfqueue.NfQnlCopyPacket, AfFamily: unix.AF_INET, WriteTimeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("nfqueue in %s: %w", netns, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &nfqueueDelayer{nf: nf, cancel: cancel, delay: delay, jitter: jitter,
		last: map[[2]netip.Addr]time.Time{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	err = nf.RegisterWithErrorFunc(ctx, d.enqueue, func(error) int {
		if ctx.Err() != nil {
			return 1
		}
		return 0 // ENOBUFS and the like: keep reading
	})
	if err != nil {
		cancel()
		nf.Close()
		return nil, fmt.Errorf("nfqueue in %s: %w", netns, err)
	}
	go d.release(ctx)
	return d, nil
}

// enqueue is the hook for each queued packet: it schedules the packet's release.
func (d *nfqueueDelayer) enqueue(a nfqueue.Attribute) int {
	if a.PacketID == nil {
		return 0
	}
	now := time.Now()
	at := now
	if a.Payload != nil && len(*a.Payload) >= 20 {
		p := *a.Payload
		src, dst := netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
		at = now.Add(d.delay(src.String(), dst.String()))
		if d.jitter > 0 {
			at = at.Add(time.Duration(rand.Int64N(int64(2*d.jitter))) - d.jitter)
		}
		d.mu.Lock()
		key := [2]netip.Addr{src, dst}
		if last := d.last[key]; at.Before(last) {
			at = last
		}
		d.last[key] = at
		d.mu.Unlock()
	}
	d.mu.Lock()
	d.seq++
	heap.Push(&d.pending, release{id: *a.PacketID, at: at, seq: d.seq})
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return 0
}

// release accepts each packet once its time has come.
func (d *nfqueueDelayer) release(ctx context.Context) {
	defer close(d.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		var due []uint32
		now := time.Now()
		for d.pending.Len() > 0 && !d.pending[0].at.After(now) {
			due = append(due, heap.Pop(&d.pending).(release).id)
		}
		next := time.Hour
		if d.pending.Len() > 0 {
			next = d.pending[0].at.Sub(now)
		}
		d.mu.Unlock()
		for _, id := range due {
			if err := d.nf.SetVerdict(id, nfqueue.NfAccept); err != nil {
				d.mu.Lock()
				d.failed++
				d.mu.Unlock()
			}
		}
		timer.Reset(next)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// stop closes the queue (the kernel drops what is still queued) and returns how many
// verdicts failed.
func (d *nfqueueDelayer) stop() int {
	d.cancel()
	<-d.done
	d.nf.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

type release struct {
	id  uint32
	at  time.Time
	seq uint64
}

// releaseHeap orders packets by release time.
type releaseHeap []release

func (h releaseHeap) Len() int { return len(h) }
func (h releaseHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h releaseHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *releaseHeap) Push(x any)   { *h = append(*h, x.(release)) }
func (h *releaseHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
