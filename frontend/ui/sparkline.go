package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
)

const (
	svgNS       = "http://www.w3.org/2000/svg"
	sparkWidth  = 120
	sparkHeight = 28
)

// sparkline draws recent prices as an SVG line.
type sparkline struct {
	app.Compo
	Label   string
	History []float64
	Trend   string
}

// Render draws the line.
func (s *sparkline) Render() app.UI {
	return app.Elem("svg").XMLNS(svgNS).
		Class("sparkline", s.Trend).
		Attr("viewBox", "0 0 120 28").
		Attr("preserveAspectRatio", "none").
		Attr("role", "img").
		Aria("label", s.Label).
		Body(
			app.Elem("polyline").XMLNS(svgNS).
				Attr("points", market.SparklinePoints(s.History, sparkWidth, sparkHeight)).
				Attr("fill", "none").
				Attr("vector-effect", "non-scaling-stroke"),
		)
}
