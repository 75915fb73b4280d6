package stock

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event types of the SSE stream.
const (
	// EventUpdate is the SSE event type of one live price update.
	EventUpdate = "stockUpdate"
	// EventSnapshot is the SSE event type whose data is the JSON array of
	// the latest event per symbol.
	EventSnapshot = "snapshot"
)

// StockPriceEvent is one price of one symbol at one instant, as streamed to
// clients and returned by the API. ID is the event's position in the stream:
// ids are strictly increasing and identical on every server instance.
type StockPriceEvent struct {
	ID        string    `json:"id"`
	Symbol    string    `json:"symbol"`
	Price     Price     `json:"price"`
	Timestamp time.Time `json:"timestamp"`
}

// MarshalJSON writes the event with its timestamp in RFC 3339 UTC with
// sub-second precision.
func (e StockPriceEvent) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, 96)), nil
}

// AppendJSON appends the event's JSON encoding to b without reflection; the
// server encodes each event once with it.
func (e StockPriceEvent) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"symbol":`...)
	b = appendJSONString(b, e.Symbol)
	b = append(b, `,"price":`...)
	b = e.Price.appendDecimal(b)
	b = append(b, `,"timestamp":"`...)
	b = e.Timestamp.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendJSONString appends s as a JSON string. Ids and symbols are plain
// ASCII after validation, but encoding/json keeps any other value safe.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// UnmarshalJSON reads an event and checks its symbol and price.
func (e *StockPriceEvent) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID        string    `json:"id"`
		Symbol    string    `json:"symbol"`
		Price     Price     `json:"price"`
		Timestamp time.Time `json:"timestamp"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	sym, err := ParseSymbol(raw.Symbol)
	if err != nil {
		return err
	}
	if raw.Price.IsZero() {
		return errors.New("event has no price")
	}
	*e = StockPriceEvent{ID: raw.ID, Symbol: sym, Price: raw.Price, Timestamp: raw.Timestamp.UTC()}
	return nil
}

// Quote is a price to publish: the event before the broker gives it an id.
// A zero Timestamp means "now".
type Quote struct {
	Symbol    string    `json:"symbol"`
	Price     Price     `json:"price"`
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// Validate checks that the quote can become an event and normalises its
// symbol to upper case.
func (q *Quote) Validate() error {
	sym, err := ParseSymbol(q.Symbol)
	if err != nil {
		return err
	}
	q.Symbol = sym
	if q.Price.IsZero() {
		return fmt.Errorf("%w: missing", ErrInvalidPrice)
	}
	return nil
}
