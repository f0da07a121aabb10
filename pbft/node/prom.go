package node

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// The node's Prometheus metrics (docs/operations.md lists them). Counters the replica keeps
// anyway (the core's Stats, the rejections, the transport's counters) are read when scraped
// from the latest observation, not counted twice; only the latency histograms are fed on the
// hot path (one Observe per executed request and per synced write).

// latencyBuckets cover 1 ms to ~16 s, doubling: a request executes in a few ms on an idle
// cluster, tens under load, and seconds across a view change.
var latencyBuckets = prometheus.ExponentialBuckets(0.001, 2, 15)

// syncBuckets cover 50 µs to ~0.8 s, doubling: one synced pebble batch.
var syncBuckets = prometheus.ExponentialBuckets(0.00005, 2, 15)

// promMetrics are the histograms the node feeds and the registry the admin endpoint serves.
type promMetrics struct {
	registry *prometheus.Registry
	execute  prometheus.Histogram // request first seen -> executed, at this replica
	persist  prometheus.Histogram // one synced group-commit write
}

func newPromMetrics(nd *node) *promMetrics {
	p := &promMetrics{
		registry: prometheus.NewRegistry(),
		execute: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pbft_request_execute_seconds",
			Help:    "Time from this replica's first sighting of a client request to its execution.",
			Buckets: latencyBuckets,
		}),
		persist: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pbft_persist_sync_seconds",
			Help:    "Duration of one synced write (group commit) to the data directory.",
			Buckets: syncBuckets,
		}),
	}
	p.registry.MustRegister(p.execute, p.persist, &nodeCollector{nd: nd},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return p
}

// nodeCollector turns the replica's own counters into Prometheus metrics at scrape time.
type nodeCollector struct{ nd *node }

// metricDesc is one metric of the collector: its name, help, type and labels.
type metricDesc struct {
	desc *prometheus.Desc
	kind prometheus.ValueType
}

func newDesc(name, help string, kind prometheus.ValueType, labels ...string) metricDesc {
	return metricDesc{desc: prometheus.NewDesc(name, help, labels, nil), kind: kind}
}

var (
	mReceived     = newDesc("pbft_requests_received_total", "Client request frames received by this replica.", prometheus.CounterValue)
	mExecReqs     = newDesc("pbft_requests_executed_total", "Client requests executed (ordered, in committed slots).", prometheus.CounterValue)
	mExecSlots    = newDesc("pbft_slots_executed_total", "Slots executed.", prometheus.CounterValue)
	mCommits      = newDesc("pbft_slots_committed_total", "Slots committed, by path: fast (FULL-COMMIT-PROOF) or slow (COMMIT-CERT).", prometheus.CounterValue, "path")
	mViewChanges  = newDesc("pbft_view_changes_total", "NEW-VIEWs accepted.", prometheus.CounterValue)
	mCatchUp      = newDesc("pbft_catchup_total", "What catch-up brought: fetched slots, or installed snapshots.", prometheus.CounterValue, "kind")
	mRejected     = newDesc("pbft_rejected_total", "Messages rejected, by reason.", prometheus.CounterValue, "reason")
	mDropped      = newDesc("pbft_dropped_total", "Frames or messages dropped without being judged, by cause.", prometheus.CounterValue, "cause")
	mNotAuth      = newDesc("pbft_not_authorized_total", "Operations executed with the result \"not authorized\".", prometheus.CounterValue)
	mEdges        = newDesc("pbft_edge_refused_total", "Connections, client ids and frames the transport refused, by bound.", prometheus.CounterValue, "bound")
	mFsyncs       = newDesc("pbft_fsyncs_total", "Synced writes to the data directory.", prometheus.CounterValue)
	mRecords      = newDesc("pbft_durable_records_total", "Records written to the data directory.", prometheus.CounterValue)
	mView         = newDesc("pbft_view", "The replica's current view.", prometheus.GaugeValue)
	mViewActive   = newDesc("pbft_view_active", "1 once the replica accepted its view's NEW-VIEW, 0 while it changes view.", prometheus.GaugeValue)
	mLeader       = newDesc("pbft_leader", "The id of the current view's leader.", prometheus.GaugeValue)
	mExecuted     = newDesc("pbft_executed_slot", "The last executed slot.", prometheus.GaugeValue)
	mStable       = newDesc("pbft_stable_slot", "The stable checkpoint.", prometheus.GaugeValue)
	mPeers        = newDesc("pbft_peers_connected", "Other replicas whose link is connected now.", prometheus.GaugeValue)
	mQueue        = newDesc("pbft_queue_depth", "Items waiting, by queue: mailbox (inputs for the protocol loop), persister (Readies waiting for their sync), peer_out (frames queued to other replicas).", prometheus.GaugeValue, "queue")
	mClientConns  = newDesc("pbft_client_connections", "Authenticated client connections now.", prometheus.GaugeValue)
	mAccounts     = newDesc("pbft_accounts", "Accounts in the bank.", prometheus.GaugeValue)
	mFaults       = newDesc("pbft_faults_active", "Faults injected at run time in force now, by kind (pause, sever, byzantine).", prometheus.GaugeValue, "kind")
	collectorDesc = []metricDesc{mReceived, mExecReqs, mExecSlots, mCommits, mViewChanges, mCatchUp, mRejected,
		mDropped, mNotAuth, mEdges, mFsyncs, mRecords, mView, mViewActive, mLeader, mExecuted, mStable, mPeers,
		mQueue, mClientConns, mAccounts, mFaults}
)

