package redis

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
	"github.com/stockstream/stockstream/shared/stock/stocktest"
)

// TestFoldBarsEqualsOneByOne checks, on random batches, that adding the
// partial bars of a batch gives the same bars as adding its events one by
// one: the publish script merges partials, the in-memory broker events.
func TestFoldBarsEqualsOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var batch []stock.StockPriceEvent
		for range 1 + rng.IntN(50) {
			at := time.Duration(rng.IntN(3*24*60)) * time.Minute / time.Duration(1+rng.IntN(200))
			batch = append(batch, stock.StockPriceEvent{
				Symbol: []string{"A", "B"}[rng.IntN(2)], Price: stock.PriceFromMicros(1 + rng.Int64N(5e6)), Timestamp: stocktest.Day0.Add(at),
			})
		}
		one, folded := map[string]*stock.MinuteBars{"A": {}, "B": {}}, map[string]*stock.MinuteBars{"A": {}, "B": {}}
		for _, e := range batch {
			one[e.Symbol].Count(e.Timestamp, e.Price)
		}
		for _, p := range foldBars(batch) {
			folded[p.symbol].Add(p.MinuteBar)
		}
		for _, sym := range []string{"A", "B"} {
			if got, want := fmt.Sprint(folded[sym].Bars(sym)), fmt.Sprint(one[sym].Bars(sym)); got != want {
				t.Fatalf("round %d, %s: folded\n%s\none by one\n%s", round, sym, got, want)
			}
		}
	}
}
