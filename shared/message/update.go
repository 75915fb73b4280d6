package message

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// decodeUpdate decodes the data of an update. The exact form a stockstream
// server writes (stock.StockPriceEvent.AppendJSON) is read without
// reflection, and symbols are interned, so a busy stream costs little;
// anything else goes through encoding/json and the same checks.
func (d *Decoder) decodeUpdate(data []byte, id string, e *stock.StockPriceEvent) error {
	if d.canonical(data, id, e) {
		return nil
	}
	return json.Unmarshal(data, e)
}

// Field openings of the canonical encoding, in order.
var (
	openID        = []byte(`{"id":"`)
	openSymbol    = []byte(`","symbol":"`)
	openPrice     = []byte(`","price":`)
	openTimestamp = []byte(`,"timestamp":"`)
	closing       = []byte(`"}`)
)

// canonical decodes the canonical encoding into e, reporting false for
// anything else (the fallback then decides).
func (d *Decoder) canonical(b []byte, id string, e *stock.StockPriceEvent) bool {
	b, ok := bytes.CutPrefix(b, openID)
	idv, b, ok2 := cutBefore(b, openSymbol)
	if !ok || !ok2 || string(idv) != id {
		return false
	}
	sym, b, ok := cutBefore(b, openPrice)
	if !ok {
		return false
	}
	symbol, ok := d.symbol(sym)
	if !ok {
		return false
	}
	price, b, ok := cutBefore(b, openTimestamp)
	if !ok {
		return false
	}
	if len(price) > 1 && price[0] == '0' && price[1] != '.' {
		return false // a leading zero is not JSON
	}
	p, err := stock.ParsePrice(string(price))
	if err != nil {
		return false
	}
	ts, rest, ok := cutBefore(b, closing)
	if !ok || len(rest) != 0 {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return false
	}
	*e = stock.StockPriceEvent{ID: id, Symbol: symbol, Price: p, Timestamp: t.UTC()}
	return true
}

// cutBefore splits b around the first sep.
func cutBefore(b, sep []byte) (before, after []byte, ok bool) {
	i := bytes.Index(b, sep)
	if i < 0 {
		return nil, nil, false
	}
	return b[:i], b[i+len(sep):], true
}

// maxInterned bounds the symbols a decoder keeps.
const maxInterned = 10_000

// symbol returns the valid, upper-case symbol b, interned.
func (d *Decoder) symbol(b []byte) (string, bool) {
	if s, ok := d.symbols[string(b)]; ok {
		return s, true
	}
	s, err := stock.ParseSymbol(string(b))
	if err != nil || s != string(b) {
		return "", false
	}
	if d.symbols == nil {
		d.symbols = make(map[string]string)
	}
	if len(d.symbols) < maxInterned {
		d.symbols[s] = s
	}
	return s, true
}
