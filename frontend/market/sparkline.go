package market

import (
	"strconv"
	"strings"
)

// SparklinePoints returns the SVG polyline points that draw history in a
// w×h box, oldest on the left. A flat or single-point history is a
// horizontal line through the middle.
func SparklinePoints(history []float64, w, h float64) string {
	if len(history) == 0 {
		return ""
	}
	lo, hi := history[0], history[0]
	for _, v := range history {
		lo, hi = min(lo, v), max(hi, v)
	}
	n := len(history)
	var b strings.Builder
	for i, v := range history {
		x := w
		if n > 1 {
			x = w * float64(i) / float64(n-1)
		}
		y := h / 2
		if hi > lo {
			y = h - (v-lo)/(hi-lo)*h
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(x, 'f', 1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(y, 'f', 1, 64))
	}
	if n == 1 {
		return "0," + strconv.FormatFloat(h/2, 'f', 1, 64) + " " + b.String()
	}
	return b.String()
}
