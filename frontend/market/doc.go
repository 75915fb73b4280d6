// Package market holds the dashboard's view of the market: the latest price
// of every symbol with its change since the session's first price, a short
// price history for the sparkline and the feed of recent updates. It is plain
// Go with no browser dependency so that its rules are unit tested natively.
package market
