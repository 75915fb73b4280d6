package market

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// ChangePercent returns the change from open to now in percent, or 0 when
// open is zero.
func ChangePercent(open, now stock.Price) float64 {
	if open.IsZero() {
		return 0
	}
	return float64(now.Micros()-open.Micros()) * 100 / float64(open.Micros())
}

// FormatPrice returns the exact decimal of p with at least two decimals:
// "118.88", "100.00", "0.000125". Digits are never rounded away.
func FormatPrice(p stock.Price) string {
	return padCents(p.String())
}

// FormatChange returns a signed exact change, given in millionths, with at
// least two decimals: "+1.50", "-0.25", "0.00".
func FormatChange(micros int64) string {
	sign := ""
	switch {
	case micros > 0:
		sign = "+"
	case micros < 0:
		sign, micros = "-", -micros
	}
	s := strconv.FormatInt(micros/1_000_000, 10)
	if frac := micros % 1_000_000; frac != 0 {
		f := strings.TrimRight(strconv.FormatInt(1_000_000+frac, 10)[1:], "0")
		s += "." + f
	}
	return sign + padCents(s)
}

// FormatPercent returns a signed percentage with two decimals: "+1.25%",
// "-0.40%", "0.00%". Values that round to zero show no sign.
func FormatPercent(pct float64) string {
	if math.IsNaN(pct) || math.IsInf(pct, 0) {
		return "—"
	}
	r := math.Round(pct*100) / 100
	if r == 0 {
		return "0.00%"
	}
	s := strconv.FormatFloat(r, 'f', 2, 64) + "%"
	if r > 0 {
		return "+" + s
	}
	return s
}

// FormatTime returns the wall-clock time of t in the browser's zone as
// "15:04:05".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return t.Local().Format("15:04:05")
}

// padCents pads a decimal string to at least two fractional digits.
func padCents(s string) string {
	_, frac, ok := strings.Cut(s, ".")
	switch {
	case !ok:
		return s + ".00"
	case len(frac) == 1:
		return s + "0"
	}
	return s
}
