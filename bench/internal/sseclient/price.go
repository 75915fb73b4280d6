package sseclient

import "bytes"

var pricePrefix = []byte(`"price":`)

// PriceSeq returns the integer part of the first "price": number in data:
// the load generator publishes event k with price k, whatever JSON shape a
// server wraps it in.
func PriceSeq(data []byte) (uint64, bool) {
	i := bytes.Index(data, pricePrefix)
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(pricePrefix):]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '"') {
		rest = rest[1:]
	}
	var n uint64
	digits := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + uint64(c-'0')
		digits++
	}
	return n, digits > 0
}
