package bars

import (
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Ring holds one symbol's one-minute bars of the last 24 hours: a slot per
// minute of the UTC day, 40 bytes each, 56.25 KiB in all.
type Ring [Slots]Slot

// Count adds an event's price at time t to the bar of its minute; an event
// Of refuses is not counted.
func (r *Ring) Count(t time.Time, price stock.Price) {
	if m, ok := minuteOf(t); ok {
		p := price.Micros()
		r[index(m)].add(m, 1, p, p, p, p)
	}
}

// Bars returns the bars of symbol held in r over the 24 hours up to the
// newest, oldest first.
func (r *Ring) Bars(symbol string) []stock.Bar { return Window(symbol, r[:]) }
