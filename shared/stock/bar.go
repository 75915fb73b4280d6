package stock

import "time"

// Bar is the OHLC summary of one symbol's prices over one interval: the
// first (Open), highest, lowest and last (Close) price of the events whose
// timestamps fall in [Start, Start+interval), and how many there were.
// Prices are exact decimals, as everywhere else.
type Bar struct {
	Symbol string    `json:"symbol"`
	Start  time.Time `json:"start"`
	Open   Price     `json:"open"`
	High   Price     `json:"high"`
	Low    Price     `json:"low"`
	Close  Price     `json:"close"`
	Count  int       `json:"count"`
}
