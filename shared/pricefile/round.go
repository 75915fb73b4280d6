package pricefile

import (
	"strconv"
	"strings"

	"github.com/stockstream/stockstream/shared/stock"
)

// parsePrice parses a decimal price. One with more than stock.PriceScale
// decimal places is a float artefact and is fixed, reporting rounded:
// when its value is exactly a float32, as Yahoo's downloads used to print
// prices (181.27999877929688 is the float32 nearest 181.28), it is read as
// the shortest decimal of that float32; then, if still too long, it is
// rounded half-even to stock.PriceScale places. One with exactly six
// places that is how C's %f prints the float32 nearest a price of at most
// four places, as Yahoo's downloads print them now (185.639999 for
// 185.64), is read as that price, and reported rounded too.
func parsePrice(s string) (p stock.Price, rounded bool, err error) {
	r, rounded := roundHalfEven(s, stock.PriceScale)
	if rounded {
		if short, ok := float32Decimal(s); ok {
			r, _ = roundHalfEven(short, stock.PriceScale)
		}
	} else if short, ok := float32Printed(s); ok {
		r, rounded = short, true
	}
	p, err = stock.ParsePrice(r)
	return p, rounded, err
}

// float32Places is how many decimal places a float32 price printed with
// %f is taken to have had: cents, or the hundredths of a cent of the
// sub-dollar prices.
const float32Places = 4

// float32Printed returns the price of at most float32Places places whose
// nearest float32, printed with six places, is s ("185.639999" is
// "185.64"), if there is one other than s itself.
func float32Printed(s string) (string, bool) {
	if _, frac, ok := strings.Cut(s, "."); !ok || len(frac) != 6 {
		return "", false
	}
	short, _ := roundHalfEven(s, float32Places)
	v, err := strconv.ParseFloat(short, 64)
	if err != nil || strconv.FormatFloat(float64(float32(v)), 'f', 6, 64) != s {
		return "", false
	}
	short, whole := trimZeros(short), trimZeros(s)
	return short, short != whole
}

// trimZeros drops the trailing zeros of a decimal's fraction.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// float32Decimal returns the shortest decimal of s's value if that value is
// exactly a float32.
func float32Decimal(s string) (string, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || float64(float32(v)) != v {
		return "", false
	}
	return strconv.FormatFloat(v, 'f', -1, 32), true
}

// roundHalfEven rounds a plain decimal ("181.27999877929688") to places
// decimal places, half to even, and reports whether it had more. Anything
// else (exponents, signs, junk) is returned as it is, for the parser to
// judge.
func roundHalfEven(s string, places int) (string, bool) {
	intPart, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= places || !digitsOnly(intPart) || !digitsOnly(frac) || intPart == "" {
		return s, false
	}
	kept, rest := intPart+frac[:places], frac[places:]
	up := rest[0] > '5' || rest[0] == '5' && (strings.Trim(rest[1:], "0") != "" || (kept[len(kept)-1]-'0')%2 == 1)
	if up {
		kept = increment(kept)
	}
	return kept[:len(kept)-places] + "." + kept[len(kept)-places:], true
}

// increment adds one to a string of decimal digits.
func increment(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
