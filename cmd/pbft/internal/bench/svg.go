package bench

import (
	"fmt"
	"math"
	"strings"
)

// A small SVG line-chart writer: the charts are simple enough that a plotting library would
// add more than it saves.

const (
	chartW, chartH = 760, 440
	padL, padR     = 80, 30
	padT, padB     = 50, 60
)

// xy is one (x, y) of a series; label, if set, is written beside its marker.
type xy struct {
	x, y  float64
	label string
}

// series is one line of a chart.
type series struct {
	name    string
	color   string
	points  []xy
	markers bool
}

// axis describes one axis of a chart.
type axis struct {
	label    string
	log      bool
	min, max float64
}

// band shades an x range of the chart (the measured window of a timeline).
type band struct {
	from, to float64
	label    string
}

// chart is a line chart.
type chart struct {
	title  string
	x, y   axis
	series []series
	bands  []band
}

// svg renders the chart.
func (c *chart) svg() string {
	c.fitAxes()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" text-anchor="middle">%s</text>`+"\n", chartW/2, esc(c.title))
	for _, bd := range c.bands {
		x0, x1 := c.px(bd.from), c.px(bd.to)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#eef4ff"/>`+"\n", x0, padT, x1-x0, chartH-padT-padB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#557" text-anchor="middle">%s</text>`+"\n", (x0+x1)/2, padT+14, esc(bd.label))
	}
	c.drawAxes(&b)
	for _, s := range c.series {
		c.drawSeries(&b, s)
	}
	c.drawLegend(&b)
	b.WriteString("</svg>\n")
	return b.String()
}

// fitAxes sets ranges not given from the data.
func (c *chart) fitAxes() {
	fit := func(a *axis, get func(xy) float64) {
		if a.max > a.min {
			return
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range c.series {
			for _, p := range s.points {
				lo, hi = math.Min(lo, get(p)), math.Max(hi, get(p))
			}
		}
		if math.IsInf(lo, 0) {
			lo, hi = 0, 1
		}
		if a.log {
			a.min = math.Pow(10, math.Floor(math.Log10(math.Max(lo, 1e-3))))
			a.max = math.Pow(10, math.Ceil(math.Log10(math.Max(hi, a.min*10))))
			return
		}
		a.min = math.Min(0, lo)
		step := niceStep((hi - a.min) / 5)
		a.max = math.Max(step, math.Ceil(hi/step)*step)
	}
	fit(&c.x, func(p xy) float64 { return p.x })
	fit(&c.y, func(p xy) float64 { return p.y })
}

func (c *chart) px(v float64) float64 { return padL + frac(c.x, v)*float64(chartW-padL-padR) }
func (c *chart) py(v float64) float64 {
	return float64(chartH-padB) - frac(c.y, v)*float64(chartH-padT-padB)
}

// frac is v's position on the axis, 0 at min and 1 at max.
func frac(a axis, v float64) float64 {
	if a.log {
		v = math.Max(v, a.min)
		return (math.Log10(v) - math.Log10(a.min)) / (math.Log10(a.max) - math.Log10(a.min))
	}
	return (v - a.min) / (a.max - a.min)
}

func (c *chart) drawAxes(b *strings.Builder) {
	x0, y0, x1, y1 := float64(padL), float64(chartH-padB), float64(chartW-padR), float64(padT)
	for _, t := range ticks(c.x) {
		x := c.px(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, y0, x, y1)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, y0+16, tickLabel(t))
	}
	for _, t := range ticks(c.y) {
		y := c.py(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x0, y, x1, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-6, y+4, tickLabel(t))
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", x0, y1, x1-x0, y0-y1)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", (x0+x1)/2, chartH-18, esc(c.x.label))
	fmt.Fprintf(b, `<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">%s</text>`+"\n", (y0+y1)/2, (y0+y1)/2, esc(c.y.label))
}

func (c *chart) drawSeries(b *strings.Builder, s series) {
	if len(s.points) == 0 {
		return
	}
	var pts []string
	for _, p := range s.points {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", c.px(p.x), c.py(p.y)))
	}
	fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", s.color, strings.Join(pts, " "))
	if !s.markers {
		return
	}
	for _, p := range s.points {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", c.px(p.x), c.py(p.y), s.color)
		if p.label != "" {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`+"\n", c.px(p.x)+6, c.py(p.y)-6, s.color, esc(p.label))
		}
	}
}

func (c *chart) drawLegend(b *strings.Builder) {
	y := padT + 8
	for _, s := range c.series {
		if s.name == "" {
			continue
		}
		x := chartW - padR - 150
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", x, y, x+20, y, s.color)
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", x+26, y+4, esc(s.name))
		y += 18
	}
}

// ticks returns the tick values of an axis: nice steps, or 1-2-5 per decade on a log axis.
func ticks(a axis) []float64 {
	var out []float64
	if a.log {
		for d := a.min; d <= a.max*1.0001; d *= 10 {
			for _, m := range []float64{1, 2, 5} {
				if v := d * m; v <= a.max*1.0001 {
					out = append(out, v)
				}
			}
		}
		return out
	}
	step := niceStep((a.max - a.min) / 5)
	for v := math.Ceil(a.min/step) * step; v <= a.max+step/1000; v += step {
		out = append(out, v)
	}
	return out
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func tickLabel(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 10_000:
		return fmt.Sprintf("%.0fk", v/1000)
	case math.Abs(v) >= 1:
		return trimZeros(fmt.Sprintf("%.1f", v))
	}
	return trimZeros(fmt.Sprintf("%.3f", v))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
