package http_test

import (
	"encoding/json"
	"testing"

	stockhttp "github.com/stockstream/stockstream/backend/http"
)

func FuzzDecodeQuotes(f *testing.F) {
	for _, s := range []string{
		`{"symbol":"AAPL","price":118.88}`,
		`[{"symbol":"aapl","price":1e2,"timestamp":"2025-06-16T05:31:12.5838771Z"}]`,
		`[]`, `{"symbol":"A\nB","price":1}`, `{"price":"1"}`, `[{},{}]`, `nul`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		quotes, err := stockhttp.DecodeQuotes(body, 100)
		if err != nil {
			return
		}
		if len(quotes) == 0 || len(quotes) > 100 {
			t.Fatalf("accepted %d quotes", len(quotes))
		}
		for _, q := range quotes {
			if err := q.Validate(); err != nil {
				t.Fatalf("accepted an invalid quote %+v: %v", q, err)
			}
			if _, err := json.Marshal(q); err != nil {
				t.Fatalf("accepted quote does not encode: %v", err)
			}
		}
	})
}
