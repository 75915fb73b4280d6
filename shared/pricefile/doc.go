// Package pricefile reads the price files people have, as they download
// them, for `stockstream publish` and `serve --replay`:
//
//   - CSV with a header naming a date and a price column, in any order,
//     among any others: long CSV (symbol,date,price), and the daily or
//     intraday OHLC(V) files of Yahoo, Stooq, Alpha Vantage, Nasdaq,
//     pandas' to_csv and European exports. Names are compared without
//     regard to case, spaces, '_', '-', '/' and '.': the date is date,
//     timestamp, datetime or time (or date and time apart), the price is
//     close, close/last or price (adj close or adjusted_close when asked
//     for), and an optional symbol or ticker column names each row's
//     symbol; a file without one holds the symbol given or its name's.
//     Fields are separated by ',', ';' or tab, told from the header.
//   - NDJSON of StockPriceEvent, as `stockstream watch --json` prints it
//     (the id is ignored: a server assigns its own).
//
// gzip-compressed input is detected by its magic bytes. Dates are read as
// sources write them (2024-01-02, 01/02/2024, 20240102, 02.01.2024, Jan 2
// 2024, date-times with or without a zone): a time without a zone is in
// Options.Location (DefaultTimeZone, America/New_York, by default) and a
// date alone is that day's close, 16:00 there. Prices are exact decimals,
// with '$', quotes and thousands separators stripped and ',' read as the
// decimal mark where a file uses it; a price with more than six decimal
// places (a float artefact such as 181.27999877929688) is fixed and
// counted. Rows without a price (null, empty) are skipped and counted.
// Anything else is an *Error naming the file, line and column and what
// was expected.
//
// A Reader reads a file once, row by row. Load reads one in full first,
// so that a file with one bad row is refused whole, and then yields its
// quotes in time order (a file listed newest first, oldest first), from a
// temporary file: memory stays bounded whatever the file's size.
package pricefile
