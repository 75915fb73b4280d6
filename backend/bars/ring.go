package bars

import "github.com/stockstream/stockstream/shared/stock"

// Ring holds one symbol's one-minute bars of the last 24 hours: a slot per
// minute of the UTC day, 40 bytes each, 56.25 KiB in all.
type Ring [Slots]Slot

// Add merges a bar into its slot.
func (r *Ring) Add(s Slot) { r[s.Index()].Merge(s) }

// Book holds the rings of every symbol, allocated on a symbol's first
// event. It is not safe for concurrent use.
type Book struct {
	rings map[string]*Ring
}

// NewBook returns an empty Book.
func NewBook() *Book { return &Book{rings: make(map[string]*Ring)} }

// Add counts published events in their bars.
func (b *Book) Add(events []stock.StockPriceEvent) {
	for _, ev := range events {
		s, ok := Of(ev)
		if !ok {
			continue
		}
		r := b.rings[ev.Symbol]
		if r == nil {
			r = new(Ring)
			b.rings[ev.Symbol] = r
		}
		r.Add(s)
	}
}

// Bars returns the bars of symbol over the 24 hours up to its newest bar,
// oldest first.
func (b *Book) Bars(symbol string) []stock.Bar {
	r := b.rings[symbol]
	if r == nil {
		return nil
	}
	return Window(symbol, r[:])
}
