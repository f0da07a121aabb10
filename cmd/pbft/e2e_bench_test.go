package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestEndToEndBench runs a short benchmark on a local cluster with a replica down and checks
// results.json and the charts.
func TestEndToEndBench(t *testing.T) {
	bin := pbftBinary(t)
	out := t.TempDir()
	cmd := exec.Command(bin, "bench", "--duration", "2s", "--warmup", "1s", "--accounts", "1000", "--clients", "8",
		"--down", "n7", "--out", out, "--base-port", itoa(freePorts(t, 7)))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := runWithin(cmd, 90*time.Second); err != nil {
		t.Fatalf("pbft bench: %v\n%s", err, logs.String())
	}
	var res struct {
		Throughput float64            `json:"throughput_tps"`
		Latency    map[string]float64 `json:"latency_ms"`
		Committed  uint64             `json:"committed"`
		Failed     *uint64            `json:"failed"`
		FastRatio  *float64           `json:"fast_path_ratio"`
		Views      *uint64            `json:"view_changes"`
		Consistent bool               `json:"consistent"`
		PerType    map[string]any     `json:"per_type"`
		Replicas   map[string]any     `json:"replicas"`
		Charts     []string           `json:"charts"`
		CPU        *struct {
			PerTx    float64 `json:"per_tx_us"`
			Replicas float64 `json:"replicas_per_tx_us"`
			HostBusy float64 `json:"host_busy"`
		} `json:"cpu"`
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil || json.Unmarshal(b, &res) != nil {
		t.Fatalf("results.json: %v\n%s", err, logs.String())
	}
	if !res.Consistent || res.Committed == 0 || res.Throughput <= 0 || res.Failed == nil || res.FastRatio == nil || res.Views == nil {
		t.Errorf("results: %s\n%s", b, logs.String())
	}
	for _, k := range []string{"p50", "p90", "p99", "max"} {
		if res.Latency[k] <= 0 {
			t.Errorf("latency %s = %v", k, res.Latency[k])
		}
	}
	if len(res.PerType) != 6 || len(res.Replicas) != 6 {
		t.Errorf("%d transaction types, %d replicas; want 6 and 6 (n7 down)", len(res.PerType), len(res.Replicas))
	}
	if runtime.GOOS == "linux" && (res.CPU == nil || res.CPU.Replicas <= 0 || res.CPU.PerTx < res.CPU.Replicas || res.CPU.HostBusy <= 0) {
		t.Errorf("cpu %+v: want the replicas' and the host's CPU of the window", res.CPU)
	}
	if len(res.Charts) != 4 {
		t.Errorf("charts %v, want throughput and latency_cdf as PNG and SVG", res.Charts)
	}
	for _, c := range res.Charts {
		b, err := os.ReadFile(filepath.Join(out, c))
		png := strings.HasSuffix(c, ".png") && bytes.HasPrefix(b, []byte("\x89PNG"))
		svg := strings.HasSuffix(c, ".svg") && bytes.Contains(b, []byte("<svg")) && bytes.Contains(b, []byte("<path"))
		if err != nil || !png && !svg {
			t.Errorf("chart %s: %v, not a PNG or SVG chart", c, err)
		}
	}
}
