package streamtest

import (
	"strings"
	"testing"

	"github.com/stockstream/stockstream/shared/sse"
)

// ExpectUpdates reads r until it has seen n stockUpdate events, failing tb
// if the stream ends first or sends one of a symbol other than symbol.
func ExpectUpdates(tb testing.TB, r *sse.Reader, symbol string, n int) {
	tb.Helper()
	want := `"symbol":"` + symbol + `"`
	for seen := 0; seen < n; {
		ev, err := r.Next()
		if err != nil {
			tb.Fatalf("stream: %v", err)
		}
		if string(ev.Type) == "stockUpdate" {
			if !strings.Contains(string(ev.Data), want) {
				tb.Fatalf("stream filtered to %s sent %s", symbol, ev.Data)
			}
			seen++
		}
	}
}
