package stock

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PriceScale is the number of decimal places a Price keeps exactly.
const PriceScale = 6

// MaxPrice is the largest accepted price: far above any listed share, low
// enough that a typo or an attack never reaches the stream.
const MaxPrice = 1_000_000_000

const priceUnit = 1_000_000 // 10^PriceScale

// maxPriceLiteral bounds the text a price may be parsed from.
const maxPriceLiteral = 64

// Price is an exact decimal amount of money with PriceScale decimal places,
// held as an integer count of millionths so that 118.88 stays 118.88 from the
// publisher to the browser: it never passes through float64.
// The zero Price is not a valid price for an event.
type Price struct {
	micros int64
}

// ErrInvalidPrice is wrapped by every error ParsePrice returns.
var ErrInvalidPrice = errors.New("invalid price")

// PriceFromCents returns the Price of a whole number of cents.
func PriceFromCents(cents int64) Price { return Price{micros: cents * (priceUnit / 100)} }

// PriceFromMicros returns the Price of a number of millionths, as Micros
// returns it.
func PriceFromMicros(micros int64) Price { return Price{micros: micros} }

// Micros returns the price in millionths.
func (p Price) Micros() int64 { return p.micros }

// IsZero reports whether p is the zero Price.
func (p Price) IsZero() bool { return p.micros == 0 }

// Float64 returns the nearest float64, for display arithmetic only (change %,
// charts); it is never used to carry a price.
func (p Price) Float64() float64 { return float64(p.micros) / priceUnit }

// ParsePrice parses a positive decimal number such as "118.88", "1e2" or
// "0.000125". It rejects NaN, infinities, signs other than a leading '-'
// (which is then refused as negative), zero, values above MaxPrice and values
// with more than PriceScale significant decimal places.
func ParsePrice(s string) (Price, error) {
	if len(s) > maxPriceLiteral {
		return Price{}, fmt.Errorf("%w: %d characters is too long", ErrInvalidPrice, len(s))
	}
	digits, exp, neg, err := splitDecimal(s)
	if err != nil {
		return Price{}, fmt.Errorf("%w %q: %v", ErrInvalidPrice, s, err)
	}
	micros, err := scaleDigits(digits, exp+PriceScale)
	if err != nil {
		return Price{}, fmt.Errorf("%w %q: %v", ErrInvalidPrice, s, err)
	}
	switch {
	case neg && micros != 0:
		return Price{}, fmt.Errorf("%w %q: must not be negative", ErrInvalidPrice, s)
	case micros == 0:
		return Price{}, fmt.Errorf("%w %q: must be greater than zero", ErrInvalidPrice, s)
	}
	return Price{micros: micros}, nil
}

// MustParsePrice is ParsePrice for constants in tests and tables; it panics
// on an invalid price.
func MustParsePrice(s string) Price {
	p, err := ParsePrice(s)
	if err != nil {
		panic(err)
	}
	return p
}

// splitDecimal splits a JSON-style number into its significant digits and a
// power-of-ten exponent: "118.88" is ("11888", -2).
func splitDecimal(s string) (digits string, exp int, neg bool, err error) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) || (hasDot && frac == "") {
		return "", 0, false, errors.New("not a decimal number")
	}
	if hasExp {
		e, perr := strconv.Atoi(strings.TrimPrefix(expPart, "+"))
		if perr != nil || expPart == "" || strings.HasPrefix(expPart, "+-") || strings.HasPrefix(expPart, "--") {
			return "", 0, false, errors.New("bad exponent")
		}
		if e < -100 || e > 100 {
			return "", 0, false, errors.New("exponent out of range")
		}
		exp = e
	}
	digits = strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	// Trailing zeros carry no value: "118.880" is 118.88.
	for strings.HasSuffix(digits, "0") {
		digits, exp = digits[:len(digits)-1], exp+1
	}
	return digits, exp, neg, nil
}

// scaleDigits returns digits × 10^shift as an int64, refusing anything that
// is fractional after scaling or larger than MaxPrice in units.
func scaleDigits(digits string, shift int) (int64, error) {
	if digits == "" {
		return 0, nil
	}
	if shift < 0 {
		return 0, fmt.Errorf("more than %d decimal places", PriceScale)
	}
	if len(digits)+shift > 16 { // MaxPrice in micros has 16 digits
		return 0, fmt.Errorf("above the maximum of %d", MaxPrice)
	}
	v, err := strconv.ParseInt(digits+strings.Repeat("0", shift), 10, 64)
	if err != nil || v > MaxPrice*priceUnit {
		return 0, fmt.Errorf("above the maximum of %d", MaxPrice)
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the shortest exact decimal form: "118.88", "100", "0.000125".
func (p Price) String() string { return string(p.appendDecimal(nil)) }

// AppendText appends the shortest exact decimal form of p to b.
func (p Price) AppendText(b []byte) ([]byte, error) {
	return p.appendDecimal(b), nil
}

func (p Price) appendDecimal(b []byte) []byte {
	m := p.micros
	if m < 0 {
		b = append(b, '-')
		m = -m
	}
	b = strconv.AppendInt(b, m/priceUnit, 10)
	frac := m % priceUnit
	if frac == 0 {
		return b
	}
	var buf [PriceScale]byte
	for i := PriceScale - 1; i >= 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := PriceScale
	for buf[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, buf[:n]...)
}

// MarshalJSON writes p as a JSON number with its exact decimal digits.
func (p Price) MarshalJSON() ([]byte, error) { return p.appendDecimal(nil), nil }

// UnmarshalJSON reads a JSON number. Strings, null, booleans and every value
// ParsePrice refuses are errors.
func (p *Price) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || strings.HasPrefix(s, `"`) || s == "true" || s == "false" {
		return fmt.Errorf("%w: price must be a JSON number, not %s", ErrInvalidPrice, clip(s))
	}
	v, err := ParsePrice(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
