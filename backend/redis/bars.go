package redis

import "github.com/stockstream/stockstream/shared/stock"

// partialBar is the bar of one symbol's events of one minute in one
// publish batch, to be merged into the symbol's stored ring.
type partialBar struct {
	symbol string
	stock.MinuteBar
}

// foldBars summarises a batch of events into one partial bar per symbol
// and minute, in the order each first appears, by stock.MinuteBar.Merge.
// Merging them into the rings gives the same bars as adding the events one
// by one, with one read and one write per symbol and minute instead of one
// per event. Events that count in no bar (stock.MinuteBarOf) are left out.
func foldBars(events []stock.StockPriceEvent) []partialBar {
	type key struct {
		symbol string
		minute int32
	}
	at := make(map[key]int, len(events))
	var out []partialBar
	for _, ev := range events {
		b, ok := stock.MinuteBarOf(ev.Timestamp, ev.Price)
		if !ok {
			continue
		}
		k := key{ev.Symbol, b.Minute}
		if i, seen := at[k]; seen {
			out[i].Merge(b)
			continue
		}
		at[k] = len(out)
		out = append(out, partialBar{symbol: ev.Symbol, MinuteBar: b})
	}
	return out
}
