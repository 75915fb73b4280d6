// Package stock defines the stock price event that the server streams and the
// browser renders, with the exact-decimal Price and the Symbol rules both ends
// share.
package stock
