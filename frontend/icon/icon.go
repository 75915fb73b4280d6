// Package icon draws the app's icon: a rising price line on a dark tile. The
// build renders it as the PNGs the web manifest lists, so the app ships its
// own icons instead of linking to public ones.
package icon

import (
	"image"
	"image/color"
	"math"
)

// Colours of the icon, matching the app's theme.
var (
	Background = color.NRGBA{0x0f, 0x17, 0x2a, 0xff}
	Line       = color.NRGBA{0x22, 0xc5, 0x5e, 0xff}
	Grid       = color.NRGBA{0x33, 0x41, 0x55, 0xff}
)

// chart is the price line in unit coordinates (0,0 top left).
var chart = [][2]float64{{0.12, 0.72}, {0.32, 0.56}, {0.46, 0.64}, {0.64, 0.38}, {0.76, 0.46}, {0.88, 0.24}}

// Draw returns a size×size icon. A maskable icon fills the whole square
// and keeps its drawing inside the central safe zone (80%); the regular
// icon is a rounded tile with transparent corners.
func Draw(size int, maskable bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	scale, offset := 1.0, 0.0
	if maskable {
		scale, offset = 0.7, 0.15
	}
	radius := 0.2 * s
	for y := range size {
		for x := range size {
			px, py := float64(x)+0.5, float64(y)+0.5
			if !maskable && !insideRounded(px, py, s, radius) {
				continue
			}
			img.SetNRGBA(x, y, pixel(px/s, py/s, scale, offset, s))
		}
	}
	return img
}

// pixel returns the colour at unit point (u, v).
func pixel(u, v, scale, offset, size float64) color.NRGBA {
	cu, cv := (u-offset)/scale, (v-offset)/scale
	width := 0.07
	d := math.Inf(1)
	for i := 1; i < len(chart); i++ {
		d = min(d, segmentDistance(cu, cv, chart[i-1], chart[i]))
	}
	if a := coverage(d, width/2, size*scale); a > 0 {
		return blend(Background, Line, a)
	}
	if cv > 0.84 && cv < 0.87 && cu > 0.1 && cu < 0.9 {
		return Grid
	}
	return Background
}

// coverage antialiases a stroke of half-width hw at distance d (unit
// coordinates) for an image of px pixels.
func coverage(d, hw, px float64) float64 {
	edge := (hw - d) * px
	return math.Max(0, math.Min(1, edge+0.5))
}

func segmentDistance(u, v float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := ((u-a[0])*dx + (v-a[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(u-(a[0]+t*dx), v-(a[1]+t*dy))
}

func insideRounded(x, y, s, r float64) bool {
	cx := math.Max(r, math.Min(s-r, x))
	cy := math.Max(r, math.Min(s-r, y))
	return math.Hypot(x-cx, y-cy) <= r
}

func blend(a, b color.NRGBA, t float64) color.NRGBA {
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}
