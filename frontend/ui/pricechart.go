package ui

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/chart"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// chartBox is the chart's drawing area in SVG user units; the SVG scales to
// the page's width, and the stylesheet enlarges the labels on phones.
var chartBox = chart.Box{Width: 640, Height: 300, Left: 8, Right: 72, Top: 12, Bottom: 30}

// priceChart draws a symbol's one-minute bars of the last hour as candles,
// with a line through the closes, round prices on the right and local
// times below. The SVG carries data-chart.
type priceChart struct {
	app.Compo
	Symbol string
	Bars   []stock.Bar
}

// Render draws the chart.
func (c *priceChart) Render() app.UI {
	var end time.Time
	if n := len(c.Bars); n > 0 {
		end = c.Bars[n-1].Start.Add(market.BarInterval)
	}
	ch := chart.Build(c.Bars, market.BarInterval, end, market.ChartSpan, chartBox)
	label := c.Symbol + ": price over the last hour, one candle a minute"
	var body []app.UI
	body = append(body, svg("title").Text(label))
	if ch.Empty() {
		body = append(body, svg("text").Class("chart-empty").
			Attr("x", coord(chartBox.Width/2)).Attr("y", coord(chartBox.Height/2)).Attr("text-anchor", "middle").
			Text("No trades in the last hour"))
	}
	body = append(body, c.axes(ch)...)
	body = append(body, c.candles(ch)...)
	if !ch.Empty() {
		right := chartBox.Width - chartBox.Right
		body = append(body,
			svg("polyline").Class("chart-line").Attr("points", ch.Line),
			svg("line").Class("chart-last").Attr("x1", coord(chartBox.Left)).Attr("x2", coord(right)).
				Attr("y1", coord(ch.Last.Pos)).Attr("y2", coord(ch.Last.Pos)),
			svg("text").Class("chart-last-label").Attr("x", coord(right+6)).Attr("y", coord(ch.Last.Pos+4)).
				Text(ch.Last.Label),
		)
	}
	return app.Elem("figure").Class("chart-frame").Body(
		app.Elem("svg").XMLNS(svgNS).Class("chart").DataSet("chart", c.Symbol).
			Attr("viewBox", "0 0 "+coord(chartBox.Width)+" "+coord(chartBox.Height)).
			Attr("role", "img").Aria("label", label).DataSet("bars", len(ch.Candles)).
			Body(body...),
		app.Elem("figcaption").Text("Last hour, one candle a minute; times on your clock."),
	)
}

// axes returns the grid lines and the labels of both axes.
func (c *priceChart) axes(ch chart.Chart) []app.UI {
	right, bottom := chartBox.Width-chartBox.Right, chartBox.Height-chartBox.Bottom
	var out []app.UI
	for _, t := range ch.PriceTicks {
		out = append(out,
			svg("line").Class("chart-grid").Attr("x1", coord(chartBox.Left)).Attr("x2", coord(right)).
				Attr("y1", coord(t.Pos)).Attr("y2", coord(t.Pos)),
			svg("text").Class("chart-tick").Attr("x", coord(right+6)).Attr("y", coord(t.Pos+4)).Text(t.Label))
	}
	for _, t := range ch.TimeTicks {
		out = append(out, svg("text").Class("chart-tick").Attr("x", coord(t.Pos)).Attr("y", coord(bottom+20)).
			Attr("text-anchor", "middle").Text(t.Label))
	}
	return out
}

// candles returns a wick and a body per bar.
func (c *priceChart) candles(ch chart.Chart) []app.UI {
	out := make([]app.UI, 0, 2*len(ch.Candles))
	for _, cd := range ch.Candles {
		mid := cd.X + cd.Width/2
		top, height := min(cd.Open, cd.Close), max(1, abs(cd.Open-cd.Close))
		dir := "down"
		if cd.Up {
			dir = "up"
		}
		out = append(out,
			svg("line").Class("chart-wick", dir).Attr("x1", coord(mid)).Attr("x2", coord(mid)).
				Attr("y1", coord(cd.High)).Attr("y2", coord(cd.Low)),
			svg("rect").Class("chart-candle", dir).Attr("x", coord(cd.X)).Attr("y", coord(top)).
				Attr("width", coord(cd.Width)).Attr("height", coord(height)))
	}
	return out
}

// svg returns an element of the SVG namespace.
func svg(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

// coord formats an SVG coordinate.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
