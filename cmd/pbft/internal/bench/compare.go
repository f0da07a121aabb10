package bench

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// comparePoint is one measurement of another system drawn on the sweep chart beside pbft's
// (--compare): its throughput and latency at one load.
type comparePoint struct {
	label   string  // the series, e.g. "relab/hotstuff (mean latency)"
	load    string  // the point's label on the chart, e.g. "4x200"
	tps     float64 // operations per second
	latency float64 // milliseconds
}

// maxComparePoints bounds a --compare file: it is drawn, not analysed.
const maxComparePoints = 1000

// readCompare reads a --compare file: CSV with the header label,load,tps,latency_ms and one
// row per point. Every error names the line.
func readCompare(path string) ([]comparePoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--compare: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("--compare %s: header: %w", path, err)
	}
	if strings.Join(header, ",") != "label,load,tps,latency_ms" {
		return nil, fmt.Errorf("--compare %s: the header must be label,load,tps,latency_ms, not %q", path, strings.Join(header, ","))
	}
	var pts []comparePoint
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("--compare %s: %w", path, err)
		}
		p, err := parseComparePoint(rec)
		if err != nil {
			return nil, fmt.Errorf("--compare %s line %d: %w", path, line, err)
		}
		if pts = append(pts, p); len(pts) > maxComparePoints {
			return nil, fmt.Errorf("--compare %s: more than %d points", path, maxComparePoints)
		}
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("--compare %s: no points", path)
	}
	return pts, nil
}

// parseComparePoint parses one row: a label, a load, and two positive finite numbers.
func parseComparePoint(rec []string) (comparePoint, error) {
	p := comparePoint{label: rec[0], load: rec[1]}
	if p.label == "" {
		return p, errors.New("empty label")
	}
	for i, dst := range []*float64{&p.tps, &p.latency} {
		v, err := strconv.ParseFloat(rec[2+i], 64)
		if err != nil || !(v > 0 && v <= 1e9) { // NaN fails too
			return p, fmt.Errorf("%q is not a positive number", rec[2+i])
		}
		*dst = v
	}
	return p, nil
}