// Describe sends every metric's description.
func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range collectorDesc {
		ch <- d.desc
	}
}

// Collect reads the latest observation, the transport's counters and the node's atomics.
func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	nd := c.nd
	emit := func(d metricDesc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d.desc, d.kind, v, labels...)
	}
	o := nd.published.Load()
	st := o.stats
	emit(mReceived, float64(nd.received.Load()))
	emit(mExecReqs, float64(st.ExecutedRequests))
	emit(mExecSlots, float64(st.ExecutedSlots))
	emit(mCommits, float64(st.FastCommits), "fast")
	emit(mCommits, float64(st.SlowCommits), "slow")
	emit(mViewChanges, float64(st.ViewChanges))
	emit(mCatchUp, float64(st.Fetched), "slots")
	emit(mCatchUp, float64(st.Snapshots), "snapshots")
	emit(mRejected, float64(nd.rejects.badSignature.Load()), "bad_signature")
	emit(mRejected, float64(st.BadShares), "bad_share")
	emit(mRejected, float64(st.RejectedConflicts), "conflicting_preprepare")
	emit(mRejected, float64(st.RejectedMessages), "core")
	emit(mRejected, float64(nd.rejects.other.Load()), "other")
	emit(mNotAuth, float64(o.notAuthorized))
	ts := nd.tr.Stats()
	var peerDropped, connected, queued uint64
	for _, p := range ts.Peers {
		peerDropped += p.Dropped
		queued += uint64(p.Queued)
		if p.Connected {
			connected++
		}
	}
	emit(mDropped, float64(nd.rejects.overload.Load()), "inbound_overload")
	emit(mDropped, float64(nd.shares.dropped.Load()), "client_share")
	emit(mDropped, float64(peerDropped), "outbound_queue")
	emit(mDropped, float64(ts.ClientDropped), "client_replies")
	emit(mDropped, float64(st.Dropped), "core_bounds")
	emit(mDropped, float64(st.Throttled), "peer_budget")
	emit(mDropped, float64(nd.severedFrames.Load()), "severed")
	emit(mDropped, float64(nd.penalties.dropped.Load()), "penalized")
	r := ts.Refused
	for _, e := range []struct {
		bound string
		v     uint64
	}{{"pending", r.Pending}, {"handshake", r.Handshake}, {"bad_proof", r.BadProof}, {"unknown", r.Unknown},
		{"client_conns", r.ClientConns}, {"client_ids", r.ClientIDs}, {"per_client", r.PerClient}, {"replace", r.Replace},
		{"timeouts", r.Timeouts}} {
		emit(mEdges, float64(e.v), e.bound)
	}
	emit(mFsyncs, float64(nd.fsyncs()))
	emit(mRecords, float64(nd.durableRecords()))
	emit(mView, float64(o.view))
	emit(mViewActive, boolFloat(o.viewActive))
	emit(mLeader, float64(o.leader))
	emit(mExecuted, float64(o.executed))
	emit(mStable, float64(o.stable))
	emit(mPeers, float64(connected))
	emit(mQueue, float64(nd.mail.depth()), "mailbox")
	emit(mQueue, float64(nd.persistDepth()), "persister")
	emit(mQueue, float64(queued), "peer_out")
	emit(mClientConns, float64(ts.ClientConns))
	emit(mAccounts, float64(o.accounts))
	fs := nd.faults.state(time.Now())
	emit(mFaults, boolFloat(fs.PausedUntil != nil), "pause")
	emit(mFaults, float64(len(fs.Severed)), "sever")
	emit(mFaults, float64(len(fs.Byzantine)), "byzantine")
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
