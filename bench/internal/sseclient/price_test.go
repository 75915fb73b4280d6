package sseclient

import "testing"

func TestPriceSeq(t *testing.T) {
	for data, want := range map[string]uint64{
		`{"id":"6","symbol":"AAPL","price":7,"timestamp":"x"}`: 7,
		`{"push":{"pub":{"data":{"price": 8.5}}}}`:             8,
		`{"price":"12"}`: 12,
	} {
		if got, ok := PriceSeq([]byte(data)); !ok || got != want {
			t.Errorf("PriceSeq(%s) = %d, %v; want %d", data, got, ok, want)
		}
	}
	for _, data := range []string{`{"symbol":"AAPL"}`, `{"price":}`, `{"price":-1}`, ``} {
		if got, ok := PriceSeq([]byte(data)); ok {
			t.Errorf("PriceSeq(%s) = %d; want no price", data, got)
		}
	}
}
