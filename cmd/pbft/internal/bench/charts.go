package bench

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Charts are drawn with gonum.org/v1/plot and written twice: PNG for a quick look, SVG for
// documents.
const chartWidth, chartHeight = 8 * vg.Inch, 4.5 * vg.Inch

// chartFormats are the file formats every chart is written in.
var chartFormats = []string{"png", "svg"}

// Colors of the series (the matplotlib defaults, which readers know).
var (
	blue   = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	orange = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	red    = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	shade  = color.RGBA{R: 0xe8, G: 0xf0, B: 0xf8, A: 0xff}
)

// headroom is the share of the y range kept free above the highest value, where the legend
// and band labels go, so that they never cover a curve.
const headroom = 1.3

// writeCharts writes the charts of the run into dir and returns their file names.
func writeCharts(dir string, main *point, sweep []*point, others []comparePoint, warmup float64) ([]string, error) {
	plots := []struct {
		name string
		make func() (*plot.Plot, error)
	}{
		{"throughput", func() (*plot.Plot, error) { return throughputPlot(main, warmup) }},
		{"latency_cdf", func() (*plot.Plot, error) { return cdfPlot(main) }},
	}
	if len(sweep) > 1 || len(others) > 0 {
		plots = append(plots, struct {
			name string
			make func() (*plot.Plot, error)
		}{"sweep", func() (*plot.Plot, error) { return sweepPlot(sweep, others) }})
	}
	var names []string
	for _, pl := range plots {
		p, err := pl.make()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pl.name, err)
		}
		for _, ext := range chartFormats {
			name := pl.name + "." + ext
			if err := p.Save(chartWidth, chartHeight, filepath.Join(dir, name)); err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	return names, nil
}

// throughputPlot draws the throughput of each second as a step line from the start to the
// end of the measured window (the x axis ends there), with the measured window shaded. The
// drain after the window is left out: clients stop there, so it is not throughput.
func throughputPlot(p *point, warmup float64) (*plot.Plot, error) {
	end := warmup + p.duration.Seconds()
	pl := newPlot(fmt.Sprintf("Throughput over time (%d clients)", p.clients), "time since start (s)", "committed transactions per second")
	steps, top := throughputSteps(p.timeline(), end)
	pl.X.Min, pl.X.Max = 0, end
	pl.Y.Min, pl.Y.Max = 0, max(1, top)*headroom
	band, err := plotter.NewPolygon(plotter.XYs{{X: warmup, Y: 0}, {X: end, Y: 0}, {X: end, Y: pl.Y.Max}, {X: warmup, Y: pl.Y.Max}})
	if err != nil {
		return nil, err
	}
	band.Color, band.LineStyle.Width = shade, 0
	label, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: warmup, Y: pl.Y.Max}}, Labels: []string{" measured window"}})
	if err != nil {
		return nil, err
	}
	label.Offset = vg.Point{Y: -12}
	line, err := plotter.NewLine(steps)
	if err != nil {
		return nil, err
	}
	line.StepStyle, line.Color, line.Width = plotter.PostStep, blue, vg.Points(1.5)
	pl.Add(band, label, line)
	return pl, nil
}

// throughputSteps turns the per-second timeline into the corners of a step line ending at
// end, and returns the highest throughput. Timeline point i covers [i, i+1) seconds (the last
// one may be shorter); each step starts at its second and the line closes at end.
func throughputSteps(tl []TimelinePoint, end float64) (plotter.XYs, float64) {
	xys := make(plotter.XYs, 0, len(tl)+1)
	top := 0.0
	for i, t := range tl {
		xys = append(xys, plotter.XY{X: float64(i), Y: t.TPS})
		top = max(top, t.TPS)
	}
	if n := len(xys); n > 0 {
		xys = append(xys, plotter.XY{X: end, Y: xys[n-1].Y})
	} else {
		xys = append(xys, plotter.XY{X: 0, Y: 0}, plotter.XY{X: end, Y: 0})
	}
	return xys, top
}

