// Package conformance holds the stream contract's one suite: a table of
// cases (the stream's headers, "retry:" first, the snapshot, exact resume
// by header and by query, filters, conflation, heartbeats, the cut of a
// client that falls behind, a shutdown that ends every stream with its last
// frame whole, a token's expiry, metrics) run against every transport
// (taken-over HTTP/1.1, HTTP/1.1 over TLS, HTTP/2 over TLS) and every
// broker (in memory, Redis). Adding a transport or a broker is one line of
// its tables. It has tests only.
package conformance
