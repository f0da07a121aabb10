package bench

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeCharts writes the SVG charts of the run into dir and returns their file names.
func writeCharts(dir string, main *point, sweep []*point, warmup float64) ([]string, error) {
	charts := map[string]*chart{
		"throughput.svg":  throughputChart(main, warmup),
		"latency_cdf.svg": cdfChart(main),
	}
	names := []string{"throughput.svg", "latency_cdf.svg"}
	if len(sweep) > 1 {
		charts["sweep.svg"] = sweepChart(sweep)
		names = append(names, "sweep.svg")
	}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(charts[name].svg()), 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// throughputChart plots the per-second throughput with the measured window shaded.
func throughputChart(p *point, warmup float64) *chart {
	s := series{name: "committed tx/s", color: "#1f77b4"}
	for _, t := range p.timeline() {
		s.points = append(s.points, xy{x: t.TimeS, y: t.TPS})
	}
	return &chart{
		title:  fmt.Sprintf("Throughput over time (%d clients)", p.clients),
		x:      axis{label: "time since start (s)"},
		y:      axis{label: "transactions per second"},
		series: []series{s},
		bands:  []band{{from: warmup, to: warmup + p.duration.Seconds(), label: "measured"}},
	}
}

// cdfChart plots the latency distribution of the measured window.
func cdfChart(p *point) *chart {
	s := series{name: "latency CDF", color: "#d62728"}
	p.rec.mu.Lock()
	if p.rec.hist.TotalCount() > 0 {
		s.points = append(s.points, xy{x: float64(p.rec.hist.Min()) / 1000, y: 0})
		for _, q := range cdfQuantiles() {
			s.points = append(s.points, xy{x: float64(p.rec.hist.ValueAtQuantile(q)) / 1000, y: q})
		}
	}
	p.rec.mu.Unlock()
	return &chart{
		title:  fmt.Sprintf("Latency CDF (%d clients, measured window)", p.clients),
		x:      axis{label: "latency (ms, log scale)", log: true},
		y:      axis{label: "percentile", min: 0, max: 100},
		series: []series{s},
	}
}

// sweepChart plots latency against throughput, one marker per client count.
func sweepChart(points []*point) *chart {
	p50 := series{name: "p50 latency", color: "#1f77b4", markers: true}
	p99 := series{name: "p99 latency", color: "#ff7f0e", markers: true}
	for _, p := range points {
		lat := p.latency()
		tps := p.throughput()
		p50.points = append(p50.points, xy{x: tps, y: lat.P50, label: fmt.Sprintf("%d", p.clients)})
		p99.points = append(p99.points, xy{x: tps, y: lat.P99})
	}
	return &chart{
		title:  "Throughput vs latency (labels: clients)",
		x:      axis{label: "throughput (tx/s)"},
		y:      axis{label: "latency (ms)"},
		series: []series{p50, p99},
	}
}

// cdfQuantiles are the percentiles a CDF is drawn through: every half percent, then the tail.
func cdfQuantiles() []float64 {
	var qs []float64
	for q := 0.5; q < 99; q += 0.5 {
		qs = append(qs, q)
	}
	return append(qs, 99, 99.5, 99.9, 99.99, 100)
}
