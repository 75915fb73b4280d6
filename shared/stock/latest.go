package stock

import "encoding/json"

// Latest is the latest event of one symbol with the symbol's session open:
// the first price the server holds for the UTC day of that event. Snapshots
// carry it, so that change and change % are measured from the same
// reference by every client. On the wire it is the event's JSON with one
// more field: {"id","symbol","price","timestamp","open"}.
type Latest struct {
	StockPriceEvent
	Open Price
}

// MarshalJSON writes the event's fields and "open" (omitted when zero).
func (l Latest) MarshalJSON() ([]byte, error) {
	return l.AppendJSON(make([]byte, 0, 112)), nil
}

// AppendJSON appends the JSON encoding of l to b without reflection.
func (l Latest) AppendJSON(b []byte) []byte {
	b = l.StockPriceEvent.AppendJSON(b)
	if l.Open.IsZero() {
		return b
	}
	b = append(b[:len(b)-1], `,"open":`...) // drop the event's closing brace
	b = l.Open.appendDecimal(b)
	return append(b, '}')
}

// UnmarshalJSON reads an event with an optional "open", checking both as
// StockPriceEvent does.
func (l *Latest) UnmarshalJSON(b []byte) error {
	var ev StockPriceEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	var extra struct {
		Open *Price `json:"open"`
	}
	if err := json.Unmarshal(b, &extra); err != nil {
		return err
	}
	*l = Latest{StockPriceEvent: ev}
	if extra.Open != nil {
		l.Open = *extra.Open
	}
	return nil
}
