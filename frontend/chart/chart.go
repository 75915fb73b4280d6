// Package chart lays out a price chart of OHLC bars as SVG geometry:
// candles, a line through the closes, and price and time axes with
// readable ticks. It is plain Go, tested natively; the ui package renders
// what it computes. Floats serve the drawing only: prices stay exact in
// the bars and in every label taken from them.
package chart

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Box is the drawing area in SVG user units; the plot sits inside its
// padding, which leaves room for the axis labels.
type Box struct {
	Width, Height            float64
	Left, Right, Top, Bottom float64
}

// plot returns the plot's left and top edges and its width and height.
func (b Box) plot() (x, y, w, h float64) {
	return b.Left, b.Top, b.Width - b.Left - b.Right, b.Height - b.Top - b.Bottom
}

// Candle is one bar as a candlestick: the x of its body's left edge, its
// width, and the y of each of its prices.
type Candle struct {
	X, Width               float64
	Open, Close, High, Low float64
	Up                     bool // the close is at or above the open
	Bar                    stock.Bar
}

// Tick is an axis mark: its position (y on the price axis, x on the time
// axis) and its label.
type Tick struct {
	Pos   float64
	Label string
}

// Chart is the geometry of a chart of bars.
type Chart struct {
	Box        Box
	Candles    []Candle
	Line       string // SVG polyline points through the closes
	PriceTicks []Tick // bottom to top
	TimeTicks  []Tick // left to right
	Last       Tick   // the last close: its y and its exact price
}

// Empty reports whether the chart has no bar to draw.
func (c Chart) Empty() bool { return len(c.Candles) == 0 }

// Build lays out the bars (oldest first, each interval long) that start in
// the window of length span ending at end. The price axis spans the bars'
// lows and highs; a flat series is centred.
func Build(bars []stock.Bar, interval time.Duration, end time.Time, span time.Duration, box Box) Chart {
	start := end.Add(-span)
	var shown []stock.Bar
	for _, b := range bars {
		if !b.Start.Before(start) && b.Start.Before(end) {
			shown = append(shown, b)
		}
	}
	c := Chart{Box: box}
	if len(shown) == 0 || span <= 0 {
		return c
	}
	lo, hi := priceRange(shown)
	px, py, pw, ph := box.plot()
	x := func(t time.Time) float64 { return px + pw*float64(t.Sub(start))/float64(span) }
	y := func(v float64) float64 { return py + ph - ph*(v-lo)/(hi-lo) }
	width := pw * float64(interval) / float64(span)
	points := make([]string, 0, len(shown))
	for _, b := range shown {
		left := x(b.Start)
		c.Candles = append(c.Candles, Candle{
			X: left + width*0.15, Width: width * 0.7,
			Open: y(b.Open.Float64()), Close: y(b.Close.Float64()),
			High: y(b.High.Float64()), Low: y(b.Low.Float64()),
			Up: b.Close.Micros() >= b.Open.Micros(), Bar: b,
		})
		points = append(points, coord(left+width/2)+","+coord(y(b.Close.Float64())))
	}
	c.Line = strings.Join(points, " ")
	last := shown[len(shown)-1].Close
	c.Last = Tick{Pos: y(last.Float64()), Label: last.String()}
	c.PriceTicks = priceTicks(lo, hi, y)
	c.TimeTicks = timeTicks(start, end, span, x)
	return c
}

// priceRange returns the prices the axis spans: the lowest low and the
// highest high with a margin, widened around a flat series.
func priceRange(bars []stock.Bar) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, b := range bars {
		lo, hi = min(lo, b.Low.Float64()), max(hi, b.High.Float64())
	}
	margin := (hi - lo) * 0.05
	if margin == 0 {
		margin = max(hi*0.005, 0.01)
	}
	return lo - margin, hi + margin
}

// priceTicks returns about five ticks at round prices within [lo, hi].
func priceTicks(lo, hi float64, y func(float64) float64) []Tick {
	step := niceStep((hi - lo) / 4)
	decimals := min(max(2, int(-math.Floor(math.Log10(step)+1e-9))), stock.PriceScale)
	var out []Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		out = append(out, Tick{Pos: y(v), Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return out
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// timeSteps are the spacings the time axis may use.
var timeSteps = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// timeTicks returns at most six ticks at round times of the window,
// labelled with the browser's local wall clock.
func timeTicks(start, end time.Time, span time.Duration, x func(time.Time) float64) []Tick {
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s <= 6 {
			step = s
			break
		}
	}
	var out []Tick
	for t := start.Truncate(step); t.Before(end); t = t.Add(step) {
		if t.Before(start) {
			continue
		}
		out = append(out, Tick{Pos: x(t), Label: t.Local().Format("15:04")})
	}
	return out
}

// coord formats an SVG coordinate with one decimal.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
