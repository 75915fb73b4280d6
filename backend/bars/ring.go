package bars

import "github.com/stockstream/stockstream/shared/stock"

// Ring holds one symbol's one-minute bars of the last 24 hours: a slot per
// minute of the UTC day, 40 bytes each, 56.25 KiB in all.
type Ring [Slots]Slot

// Add merges a bar into its slot.
func (r *Ring) Add(s Slot) { r[s.Index()].Merge(s) }

// Count adds ev to the bar of its minute; an event Of refuses is not
// counted.
func (r *Ring) Count(ev stock.StockPriceEvent) {
	if s, ok := Of(ev); ok {
		r.Add(s)
	}
}

// Bars returns the bars of symbol held in r over the 24 hours up to the
// newest, oldest first.
func (r *Ring) Bars(symbol string) []stock.Bar { return Window(symbol, r[:]) }
