// Package pricefile reads the price files people have, one quote at a time
// and in bounded memory, for `stockstream publish` and `serve --replay`:
//
//   - long CSV with a header naming symbol, date and price columns, in any
//     order ("date" may also be called "time" or "timestamp");
//   - Yahoo-style daily CSV, Date,Open,High,Low,Close,Adj Close,Volume,
//     one symbol per file, read as its closes ("null" rows are skipped and
//     counted);
//   - NDJSON of StockPriceEvent, as `stockstream watch --json` prints it
//     (the id is ignored: a server assigns its own).
//
// The format is detected from the first line; gzip-compressed input is
// detected and decompressed. Dates may be RFC 3339 (with or without
// fraction and zone: no zone means UTC), 2006-01-02, 2006-01-02 15:04:05,
// "Jan 2 2006", "Jan 2, 2006", "January 2 2006", "2 Jan 2006" or
// 20060102; a date alone is midnight UTC. Prices are exact decimals; one
// with more than six decimal places (the float artefacts of many exports,
// such as 181.27999877929688) is rounded half-even to six places and
// counted in Rounded. Anything else is an *Error naming the file, line and
// column.
package pricefile