// cdfPlot draws the latency distribution of the measured window, latency on a log axis.
func cdfPlot(p *point) (*plot.Plot, error) {
	pl := newPlot(fmt.Sprintf("Latency CDF (%d clients, measured window)", p.clients), "latency (ms, log scale)", "percentile")
	pl.X.Scale, pl.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	pl.Y.Min, pl.Y.Max = 0, 100
	var xys plotter.XYs
	p.rec.mu.Lock()
	if h := p.rec.hist; h.TotalCount() > 0 {
		xys = append(xys, plotter.XY{X: float64(h.Min()) / 1000, Y: 0})
		for _, q := range cdfQuantiles() {
			xys = append(xys, plotter.XY{X: float64(h.ValueAtQuantile(q)) / 1000, Y: q})
		}
	}
	p.rec.mu.Unlock()
	if len(xys) == 0 {
		pl.X.Min, pl.X.Max = 1, 10 // no request in the window: empty axes
		return pl, nil
	}
	for i := range xys {
		xys[i].X = max(xys[i].X, 0.001) // a log axis takes no zero
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width = red, vg.Points(1.5)
	pl.Add(line)
	return pl, nil
}

// sweepPlot draws latency against throughput, one marker per client count, labelled with it,
// and the points of other systems (--compare), one series per label, labelled with their
// load. The legend sits top left, in the headroom above the curves.
func sweepPlot(points []*point, others []comparePoint) (*plot.Plot, error) {
	pl := newPlot("Throughput vs latency (labels: clients)", "throughput (tx/s)", "latency (ms)")
	var p50, p99 plotter.XYs
	var names []string
	top := 0.0
	for _, p := range points {
		lat, tps := p.latency(), p.throughput()
		p50 = append(p50, plotter.XY{X: tps, Y: lat.P50})
		p99 = append(p99, plotter.XY{X: tps, Y: lat.P99})
		names = append(names, strconv.Itoa(p.clients))
		top = max(top, lat.P99, lat.P50)
	}
	for _, o := range others {
		top = max(top, o.latency)
	}
	pl.Y.Min, pl.Y.Max = 0, max(1, top)*headroom
	pl.X.Min = 0
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.Legend.XOffs, pl.Legend.YOffs = vg.Points(8), -vg.Points(4)
	for _, s := range []struct {
		name string
		xys  plotter.XYs
		c    color.Color
		mark draw.GlyphDrawer
	}{{"p50 latency", p50, blue, draw.CircleGlyph{}}, {"p99 latency", p99, orange, draw.TriangleGlyph{}}} {
		line, scatter, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return nil, err
		}
		line.Color, scatter.Color, scatter.Shape = s.c, s.c, s.mark
		pl.Add(line, scatter)
		pl.Legend.Add(s.name, line, scatter)
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: p50, Labels: names})
	if err != nil {
		return nil, err
	}
	labels.Offset = vg.Point{X: 4, Y: 4}
	pl.Add(labels)
	return pl, addOthers(pl, others)
}

// addOthers draws each --compare series in red (then the next colors), with its load labels.
func addOthers(pl *plot.Plot, others []comparePoint) error {
	var order []string
	series := map[string]plotter.XYs{}
	loads := map[string][]string{}
	for _, o := range others {
		if _, ok := series[o.label]; !ok {
			order = append(order, o.label)
		}
		series[o.label] = append(series[o.label], plotter.XY{X: o.tps, Y: o.latency})
		loads[o.label] = append(loads[o.label], o.load)
	}
	colors := []color.Color{red, color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}}
	for i, name := range order {
		line, scatter, err := plotter.NewLinePoints(series[name])
		if err != nil {
			return err
		}
		c := colors[i%len(colors)]
		line.Color, scatter.Color, scatter.Shape = c, c, draw.BoxGlyph{}
		line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		pl.Add(line, scatter)
		pl.Legend.Add(name, line, scatter)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: series[name], Labels: loads[name]})
		if err != nil {
			return err
		}
		labels.Offset = vg.Point{X: 4, Y: -10}
		pl.Add(labels)
	}
	return nil
}

// newPlot is a plot with a title, axis labels and a light grid.
func newPlot(title, x, y string) *plot.Plot {
	pl := plot.New()
	pl.Title.Text, pl.X.Label.Text, pl.Y.Label.Text = title, x, y
	pl.Title.TextStyle.Font.Size = vg.Points(14)
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = color.Gray{Y: 0xdd}, color.Gray{Y: 0xdd}
	pl.Add(grid)
	return pl
}

// cdfQuantiles are the percentiles a CDF is drawn through: every half percent, then the tail.
func cdfQuantiles() []float64 {
	var qs []float64
	for q := 0.5; q < 99; q += 0.5 {
		qs = append(qs, q)
	}
	return append(qs, 99, 99.5, 99.9, 99.99, 100)
}
